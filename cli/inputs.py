"""Reading JSON given on the command line: inline, `file://PATH`, or `-` for stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from asl import jsonvalue


def read_json_option(value: str | None, option: str) -> Any:
    """Parse an option's JSON; raise click.BadParameter with line and column on bad JSON."""
    if value is None:
        return {}
    if value == "-":
        text, where = sys.stdin.read(), "stdin"
    elif value.startswith("file://"):
        path = Path(value[len("file://") :])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=option) from None
        where = str(path)
    else:
        text, where = value, "the inline value"
    try:
        return jsonvalue.loads(text)
    except jsonvalue.JsonValueError as exc:
        # NaN, Infinity, overlong numbers and deep nesting are not JSON as AWS reads it.
        raise click.BadParameter(f"{where} is not valid JSON: {exc}.", param_hint=option) from None
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"{where} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
            "Give inline JSON, file://PATH or - for stdin.",
            param_hint=option,
        ) from None
