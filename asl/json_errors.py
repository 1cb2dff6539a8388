"""Messages for malformed JSON that say what went wrong where a person would look for it.

`json` reports a trailing comma at the bracket after it (often on the next line) and a YAML file as
"Expecting value"; `explain` points at the comma itself and says when the text looks like YAML.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_WS = " \t\r\n"
#: A first line such as `StartAt: First`, `---` or `- item`: YAML, not JSON.
_YAML_START = re.compile(r"^(---|%YAML|- |[A-Za-z_\"'][\w .\"'-]*:(\s|$))")


@dataclass(frozen=True, slots=True)
class JsonSyntax:
    """What is wrong (`message`), and the 1-based line and column where it is."""

    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.message} at line {self.line}, column {self.column}"


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def looks_like_yaml(text: str) -> bool:
    """True when the first meaningful line of `text` reads like YAML rather than JSON."""
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            return bool(_YAML_START.match(line))
    return False


def explain(exc: json.JSONDecodeError) -> JsonSyntax:
    """A clearer account of `exc`: the trailing comma's own position, or a word about YAML."""
    text, pos = exc.doc, exc.pos
    if pos < len(text) and text[pos] in "}]":
        before = pos - 1
        while before >= 0 and text[before] in _WS:
            before -= 1
        if before >= 0 and text[before] == ",":
            line, column = _position(text, before)
            return JsonSyntax(
                f"trailing comma before '{text[pos]}' (JSON allows none; remove it)", line, column
            )
    if looks_like_yaml(text):
        return JsonSyntax(
            f"{exc.msg}: this looks like YAML, but JSON is expected here (convert it to JSON)",
            exc.lineno,
            exc.colno,
        )
    return JsonSyntax(exc.msg, exc.lineno, exc.colno)
