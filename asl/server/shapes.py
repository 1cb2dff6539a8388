"""Request checks generated from botocore's service model, worded as AWS's JSON services word them.

A value of the wrong JSON type is a `SerializationException` (AWS cannot even read it); a value
that reads but breaks a constraint of the model (required, length, range, enum) is a
`ValidationException` listing every violation, as in "2 validation errors detected: Value null at
'name' failed to satisfy constraint: Member must not be null; ...". Unknown members are ignored, as
AWS ignores them.
"""

from __future__ import annotations

from typing import Any

from asl.server.errors import ServiceError

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "blob": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (int, float),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
}
_JSON_NAMES = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    dict: "an object",
    list: "an array",
}


def check_request(shape: Any, body: Any) -> None:
    """Raise the ServiceError AWS answers for `body` against the operation's input `shape`."""
    if shape is None:
        return
    if type(body) is not dict:
        raise ServiceError(
            "SerializationException", f"Cannot read the request: expected a JSON object, got {_kind(body)}"
        )
    problems: list[str] = []
    _check(shape, body, "", problems)
    if problems:
        noun = "validation error" if len(problems) == 1 else "validation errors"
        raise ServiceError("ValidationException", f"{len(problems)} {noun} detected: " + "; ".join(problems))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    for python, name in _JSON_NAMES.items():
        if type(value) is python:
            return name
    return type(value).__name__


def _check(shape: Any, value: Any, where: str, problems: list[str]) -> None:
    if value is None:
        return
    expected = _TYPES.get(shape.type_name, (object,))
    if type(value) not in expected and not (type(value) is int and float in expected):
        raise ServiceError(
            "SerializationException",
            f"Cannot read '{where}': expected {_JSON_NAMES[expected[0]]}, got {_kind(value)}"
            if where
            else f"Cannot read the request: expected a JSON object, got {_kind(value)}",
        )
    if shape.type_name == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(
                    f"Value null at '{_join(where, name)}' failed to satisfy constraint: Member must not be null"
                )
        for name, member in shape.members.items():
            if name in value:
                _check(member, value[name], _join(where, name), problems)
    elif shape.type_name == "list":
        _limits(shape, value, len(value), where, problems, "length")
        for index, item in enumerate(value, 1):
            if item is None:
                problems.append(
                    f"Value null at '{where}.{index}.member' failed to satisfy constraint: Member must not be null"
                )
            _check(shape.member, item, f"{where}.{index}.member", problems)
    elif shape.type_name == "map":
        _limits(shape, value, len(value), where, problems, "length")
        for key, item in value.items():
            _check(shape.key, key, f"{where}.{key}.key", problems)
            _check(shape.value, item, f"{where}.{key}.value", problems)
    elif shape.type_name == "string":
        sensitive = shape.serialization.get("sensitive") or shape.metadata.get("sensitive")
        # Payloads (input, output, definition) are limited in UTF-8 bytes, as AWS documents.
        size = len(value.encode("utf-8", "surrogatepass")) if sensitive else len(value)
        _limits(shape, value, size, where, problems, "length", shown=not sensitive)
        enum = shape.enum
        if enum and value not in enum:
            problems.append(
                f"{_value(value)} at '{where}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(enum)}]"
            )
    elif shape.type_name in ("integer", "long"):
        _limits(shape, value, value, where, problems, "value")


def _limits(
    shape: Any, value: Any, measure: int, where: str, problems: list[str], what: str, shown: bool = True
) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    text = _value(value) if shown and not isinstance(value, list | dict) else "Value"
    if low is not None and measure < low:
        problems.append(
            f"{text} at '{where}' failed to satisfy constraint: Member must have {what} greater than or equal to {low}"
        )
    if high is not None and measure > high:
        problems.append(
            f"{text} at '{where}' failed to satisfy constraint: Member must have {what} less than or equal to {high}"
        )


def _value(value: Any) -> str:
    text = str(value)
    if len(text) > 100:
        text = text[:100] + "..."
    return f"Value '{text}'"


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
