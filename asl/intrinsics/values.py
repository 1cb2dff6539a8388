"""JSON value helpers shared by the function bodies: compact text, AWS rounding, display."""

from __future__ import annotations

import json
import math
from typing import Any

from asl.errors import IntrinsicFailure

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def dumps(value: Any) -> str:
    """Compact JSON text (`{"a":1,"b":[]}`), non-ASCII kept as is."""
    try:
        return _ENCODER.encode(value)
    except (TypeError, ValueError) as exc:
        raise IntrinsicFailure(f"The value cannot be represented as JSON: {exc}") from None


def render(value: Any) -> str:
    """A value as `States.Format` writes it: strings raw, null as `null`, numbers and booleans as JSON.

    Objects and arrays are written as Java writes a Map and a List (`{a=1, b=[x, y]}`), with the same
    rules inside: AWS formats them that way (LocalStack's StringFormat, whose tests are recorded against
    AWS, documents `{"Arg1": 1, "Arg2": []}` -> `{Arg1=1, Arg2=[]}`).
    """
    if isinstance(value, str):
        return value
    cls = type(value)
    if cls is int:
        return str(value)
    if value is None:
        return "null"
    if cls is bool:
        return "true" if value else "false"
    if cls is list:
        return "[" + ", ".join(render(item) for item in value) + "]"
    if cls is dict:
        return "{" + ", ".join(f"{key}={render(item)}" for key, item in value.items()) + "}"
    return dumps(value)


def round_half_up(value: int | float) -> int:
    """Round to the nearest integer, halves toward +infinity: 1.5 -> 2, -1.5 -> -1, -0.5 -> 0 (as AWS)."""
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        raise IntrinsicFailure(f"The number {value} is not finite")
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def plural(count: int, noun: str) -> str:
    """`1 value`, `2 values`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def shown(value: Any, limit: int = 60) -> str:
    """A value as compact JSON for an error message, cut to `limit` characters."""
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
