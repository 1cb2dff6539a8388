"""Reading definition files: JSON with line/column errors, and JSON pointers mapped back to lines."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl.errors import DefinitionError, Problem
from asl.json_errors import explain

_WS = " \t\r\n"


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


def load_json(text: str, name: str = "<definition>") -> Any:
    """Parse JSON text; a syntax error becomes a `DefinitionError` naming the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        why = explain(exc)
        problem = Problem("", f"malformed JSON: {why.message}", "MALFORMED_JSON", why.line, why.column)
        raise DefinitionError([problem], name) from None


def read_source(path: str | Path) -> tuple[Any, Source]:
    """Read and parse a definition file; errors name the file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DefinitionError([Problem("", f"cannot read file: {reason}", "UNREADABLE")], str(path)) from None
    return load_json(text, str(path)), Source(text, str(path))


def escape_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


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
