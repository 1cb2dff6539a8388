"""Bodies of the string and JSON intrinsics: Format, StringSplit, StringToJson, JsonToString."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from asl import jsonvalue
from asl.errors import IntrinsicFailure
from asl.intrinsics.values import dumps, plural, render


def split_template(template: str) -> tuple[str, ...]:
    """A template taken from the input, split at its `{}` placeholders (no escapes are processed)."""
    return tuple(template.split("{}"))


def format_(segments: tuple[str, ...], *values: Any) -> str:
    """States.Format: the template with each `{}` replaced by the next value."""
    if len(values) != len(segments) - 1:
        raise IntrinsicFailure(
            f"Invalid arguments in States.Format: the template has {plural(len(segments) - 1, 'placeholder')} "
            f"'{{}}' but {plural(len(values), 'value')} {'was' if len(values) == 1 else 'were'} given"
        )
    if not values:
        return segments[0]
    parts = [segments[0]]
    for value, segment in zip(values, segments[1:], strict=True):
        parts.append(render(value))
        parts.append(segment)
    return "".join(parts)


def string_split(text: str, delimiters: str) -> list[str]:
    """States.StringSplit: split at any of the delimiter characters, dropping empty pieces."""
    if not delimiters:
        return [text] if text else []
    pieces = text.split(delimiters) if len(delimiters) == 1 else _splitter(delimiters).split(text)
    return [piece for piece in pieces if piece]


@lru_cache(maxsize=64)
def _splitter(delimiters: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(delimiters) + "]")


def string_to_json(text: str) -> Any:
    """States.StringToJson: the parsed JSON; an empty or blank string gives null."""
    if not text.strip():
        return None
    try:
        return jsonvalue.loads(text)
    except ValueError as exc:  # json.JSONDecodeError, or NaN, Infinity and nesting past the limit
        raise IntrinsicFailure(
            f"Invalid arguments in States.StringToJson: the string is not valid JSON: {exc}"
        ) from None


def json_to_string(value: Any) -> str:
    """States.JsonToString: the value as compact JSON text."""
    return dumps(value)


def json_merge(first: dict[str, Any], second: dict[str, Any], deep: bool) -> dict[str, Any]:
    """States.JsonMerge: a shallow merge; keys of the second object win, nested objects are not merged."""
    return {**first, **second}
