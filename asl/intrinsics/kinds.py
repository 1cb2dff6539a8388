"""JSON value kinds, as a flag set, for declaring and checking intrinsic argument types."""

from __future__ import annotations

import enum
from typing import Any


class Kind(enum.Flag):
    """The JSON kinds an argument may have; `NUMBER` and `ANY` are unions."""

    STRING = enum.auto()
    INTEGER = enum.auto()
    FLOAT = enum.auto()
    BOOLEAN = enum.auto()
    NULL = enum.auto()
    ARRAY = enum.auto()
    OBJECT = enum.auto()
    NUMBER = INTEGER | FLOAT
    ANY = STRING | INTEGER | FLOAT | BOOLEAN | NULL | ARRAY | OBJECT

    def describe(self) -> str:
        """How messages name this set of kinds: `a string`, `a number`, `an array or null`."""
        if self == Kind.ANY:
            return "any JSON value"
        names: list[str] = []
        remaining: Kind = self
        for kind, name in _NAMES:
            if kind in remaining:
                names.append(name)
                remaining &= ~kind
        return " or ".join(names) if names else "nothing"


_NAMES: tuple[tuple[Kind, str], ...] = (
    (Kind.STRING, "a string"),
    (Kind.NUMBER, "a number"),
    (Kind.INTEGER, "an integer"),
    (Kind.FLOAT, "a decimal number"),
    (Kind.BOOLEAN, "a boolean"),
    (Kind.NULL, "null"),
    (Kind.ARRAY, "an array"),
    (Kind.OBJECT, "an object"),
)
_BY_TYPE: dict[type, Kind] = {
    str: Kind.STRING,
    bool: Kind.BOOLEAN,
    int: Kind.INTEGER,
    float: Kind.FLOAT,
    type(None): Kind.NULL,
    list: Kind.ARRAY,
    dict: Kind.OBJECT,
}


_BITS_BY_TYPE: dict[type, int] = {cls: kind.value for cls, kind in _BY_TYPE.items()}


def kind_bits(value: Any) -> int:
    """`kind_of(value).value`, fast for exact JSON types (flag arithmetic on enums is slow)."""
    bits = _BITS_BY_TYPE.get(type(value))
    return bits if bits is not None else kind_of(value).value


def kind_of(value: Any) -> Kind:
    """The kind of a JSON value (the empty flag for anything that is not JSON)."""
    kind = _BY_TYPE.get(type(value))
    if kind is not None:
        return kind
    for cls, sub in _BY_TYPE.items():
        if isinstance(value, cls):
            return sub
    return Kind(0)


def describe_value(value: Any) -> str:
    """How messages name the kind of a value that was given: `a string`, `an array`, `null`."""
    kind = kind_of(value)
    return kind.describe() if kind else f"a Python {type(value).__name__}"
