"""Causes name JSON types (string, number, boolean, null, array, object), never Python's (str, NoneType, int).

AWS's own causes, as recorded in the conformance data, read "Expected 'array', but was 'number' for
value: 1" and "... but was 'null' for value: null": JSON's type names and JSON text for the value.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from asl import StateMachine
from asl.validate import validate

#: A Python type name, or a Python repr of None, True, False or a dict.
PYTHON_NAMES = re.compile(
    r"\b(str|NoneType|int|float|dict|list|bool|tuple)\b|\bNone\b|\bTrue\b|\bFalse\b|\{'"
)


def _jsonata_choice(condition: str) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": condition, "Next": "D"}], "Default": "D"},
            "D": {"Type": "Succeed"},
        },
    }


def _fail_with(field: str, path: str) -> dict[str, Any]:
    return {"StartAt": "F", "States": {"F": {"Type": "Fail", field: path}}}


@pytest.mark.parametrize(
    ("definition", "data", "expected"),
    [
        (
            _jsonata_choice("{% $states.input.v %}"),
            {"v": "yes"},
            "Expected 'boolean', but was 'string' for value: \"yes\"",
        ),
        (
            _jsonata_choice("{% $states.input.v %}"),
            {"v": None},
            "Expected 'boolean', but was 'null' for value: null",
        ),
        (
            _jsonata_choice("{% $states.input.v %}"),
            {"v": 1},
            "Expected 'boolean', but was 'number' for value: 1",
        ),
        (_jsonata_choice("{% $states.input.v %}"), {"v": {"a": 1}}, "but was 'object' for value: {\"a\":1}"),
        (_fail_with("ErrorPath", "$.v"), {"v": None}, "must resolve to a string, but was null: null"),
        (_fail_with("CausePath", "$.v"), {"v": [True]}, "must resolve to a string, but was array: [true]"),
    ],
)
def test_runtime_causes_use_json_type_names(definition: dict[str, Any], data: Any, expected: str) -> None:
    result = StateMachine(definition).run_sync(data)
    assert result.status == "FAILED"
    assert expected in (result.cause or "")
    assert not PYTHON_NAMES.search(result.cause or "")


def test_validator_names_json_types_for_a_non_string_path_field() -> None:
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"a.$": 5, "b.$": None}, "End": True}},
    }
    messages = [d.message for d in validate(definition) if d.code == "INVALID_PAYLOAD_TEMPLATE"]
    assert any("not a number" in m for m in messages)
    assert any("not null" in m for m in messages)
    assert not any(PYTHON_NAMES.search(m) for m in messages)
