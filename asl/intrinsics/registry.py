"""The 18 `States.*` intrinsic functions: each signature declared as data, pointing at its body."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from asl.intrinsics import arrays, encoding, maths, text
from asl.intrinsics.kinds import Kind
from asl.intrinsics.signature import (
    Intrinsic,
    Param,
    at_most_chars,
    finite,
    must_be_false,
    non_negative,
    non_zero,
    one_of,
    positive_integer,
)

_ARRAY = Param("array", Kind.ARRAY)
_LIMITED_STRING = Param("data", Kind.STRING, (at_most_chars(encoding.MAX_INPUT_CHARS),))


def _number(name: str) -> Param:
    return Param(name, Kind.NUMBER, (finite,))


_ALL = (
    Intrinsic(
        "States.Format",
        text.format_,
        (Param("template", Kind.STRING, template=True),),
        Kind.STRING,
        rest=Param("value"),
    ),
    Intrinsic("States.StringToJson", text.string_to_json, (Param("string", Kind.STRING),)),
    Intrinsic("States.JsonToString", text.json_to_string, (Param("value"),), Kind.STRING),
    Intrinsic("States.Array", arrays.array, (), Kind.ARRAY, rest=Param("value")),
    Intrinsic(
        "States.ArrayPartition",
        arrays.array_partition,
        (_ARRAY, Param("chunk size", Kind.NUMBER, (positive_integer,))),
        Kind.ARRAY,
    ),
    Intrinsic("States.ArrayContains", arrays.array_contains, (_ARRAY, Param("value")), Kind.BOOLEAN),
    Intrinsic(
        "States.ArrayRange",
        arrays.array_range,
        (_number("start"), _number("end"), Param("step", Kind.NUMBER, (finite, non_zero))),
        Kind.ARRAY,
    ),
    Intrinsic(
        "States.ArrayGetItem",
        arrays.array_get_item,
        (_ARRAY, Param("index", Kind.NUMBER, (finite, non_negative))),
    ),
    Intrinsic("States.ArrayLength", arrays.array_length, (_ARRAY,), Kind.INTEGER),
    Intrinsic("States.ArrayUnique", arrays.array_unique, (_ARRAY,), Kind.ARRAY),
    Intrinsic("States.Base64Encode", encoding.base64_encode, (_LIMITED_STRING,), Kind.STRING),
    Intrinsic("States.Base64Decode", encoding.base64_decode, (_LIMITED_STRING,), Kind.STRING),
    Intrinsic(
        "States.Hash",
        encoding.hash_,
        (_LIMITED_STRING, Param("algorithm", Kind.STRING, (one_of(*encoding.HASH_ALGORITHMS),))),
        Kind.STRING,
    ),
    Intrinsic(
        "States.JsonMerge",
        text.json_merge,
        (
            Param("object", Kind.OBJECT),
            Param("object", Kind.OBJECT),
            Param("deep", Kind.BOOLEAN, (must_be_false,)),
        ),
        Kind.OBJECT,
    ),
    Intrinsic(
        "States.MathRandom",
        maths.math_random,
        (_number("start"), _number("end"), _number("seed")),
        Kind.INTEGER,
        optional=1,
    ),
    Intrinsic("States.MathAdd", maths.math_add, (_number("number"), _number("number")), Kind.INTEGER),
    Intrinsic(
        "States.StringSplit",
        text.string_split,
        (Param("string", Kind.STRING), Param("delimiter", Kind.STRING)),
        Kind.ARRAY,
    ),
    Intrinsic("States.UUID", maths.uuid4, (), Kind.STRING),
)


def build_registry(functions: Iterable[Intrinsic]) -> Mapping[str, Intrinsic]:
    """A read-only name -> function table; refuses duplicate names."""
    table: dict[str, Intrinsic] = {}
    for function in functions:
        if function.name in table:
            raise ValueError(f"intrinsic function {function.name} is declared twice")
        table[function.name] = function
    return MappingProxyType(table)


#: Every intrinsic function AWS Step Functions provides in JSONPath states, by name.
FUNCTIONS: Mapping[str, Intrinsic] = build_registry(_ALL)
