"""The compiled schema validator reports exactly what jsonschema reports, on every definition we have."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from test_validate_api import _SEEDS, _mutate
from test_validate_conformance import CONFORMANCE
from test_validate_rules import CASES

from asl.validate.fastschema import SchemaError, UnsupportedSchema, compile_schema
from asl.validate.shape import schema_errors


def _key(errors: list[SchemaError]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            e.keyword,
            json.dumps(e.path),
            e.in_property_names,
            json.dumps(e.schema, sort_keys=True),
            repr(e.value),
            repr(e.instance),
        )
        for e in errors
    )


def _definitions() -> list[Any]:
    found: list[Any] = [case[1] for case in CASES] + copy.deepcopy(_SEEDS)
    if CONFORMANCE.is_file():
        found += [
            json.loads(line)["definition"]
            for line in CONFORMANCE.read_text(encoding="utf-8").splitlines()
            if line
        ]
    rnd = random.Random(7)
    pool = list(found)
    found += [_mutate(rnd, copy.deepcopy(rnd.choice(pool))) for _ in range(1500)]
    return found


def test_compiled_validator_matches_jsonschema() -> None:
    for definition in _definitions():
        assert _key(schema_errors(definition)) == _key(schema_errors(definition, engine="jsonschema")), (
            definition
        )


def run(schema: Any, instance: Any) -> list[str]:
    found: list[SchemaError] = []
    compile_schema(schema)(instance, (), found)
    return [e.keyword for e in found]


@pytest.mark.parametrize(
    ("schema", "instance", "keywords"),
    [
        ({"type": "integer"}, 3.0, []),
        ({"type": "integer"}, True, ["type"]),
        ({"type": "number"}, False, ["type"]),
        ({"type": ["string", "null"]}, None, []),
        ({"enum": [1, "a"]}, True, ["enum"]),
        ({"const": 1}, 1.0, []),
        ({"const": {"a": [1]}}, {"a": [1]}, []),
        ({"minimum": 1}, "text", []),
        ({"required": ["a", "b"]}, {}, ["required", "required"]),
        ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"a": 1, "b": 2}, ["oneOf"]),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 1, ["anyOf"]),
        ({"not": {}}, 1, ["not"]),
        (
            {"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
            {},
            ["required"],
        ),
        ({"propertyNames": {"maxLength": 2}}, {"abc": 1}, ["maxLength"]),
        ({"$defs": {"s": {"type": "string"}}, "items": {"$ref": "#/$defs/s"}}, ["a", 1], ["type"]),
        (False, 1, ["false"]),
    ],
)
def test_keywords(schema: Any, instance: Any, keywords: list[str]) -> None:
    assert run(schema, instance) == keywords


@pytest.mark.parametrize(
    "schema", [{"patternProperties": {}}, {"uniqueItems": True}, {"$ref": "other.json"}, {"type": "decimal"}]
)
def test_unsupported_keywords_are_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchema):
        compile_schema(schema)
