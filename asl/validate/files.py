"""Validating definition files: reading, and JSON errors as diagnostics, never exceptions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from asl.json_errors import explain
from asl.source import Source
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


def validate_file(path: str | Path, registry: TaskRegistry | None = None) -> FileReport:
    """Read, parse and validate one definition file."""
    from asl.files import FileReadError, read_text

    name = str(path)
    try:
        text = read_text(path)
    except FileReadError as exc:
        return FileReport(name, (make("UNREADABLE_FILE", f"Cannot read the file: {exc.reason}"),))
    return validate_text(text, name, registry)


def validate_text(text: str, name: str = "<definition>", registry: TaskRegistry | None = None) -> FileReport:
    """Parse and validate a definition's text; malformed JSON and repeated keys become diagnostics."""
    from asl import jsonvalue
    from asl.source import parse_json
    from asl.validate import validate

    text = text.removeprefix("\ufeff")
    source = Source(text, name)
    if not text.strip():
        empty = make(
            "MISSING_DESCRIPTION", "The file is empty: a definition needs at least StartAt and States"
        )
        return FileReport(name, (empty,), source)
    from asl.source import size_problem

    too_large = size_problem(None, text)
    if too_large is not None:
        return FileReport(name, (make("DEFINITION_TOO_LARGE", too_large.message),), source)
    try:
        definition = parse_json(text)
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
    except jsonvalue.JsonValueError as exc:
        problem = Diagnostic(
            "ERROR", "INVALID_JSON_DESCRIPTION", f"Not valid JSON: {exc.message}", "", exc.line, exc.column
        )
        return FileReport(name, (problem,), source)
    return FileReport(name, tuple(validate(definition, source, registry)), source)
