"""Reading definition files: JSON with line/column errors, and JSON pointers mapped back to lines."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl import jsonvalue
from asl.errors import DefinitionError, Problem

_WS = " \t\r\n"
#: The largest definition AWS takes, in UTF-8 bytes (CreateStateMachine's `definition`: at most 1,048,576).
MAX_DEFINITION_BYTES = 1_048_576


@dataclass
class Source:
    """A definition's text and where it came from; maps JSON pointers to (line, column) on demand."""

    text: str
    name: str = "<definition>"
    _positions: dict[str, tuple[int, int]] | None = field(default=None, repr=False)

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """The 1-based (line, column) of the value at `pointer`, or of its nearest existing parent."""
        if self._positions is None:
            self._positions = _index_positions(self.text)
        while True:
            if pointer in self._positions:
                return self._positions[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    def line(self, number: int) -> str:
        """The text of line `number` (1-based)."""
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def place(self, problems: list[Problem]) -> list[Problem]:
        """Problems with their line and column filled in from this source."""
        placed = []
        for p in problems:
            pos = self.locate(p.pointer)
            line, col = pos if pos else (None, None)
            placed.append(Problem(p.pointer, p.message, p.code, line, col))
        return placed


class RepeatedKeys(dict[str, Any]):
    """A JSON object in which some keys appeared more than once (the last value won, as in `json`)."""

    repeated: tuple[str, ...] = ()


def parse_json(text: str) -> Any:
    """Parse a definition's text strictly; objects with a repeated key come back as `RepeatedKeys`.

    A leading UTF-8 byte-order mark is ignored. Raises `json.JSONDecodeError` for bad syntax and
    `asl.jsonvalue.JsonValueError` for NaN, Infinity, overlong numbers and nesting past the limit.
    """
    return jsonvalue.loads(text.removeprefix("\ufeff"), object_pairs_hook=_object)


def load_json(text: str, name: str = "<definition>") -> Any:
    """Parse a definition's text; a syntax error becomes a `DefinitionError` naming the line and column."""
    try:
        return parse_json(text)
    except json.JSONDecodeError as exc:
        from asl.json_errors import explain

        why = explain(exc)
        problem = Problem(
            "", f"malformed JSON: {why.message}", "INVALID_JSON_DESCRIPTION", why.line, why.column
        )
    except jsonvalue.JsonValueError as exc:
        problem = Problem(
            "", f"not valid JSON: {exc.message}", "INVALID_JSON_DESCRIPTION", exc.line, exc.column
        )
    raise DefinitionError([problem], name)


def size_problem(definition: Any, text: str | None = None) -> Problem | None:
    """A DEFINITION_TOO_LARGE problem when the definition is larger than AWS takes, else None.

    `text` is the definition's JSON as a file holds it (what `aws stepfunctions create-state-machine
    --definition file://...` sends); without it (YAML, a template's `Definition` object) the definition
    is measured as compact JSON, the least it can take.
    """
    if text is not None and len(text) * 4 <= MAX_DEFINITION_BYTES:
        return None
    if text is None:
        text = json.dumps(definition, ensure_ascii=False, separators=(",", ":"))
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= MAX_DEFINITION_BYTES:
        return None
    message = (
        f"the definition is {size:,} bytes, more than the {MAX_DEFINITION_BYTES:,} AWS takes (CreateStateMachine "
        f"answers ValidationException: Value at 'definition' failed to satisfy constraint: Member must have "
        f"length less than or equal to {MAX_DEFINITION_BYTES}); split it, e.g. into child state machines"
    )
    return Problem("", message, "DEFINITION_TOO_LARGE")


def check_size(definition: Any, source: Source, text: str | None = None) -> None:
    """Raise a placed DefinitionError when the definition is larger than AWS takes (see `size_problem`)."""
    problem = size_problem(definition, text)
    if problem is not None:
        raise DefinitionError(source.place([problem]), source.name)


def read_source(path: str | Path) -> tuple[Any, Source]:
    """Read and parse a definition file; errors name the file.

    YAML files, SAM/CloudFormation/CDK templates and `template.yaml#Machine` are read by `asl.templates`.
    """
    from asl import templates

    if templates.reads(path):
        loaded = templates.read_any(path)
        return loaded.definition, loaded.source
    from asl.files import FileReadError, read_text

    try:
        text = read_text(path)
    except FileReadError as exc:
        raise DefinitionError(
            [Problem("", f"cannot read file: {exc.reason}", "UNREADABLE_FILE")], str(path)
        ) from None
    data = load_json(text, str(path))
    if templates.is_template(data):
        loaded = templates.read_any(path)
        return loaded.definition, loaded.source
    source = Source(text, str(path))
    check_size(data, source, text)
    return data, source


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    twice = []
    for key, _ in pairs:
        if key in seen:
            twice.append(key)
        seen.add(key)
    marked = RepeatedKeys(obj)
    marked.repeated = tuple(dict.fromkeys(twice))
    return marked


def escape_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def _index_positions(text: str) -> dict[str, tuple[int, int]]:
    """Map every JSON pointer in `text` to the (line, column) where its value (or key) starts."""
    positions: dict[str, tuple[int, int]] = {}
    line_starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            line_starts.append(i + 1)

    def where(offset: int) -> tuple[int, int]:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - line_starts[lo] + 1

    decoder = json.JSONDecoder()
    n = len(text)

    def skip(i: int) -> int:
        while i < n and text[i] in _WS:
            i += 1
        return i

    def value(i: int, pointer: str) -> int:
        i = skip(i)
        positions.setdefault(pointer, where(i))
        if i >= n:
            return i
        ch = text[i]
        if ch == "{":
            i = skip(i + 1)
            if i < n and text[i] == "}":
                return i + 1
            while i < n:
                key, key_end = decoder.raw_decode(text, i)
                child = f"{pointer}/{escape_token(str(key))}"
                positions[child] = where(i)
                i = skip(key_end)
                i = value(i + 1, child)  # past ':'
                i = skip(i)
                if i < n and text[i] == ",":
                    i = skip(i + 1)
                    continue
                return i + 1
            return i
        if ch == "[":
            i = skip(i + 1)
            if i < n and text[i] == "]":
                return i + 1
            index = 0
            while i < n:
                i = value(i, f"{pointer}/{index}")
                index += 1
                i = skip(i)
                if i < n and text[i] == ",":
                    i += 1
                    continue
                return i + 1
            return i
        _, end = decoder.raw_decode(text, i)
        return int(end)

    with contextlib.suppress(ValueError, IndexError):
        value(0, "")
    return positions
