"""The compiled validator compiles a `$ref` when an instance first reaches it; every part of schema.json must compile."""

from __future__ import annotations

from typing import Any

import pytest

from asl.validate.fastschema import _Compiler
from asl.validate.shape import schema


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
        for member in value.values():
            found |= _refs(member)
        return found
    if isinstance(value, list):
        return set().union(*(_refs(member) for member in value)) if value else set()
    return set()


def test_every_referenced_part_of_the_schema_compiles() -> None:
    root = schema()
    compiler = _Compiler(root)
    compiler.node(root)
    targets = _refs(root)
    assert targets
    for target in sorted(targets):
        assert callable(compiler.resolve(target))  # raises UnsupportedSchema for a keyword it lacks


DISPATCH_CASES = [
    {"Type": "Pass", "End": True},
    {"Type": "Pass", "End": True, "Resource": "x"},
    {"Type": "Task", "End": True},
    {"Type": 1, "End": True},
    {"Type": True},
    {"Type": None},
    {"End": True},
    {"Type": "Nope"},
    {"Type": "Choice", "Choices": []},
    {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "S"}]},
    {"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "S"}]},
    {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": True, "IsString": True, "Next": "S"}]},
    {"Type": "Choice", "Choices": ["a rule that is not an object", {"Not": {"IsPresent": True}}]},
    {"Type": "Choice", "Choices": [{"And": [{"Variable": "$.a", "StringEquals": "x"}, {}], "Next": "S"}]},
    "not an object",
    [],
]


@pytest.mark.parametrize("state", DISPATCH_CASES, ids=repr)
def test_states_checked_by_type_lookup_fail_as_jsonschema_says(state: Any) -> None:
    from asl.validate.shape import schema_errors

    definition = {"StartAt": "S", "States": {"S": state}}

    def key(errors: Any) -> list[Any]:
        return sorted((e.keyword, e.path, repr(e.value)) for e in errors)

    assert key(schema_errors(definition)) == key(schema_errors(definition, engine="jsonschema"))
