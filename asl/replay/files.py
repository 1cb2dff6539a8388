"""JSON files for replays: read with line/column errors, written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asl import files
from asl.errors import AslError
from asl.files import write_atomically
from asl.json_errors import explain


class ReplayError(AslError):
    """A case file, a recorded history or a replay's setting is unusable."""


def read_text(path: Path) -> str:
    """The text of `path`; a missing or unreadable file is a ReplayError naming it."""
    try:
        return files.read_text(path)
    except files.FileReadError as exc:
        raise ReplayError(f"{path}: {exc.reason}") from None


def syntax_error(path: Path | str, exc: json.JSONDecodeError) -> ReplayError:
    """A ReplayError for malformed JSON, with the line and column."""
    why = explain(exc)
    return ReplayError(f"{path}: invalid JSON at line {why.line}, column {why.column}: {why.message}")


def read_json(path: Path) -> Any:
    """Parse the JSON file at `path`; errors name the file, line and column."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise syntax_error(path, exc) from None


#: A JSON object or array fits on one line when its line stays within this width.
WIDTH = 110


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _layout(value: Any, indent: int) -> str:
    one_line = _compact(value)
    if not isinstance(value, dict | list) or not value or indent + len(one_line) <= WIDTH:
        return one_line
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{_compact(str(k))}: {_layout(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _layout(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def dump(value: Any) -> str:
    """JSON as replays write it: containers on one line when they fit, else indented by two; a final newline."""
    return _layout(value, 0) + "\n"


def write_json(path: Path, value: Any) -> None:
    """Write `value` to `path` as replays lay JSON out, atomically."""
    write_atomically(path, dump(value))
