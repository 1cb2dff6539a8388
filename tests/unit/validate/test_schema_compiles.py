"""The compiled validator compiles a `$ref` when an instance first reaches it; every part of schema.json must compile."""

from __future__ import annotations

from typing import Any

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
