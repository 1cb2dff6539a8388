"""JSON as AWS reads it: NaN, Infinity, overlong numbers and deep nesting are refused with a message.

RFC 8259, section 6: "Numeric values that cannot be represented in the grammar below (such as Infinity
and NaN) are not permitted." AWS parses definitions, inputs, States.StringToJson and $parse with a
strict parser, so each of these fails there; here each gives a clear error, never a Python exception.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl import DefinitionError, InputError, StateMachine
from asl.jsonvalue import MAX_DEPTH, JsonValueError, check_input, json_type, loads, value_problem
from cli.main import cli

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        ('{"a": NaN}', "NaN is not valid JSON", (1, 7)),
        ("[1,\n -Infinity]", "-Infinity is not valid JSON", (2, 2)),
        ('{"a": Infinity}', "Infinity is not valid JSON", (1, 7)),
        ('{"x": 1e400}', "1e400 is too large for a double", (1, 7)),
        ('{"a": ' + "9" * 4301 + "}", "more than 4300 digits", (1, 7)),
        (
            "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
            f"more than {MAX_DEPTH} levels deep",
            (1, MAX_DEPTH + 1),
        ),
    ],
    ids=["nan", "minus-infinity", "infinity", "overflow", "long-int", "deep"],
)
def test_strict_loads_refuses_what_is_not_json(text: str, message: str, where: tuple[int, int]) -> None:
    with pytest.raises(JsonValueError) as info:
        loads(text)
    assert message in str(info.value)
    assert (info.value.line, info.value.column) == where


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"x": "NaN", "y": "Infinity"}', {"x": "NaN", "y": "Infinity"}),
        ("1.5e308", 1.5e308),
        ("9" * 4300, 10**4300 - 1),
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)),
        ('["[[[[", "{{{{"]', ["[[[[", "{{{{"]),
    ],
    ids=["strings", "large-double", "long-int", "deepest", "brackets-in-strings"],
)
def test_strict_loads_keeps_what_is_json(text: str, value: Any) -> None:
    assert loads(text) == value


def _nested(levels: int) -> Any:
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": [1, float("nan")]}, "nan at /a/1 is not a JSON number"),
        ({"a": float("inf")}, "inf at /a is not a JSON number"),
        ({1: 2}, "has the key 1, but JSON keys are strings"),
        ({"a": (1, 2)}, "the value at /a is a Python tuple"),
        (10**4301, "more than 4300 digits"),
        (_nested(MAX_DEPTH + 1), f"more than {MAX_DEPTH} levels deep"),
    ],
    ids=["nan", "infinity", "int-key", "tuple", "huge-int", "deep"],
)
def test_python_values_that_are_not_json_are_named(value: Any, expected: str) -> None:
    problem = value_problem(value)
    assert problem is not None
    assert expected in problem
    with pytest.raises(InputError, match="the execution input is not valid JSON"):
        check_input(value)


@pytest.mark.parametrize(
    "value",
    [{"a": [1, 2.5, None, True, "x"]}, _nested(MAX_DEPTH), 10**4299, []],
    ids=["mixed", "deep", "long", "empty"],
)
def test_python_values_that_are_json_pass(value: Any) -> None:
    assert value_problem(value) is None


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("a", "string"),
        (1, "number"),
        (1.5, "number"),
        (True, "boolean"),
        (None, "null"),
        ([], "array"),
        ({}, "object"),
    ],
)
def test_json_type_names_json_types_not_python_ones(value: Any, name: str) -> None:
    assert json_type(value) == name


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_definitions_with_non_json_numbers_are_refused_by_run_and_validate(
    tmp_path: Path, literal: str
) -> None:
    path = tmp_path / "wf.json"
    text = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": LITERAL, "End": true}}}'
    path.write_text(text.replace("LITERAL", literal))
    with pytest.raises(DefinitionError) as info:
        StateMachine.from_file(path)
    assert info.value.problems[0].code == "INVALID_JSON_DESCRIPTION"
    assert info.value.problems[0].line == 1
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "INVALID_JSON_DESCRIPTION" in result.output


@pytest.mark.parametrize(
    "text",
    ['{"a": NaN}', '{"a": Infinity}', '{"n": ' + "1" * 5000 + "}"],
    ids=["nan", "infinity", "long-int"],
)
def test_cli_input_that_is_not_json_is_a_usage_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(PASS))
    result = CliRunner().invoke(cli, ["run", str(path), "--input", text])
    assert result.exit_code == 2
    assert "is not valid JSON" in result.output
    assert "Traceback" not in result.output


def test_run_refuses_a_definition_deeper_than_the_limit_like_validate() -> None:
    deep: Any = {}
    for _ in range(3000):
        deep = {"a": deep}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": deep, "End": True}}}
    with pytest.raises(DefinitionError) as info:
        StateMachine(definition)
    assert info.value.problems[0].code == "TOO_DEEPLY_NESTED"


def test_string_to_json_of_deep_text_fails_the_intrinsic() -> None:
    """AWS reports intrinsic failures as States.Runtime (see asl.errors.IntrinsicFailure)."""
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {"v.$": "States.StringToJson($.s)"},
                "End": True,
            }
        },
    }
    result = StateMachine(definition).run_sync({"s": "[" * 1000 + "]" * 1000})
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert "levels deep" in (result.cause or "")
    result = StateMachine(definition).run_sync({"s": '{"a": NaN}'})
    assert result.error == "States.Runtime"
    assert "NaN is not valid JSON" in (result.cause or "")
