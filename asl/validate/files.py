"""Validating definition files: reading, JSON errors and duplicate keys as diagnostics, never exceptions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asl.json_errors import explain
from asl.source import Source, escape_token
from asl.validate.diagnostic import Diagnostic, Severity, make

if TYPE_CHECKING:
    from asl.resources import TaskRegistry


@dataclass(frozen=True, slots=True)
class FileReport:
    """The diagnostics of one file, with its text for showing the offending lines."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    source: Source | None = None

    def fails(self, threshold: Severity = "ERROR") -> bool:
        """True when a diagnostic is at or above `threshold` (ERROR, or WARNING to fail on warnings too)."""
        return any(d.is_error or threshold == "WARNING" for d in self.diagnostics)


class _Duplicates(dict[str, Any]):
    """A JSON object in which some keys appeared more than once (the last value won)."""

    repeated: tuple[str, ...] = ()


def validate_file(path: str | Path, registry: TaskRegistry | None = None) -> FileReport:
    """Read, parse and validate one definition file."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return FileReport(
            name, (make("UNREADABLE_FILE", "The file is not UTF-8 text; save it as UTF-8 JSON"),)
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return FileReport(name, (make("UNREADABLE_FILE", f"Cannot read the file: {reason}"),))
    return validate_text(text, name, registry)


def validate_text(text: str, name: str = "<definition>", registry: TaskRegistry | None = None) -> FileReport:
    """Parse and validate a definition's text; malformed JSON and repeated keys become diagnostics."""
    from asl.validate import validate

    text = text.removeprefix("\ufeff")
    source = Source(text, name)
    if not text.strip():
        empty = make(
            "MISSING_DESCRIPTION", "The file is empty: a definition needs at least StartAt and States"
        )
        return FileReport(name, (empty,), source)
    repeated: list[bool] = []
    try:
        definition = json.loads(text, object_pairs_hook=lambda pairs: _object(pairs, repeated))
    except json.JSONDecodeError as exc:
        why = explain(exc)
        problem = Diagnostic(
            "ERROR",
            "INVALID_JSON_DESCRIPTION",
            f"Malformed JSON: {why.message}; fix the syntax",
            "",
            why.line,
            why.column,
        )
        return FileReport(name, (problem,), source)
    except RecursionError:
        return FileReport(
            name, (make("INVALID_JSON_DESCRIPTION", "The JSON is nested too deeply to read"),), source
        )
    found = validate(definition, source, registry)
    if repeated:
        found = [d.located(source) for d in _repeated_keys(definition)] + found
    return FileReport(name, tuple(found), source)


def _object(pairs: list[tuple[str, Any]], repeated: list[bool]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    twice = []
    for key, _ in pairs:
        if key in seen:
            twice.append(key)
        seen.add(key)
    marked = _Duplicates(obj)
    marked.repeated = tuple(twice)
    repeated.append(True)
    return marked


def _repeated_keys(definition: Any) -> list[Diagnostic]:
    found = []
    stack: list[tuple[Any, str]] = [(definition, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, _Duplicates):
            for key in dict.fromkeys(node.repeated):
                where = f"{pointer}/{escape_token(key)}"
                if pointer.endswith("/States"):
                    found.append(
                        make(
                            "DUPLICATE_STATE_NAME",
                            f"State '{key}' is defined twice in this States object; rename one",
                            where,
                        )
                    )
                else:
                    found.append(
                        make(
                            "SCHEMA_VALIDATION_FAILED",
                            f"Field '{key}' appears twice in this object and only the last one counts; remove one",
                            where,
                        )
                    )
        if isinstance(node, dict):
            stack.extend((v, f"{pointer}/{escape_token(k)}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(node))
    return found
