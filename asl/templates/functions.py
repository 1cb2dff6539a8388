"""CloudFormation's list and text functions: `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::Cidr`.

Each takes the resolver, its (unresolved) argument and the JSON pointer of the function, and checks its
argument as CloudFormation does: a malformed call raises `TemplateError` at the function, which the
template reader reports as INVALID_TEMPLATE with its line and column (there is nothing `--sub` could
give). An argument that holds a placeholder nothing resolves (a parameter without a Default) is reported
once, as that placeholder, and the function's value is left open.
"""

from __future__ import annotations

import base64
import ipaddress
from typing import TYPE_CHECKING, Any

from asl.jsonvalue import json_type

if TYPE_CHECKING:
    from asl.templates.intrinsics import Resolver


class TemplateError(Exception):
    """An intrinsic function CloudFormation would refuse: where it is (a JSON pointer) and why."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.message = message


class _Open(Exception):
    """An argument holds a placeholder that stays unresolved (already recorded): its name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _resolved(resolver: Resolver, value: Any, pointer: str) -> Any:
    """`value` resolved; `_Open` when that left a placeholder unresolved."""
    before = len(resolver.unresolved)
    result = resolver.resolve(value, pointer)
    if len(resolver.unresolved) > before:
        raise _Open(resolver.unresolved[before].name)
    return result


def _open_value(function: Any) -> Any:
    """Run `function`; an argument left open makes the function's value that placeholder."""

    def run(resolver: Resolver, argument: Any, pointer: str) -> Any:
        try:
            return function(resolver, argument, pointer)
        except _Open as open_:
            return "${" + open_.name + "}"

    return run


