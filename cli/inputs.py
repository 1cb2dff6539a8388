"""Reading JSON given on the command line: inline, `file://PATH`, or `-` for stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from asl import jsonvalue


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
        from asl.files import FileReadError, read_bytes

        path = Path(value[len("file://") :])
        try:
            data = read_bytes(path)
        except FileReadError as exc:
            raise click.BadParameter(f"cannot read {path}: {exc.reason}", param_hint=option) from None
        text, where = _decode(data, str(path), option), str(path)
    else:
        text, where = value, "the inline value"
    try:
        return jsonvalue.loads(text)
    except jsonvalue.JsonValueError as exc:
        # NaN, Infinity, overlong numbers and deep nesting are not JSON as AWS reads it.
        raise click.BadParameter(f"{where} is not valid JSON: {exc}.", param_hint=option) from None
    except json.JSONDecodeError as exc:
        from asl.json_errors import explain

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
