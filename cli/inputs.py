"""Reading JSON given on the command line: inline, `file://PATH`, or `-` for stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from asl.json_errors import explain


def _decode(data: bytes, where: str, option: str) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(
            f"{where} is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}); save it as UTF-8 JSON",
            param_hint=option,
        ) from None


def read_json_option(value: str | None, option: str) -> Any:
    """Parse an option's JSON; raise click.BadParameter with line and column on bad JSON."""
    if value is None:
        return {}
    if value == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
        text, where = _decode(data, "stdin", option), "stdin"
    elif value.startswith("file://"):
        path = Path(value[len("file://") :])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise click.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=option) from None
        text, where = _decode(data, str(path), option), str(path)
    else:
        text, where = value, "the inline value"
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        hint = "Give inline JSON, file://PATH or - for stdin."
        if where == "the inline value" and _names_a_file(value):
            hint = f"To read the file, write {option} file://{value}"
        raise click.BadParameter(
            f"{where} is not valid JSON: {explain(exc)}. {hint}", param_hint=option
        ) from None


def _names_a_file(value: str) -> bool:
    """True when `value` is not JSON but is, or looks like, a path to a file."""
    if not value or value[0] in '{["' or len(value) > 4096 or "\n" in value:
        return False
    try:
        return Path(value).is_file() or value.endswith((".json", ".jsonl", ".txt", ".yaml", ".yml"))
    except OSError:
        return False