def _string(value: Any, pointer: str, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TemplateError(pointer, f"{what} must be a string, not {_kind(value)}")


def _kind(value: Any) -> str:
    return {"array": "a list", "object": "an object", "null": "null"}.get(
        json_type(value), f"a {json_type(value)}"
    )


@_open_value
def join(resolver: Resolver, argument: Any, pointer: str) -> str:
    """`Fn::Join [delimiter, [values]]`: the values (strings) joined by the delimiter."""
    if not isinstance(argument, list) or len(argument) != 2:
        raise TemplateError(pointer, "Fn::Join takes two values: [delimiter, [values to join]]")
    delimiter = _resolved(resolver, argument[0], pointer + "/0")
    if not isinstance(delimiter, str):
        raise TemplateError(pointer + "/0", f"Fn::Join's delimiter must be a string, not {_kind(delimiter)}")
    items = _resolved(resolver, argument[1], pointer + "/1")
    if not isinstance(items, list):
        raise TemplateError(pointer + "/1", f"Fn::Join joins a list of strings, not {_kind(items)}")
    return delimiter.join(
        _string(item, f"{pointer}/1/{i}", f"Fn::Join's value {i}") for i, item in enumerate(items)
    )


@_open_value
def select(resolver: Resolver, argument: Any, pointer: str) -> Any:
    """`Fn::Select [index, [values]]`: one value of the list."""
    if not isinstance(argument, list) or len(argument) != 2:
        raise TemplateError(pointer, "Fn::Select takes two values: [index, [values]]")
    index = _resolved(resolver, argument[0], pointer + "/0")
    items = _resolved(resolver, argument[1], pointer + "/1")
    text = str(index) if isinstance(index, int | str) and not isinstance(index, bool) else ""
    if not text.isdigit():
        raise TemplateError(pointer + "/0", f"Fn::Select's index must be a whole number, not {index!r}")
    if not isinstance(items, list):
        raise TemplateError(pointer + "/1", f"Fn::Select selects from a list, not {_kind(items)}")
    if int(text) >= len(items):
        raise TemplateError(
            pointer,
            f"Fn::Select cannot select nonexistent value at index {text}: the list has {len(items)}",
        )
    return items[int(text)]


@_open_value
def split(resolver: Resolver, argument: Any, pointer: str) -> list[str]:
    """`Fn::Split [delimiter, string]`: the string's parts."""
    if not isinstance(argument, list) or len(argument) != 2:
        raise TemplateError(pointer, "Fn::Split takes two values: [delimiter, string to split]")
    delimiter = _resolved(resolver, argument[0], pointer + "/0")
    text = _resolved(resolver, argument[1], pointer + "/1")
    if delimiter == "":
        raise TemplateError(pointer + "/0", "Fn::Split's delimiter is empty; give the text to split at")
    if not isinstance(delimiter, str):
        raise TemplateError(pointer + "/0", f"Fn::Split's delimiter must be a string, not {_kind(delimiter)}")
    if not isinstance(text, str):
        raise TemplateError(pointer + "/1", f"Fn::Split splits a string, not {_kind(text)}")
    return text.split(delimiter)


@_open_value
def find_in_map(resolver: Resolver, argument: Any, pointer: str) -> Any:
    """`Fn::FindInMap [map, top-level key, second-level key]` (and `{DefaultValue: ...}` as a fourth)."""
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        raise TemplateError(
            pointer, "Fn::FindInMap takes three values: [map name, top-level key, second-level key]"
        )
    keys = [
        _string(_resolved(resolver, a, f"{pointer}/{i}"), f"{pointer}/{i}", "Fn::FindInMap's key")
        for i, a in enumerate(argument[:3])
    ]
    node: Any = resolver.template.get("Mappings", {})
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if node is not None:
        return node  # Mappings hold literal values only
    if len(argument) == 4:
        default = argument[3]
        if not isinstance(default, dict) or "DefaultValue" not in default:
            raise TemplateError(pointer + "/3", "Fn::FindInMap's fourth value must be {DefaultValue: ...}")
        return resolver.resolve(default["DefaultValue"], pointer + "/3/DefaultValue")
    raise TemplateError(pointer, f"Fn::FindInMap finds no value: Mappings has no {' / '.join(keys)}")


@_open_value
def cidr(resolver: Resolver, argument: Any, pointer: str) -> list[str]:
    """`Fn::Cidr [ip block, count, host bits]`: the first `count` subnets with `host bits` for hosts."""
    if not isinstance(argument, list) or len(argument) != 3:
        raise TemplateError(pointer, "Fn::Cidr takes three values: [ip block, count, host bits per subnet]")
    block = _string(_resolved(resolver, argument[0], pointer + "/0"), pointer + "/0", "Fn::Cidr's ip block")
    numbers = []
    for i, what in ((1, "count"), (2, "host bits")):
        value = _string(
            _resolved(resolver, argument[i], f"{pointer}/{i}"), f"{pointer}/{i}", f"Fn::Cidr's {what}"
        )
        if not value.isdigit():
            raise TemplateError(f"{pointer}/{i}", f"Fn::Cidr's {what} must be a whole number, not {value!r}")
        numbers.append(int(value))
    count, bits = numbers
    try:
        network = ipaddress.ip_network(block)
    except ValueError as exc:
        raise TemplateError(pointer + "/0", f"Fn::Cidr's ip block is not a CIDR block: {exc}") from None
    prefix = network.max_prefixlen - bits
    if not 1 <= count <= 256 or not network.prefixlen <= prefix <= network.max_prefixlen - 1:
        raise TemplateError(
            pointer,
            f"Fn::Cidr cannot make {count} subnets with {bits} host bits out of {block} "
            f"(count 1 to 256; host bits up to {network.max_prefixlen - network.prefixlen})",
        )
    subnets = []
    for subnet in network.subnets(new_prefix=prefix):
        subnets.append(str(subnet))
        if len(subnets) == count:
            return subnets
    raise TemplateError(pointer, f"Fn::Cidr: {block} holds only {len(subnets)} subnets of /{prefix}")


def base64_of(resolver: Resolver, argument: Any, pointer: str) -> str:
    """`Fn::Base64 string`: the string in base64."""
    value = resolver.resolve(argument, pointer)
    return base64.b64encode(_string(value, pointer, "Fn::Base64's value").encode()).decode()
