r"""Request checks from the botocore `cognito-idp` model: unknown members, nulls, lengths, patterns, ranges.

Two kinds of problem, reported differently:

* A member the action does not take (`{"Foo": 1}`): real Step Functions refuses such a definition
  when it is created ("The field Foo is not supported by Step Functions"), so it never runs.
  `unknown_members` lists them for a loader; at run time the task fails with `States.Runtime`.
* A missing required member or a value breaking a constraint: Cognito answers
  `InvalidParameterException` with the service's validation text, e.g.
  `1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must
  not be null` (values of sensitive members are not echoed). A value of the wrong JSON type is
  reported the same way ("Member must be of type string") [belief].

Java patterns with `\p{L}`-style classes are checked with `unicodedata` categories.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from asl.sdk_models import operation
from cognito_tasks.errors import InvalidParameterException

SERVICE = "cognitoidentityprovider"
_UNICODE_CLASS = re.compile(r"^\[((?:\\p\{[A-Z]\}|\\[tnr]| )+)\]\+$")


@functools.cache
def _service_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("cognito-idp")


@functools.cache
def _matcher(pattern: str) -> Callable[[str], bool] | None:
    unicode_class = _UNICODE_CLASS.match(pattern)
    if unicode_class:
        body = unicode_class.group(1)
        categories = tuple(re.findall(r"\\p\{([A-Z])\}", body))
        extra = {"\t" if e == "t" else "\n" if e == "n" else "\r" for e in re.findall(r"\\([tnr])", body)}
        if " " in body.replace("\\p", ""):
            extra.add(" ")
        return lambda s: (
            bool(s) and all(c in extra or unicodedata.category(c).startswith(categories) for c in s)
        )
    try:
        compiled = re.compile(pattern, re.ASCII)
    except re.error:
        return None
    return lambda s: compiled.fullmatch(s) is not None


def unknown_members(action: str, names: Iterable[str]) -> list[str]:
    """The names an `aws-sdk:cognitoidentityprovider:<action>` request may not contain."""
    op = operation(SERVICE, action)
    if op is None:
        return []
    return sorted(n for n in names if n not in op.members)


def _describe(value: Any, sensitive: bool, path: str) -> str:
    if value is None:
        return f"Value null at '{path}'"
    if sensitive:
        return f"Value at '{path}'"
    if isinstance(value, bool):
        return f"Value '{str(value).lower()}' at '{path}'"
    return f"Value '{value}' at '{path}'"


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
}


def _check(shape: Any, value: Any, path: str, errors: list[str]) -> None:
    meta = shape.metadata
    sensitive = bool(meta.get("sensitive"))
    kind = shape.type_name
    expected = _TYPES.get(kind)
    if expected is not None and (
        not isinstance(value, expected) or (kind in ("integer", "long") and isinstance(value, bool))
    ):
        errors.append(
            f"{_describe(value, sensitive, path)} failed to satisfy constraint: Member must be of type {kind}"
        )
        return
    prefix = f"{_describe(value, sensitive, path)} failed to satisfy constraint: Member must"
    if kind == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append(
                    f"Value null at '{path}.{_camel(name)}' failed to satisfy constraint: Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(member, value[name], f"{path}.{_camel(name)}", errors)
    elif kind == "list":
        if "min" in meta and len(value) < meta["min"]:
            errors.append(f"{prefix} have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{prefix} have length less than or equal to {meta['max']}")
        for i, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{i}.member", errors)
    elif kind == "map":
        for key, item in value.items():
            _check(shape.value, item, f"{path}.{key}", errors)
    elif kind == "string":
        if shape.enum and value not in shape.enum:
            errors.append(f"{prefix} satisfy enum value set: [{', '.join(shape.enum)}]")
        if "min" in meta and len(value) < meta["min"]:
            errors.append(f"{prefix} have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{prefix} have length less than or equal to {meta['max']}")
        matcher = _matcher(meta["pattern"]) if "pattern" in meta else None
        if matcher is not None and value and not matcher(value):
            errors.append(f"{prefix} satisfy regular expression pattern: {meta['pattern']}")
    elif kind in ("integer", "long"):
        if "min" in meta and value < meta["min"]:
            errors.append(f"{prefix} have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            errors.append(f"{prefix} have value less than or equal to {meta['max']}")


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def problems(action: str, request: dict[str, Any]) -> list[str]:
    """The validation errors Cognito would report for `request` (members it knows only)."""
    op_name = action[:1].upper() + action[1:]
    shape = _service_model().operation_model(op_name).input_shape
    errors: list[str] = []
    for name in shape.required_members:
        if request.get(name) is None:
            errors.append(
                f"Value null at '{_camel(name)}' failed to satisfy constraint: Member must not be null"
            )
    for name, member in shape.members.items():
        if request.get(name) is not None:
            _check(member, request[name], _camel(name), errors)
    return errors


def validate(action: str, request: dict[str, Any]) -> None:
    """Raise InvalidParameterException with Cognito's validation text if `request` breaks the model."""
    errors = problems(action, request)
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise InvalidParameterException(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))
