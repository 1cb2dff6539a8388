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


def pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    """`KEY=VALUE` option values as a dict; a malformed one is a click.BadParameter naming the option."""
    found = {}
    for value in values:
        key, sep, target = value.partition("=")
        if not sep or not key or not target:
            raise click.BadParameter(f"{value!r} must look like KEY=VALUE", param_hint=option)
        found[key] = target
    return found


#: `--sub NAME=VALUE`, shared by the commands that read templates (see asl.templates).
sub_option = click.option(
    "--sub",
    "subs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Templates: the value of ${NAME}, Ref NAME or Fn::GetAtt NAME.Attr (repeatable; wins over [substitutions]).",
)
