"""Choice comparison operators beyond the conformance cases: StringMatches escapes, timestamps, Path variants."""

from __future__ import annotations

from typing import Any

import pytest

from asl import DefinitionError, StateMachine


def decide(rule: dict[str, Any], input: Any) -> bool:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": True, "End": True},
            "No": {"Type": "Pass", "Result": False, "End": True},
        },
    }
    result = StateMachine(definition).run_sync(input)
    assert result.status == "SUCCEEDED", result.cause
    return bool(result.output)


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("log-*.txt", "log-2024.txt", True),
        ("log-*.txt", "log-2024.csv", False),
        ("*", "", True),
        (r"a\*b", "a*b", True),
        (r"a\*b", "axxb", False),
        (r"a\\*", "a\\anything", True),
        ("*.*", "nodot", False),
    ],
)
def test_string_matches(pattern: str, value: str, matches: bool) -> None:
    assert decide({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) is matches


@pytest.mark.parametrize(
    ("rule", "input", "expected"),
    [
        (
            {"Variable": "$.t", "TimestampLessThan": "2024-01-01T00:00:00Z"},
            {"t": "2023-12-31T23:59:59+00:00"},
            True,
        ),
        (
            {"Variable": "$.t", "TimestampEquals": "2024-01-01T01:00:00+01:00"},
            {"t": "2024-01-01T00:00:00Z"},
            True,
        ),
        ({"Variable": "$.t", "TimestampGreaterThan": "2024-01-01T00:00:00Z"}, {"t": "not a time"}, False),
        ({"Variable": "$.t", "IsTimestamp": True}, {"t": "2024-01-01T00:00:00.123Z"}, True),
        ({"Variable": "$.t", "IsTimestamp": True}, {"t": "2024-01-01"}, False),
        ({"Variable": "$.a", "NumericEqualsPath": "$.b"}, {"a": 1, "b": 1.0}, True),
        ({"Variable": "$.a", "StringLessThanEqualsPath": "$.b"}, {"a": "a", "b": "b"}, True),
        ({"Variable": "$.a", "NumericGreaterThan": 1}, {"a": "5"}, False),
        ({"Variable": "$.a", "BooleanEquals": True}, {"a": 1}, False),
        ({"Not": {"Variable": "$.a", "IsNull": True}}, {"a": 0}, True),
        (
            {"Or": [{"Variable": "$.a", "IsString": True}, {"Variable": "$.a", "IsBoolean": True}]},
            {"a": False},
            True,
        ),
        (
            {"And": [{"Variable": "$.a", "IsNumeric": True}, {"Variable": "$.a", "NumericLessThan": 0}]},
            {"a": 3},
            False,
        ),
        ({"Variable": "$missingVar", "IsPresent": False}, {}, True),
    ],
)
def test_comparisons(rule: dict[str, Any], input: Any, expected: bool) -> None:
    assert decide(rule, input) is expected


def test_missing_variable_is_a_runtime_error() -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "D"}],
                "Default": "D",
            },
            "D": {"Type": "Succeed"},
        },
    }
    result = StateMachine(definition).run_sync({})
    assert result.error == "States.Runtime"
    assert "Invalid path '$.x'" in result.cause


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.a", "NumericEquals": "one"},
        {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1},
        {"Variable": "$.a"},
        {"Variable": "$.a[", "IsNull": True},
        {"And": []},
    ],
)
def test_malformed_rules_are_definition_errors(rule: dict[str, Any]) -> None:
    definition = {
        "StartAt": "C",
        "States": {"C": {"Type": "Choice", "Choices": [{**rule, "Next": "D"}]}, "D": {"Type": "Succeed"}},
    }
    with pytest.raises(DefinitionError) as info:
        StateMachine(definition)
    assert info.value.problems[0].pointer.startswith("/States/C/Choices/0")


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        # ~34 s each with a backtracking regular expression; instant with the linear matcher
        ("*@*.*.*.com", "@" + "." * 3000),
        ("*a" * 10 + "*b", "a" * 40),
        ("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a" * 5000),
    ],
)
def test_string_matches_has_no_catastrophic_backtracking(pattern: str, value: str) -> None:
    from tests.bounded import bounded

    with bounded(5, "StringMatches"):
        assert decide({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) is False


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("a*a", "a", False),
        ("a*a", "aa", True),
        ("*", "anything at all", True),
        ("**", "", True),
        ("a**b", "ab", True),
        (r"\\", "\\", True),
        (r"\\*", "\\tail", True),
        (r"\*\*", "**", True),
        (r"\*", "x", False),
        ("x\\", "x\\", True),
        (r"\x", "x", True),
        ("*.log", "zebra.log", True),
        ("foo*.*", "foobar.zebra", True),
        ("foo*.log", "foo23.log", True),
        ("a*b*c", "abbc", True),
        ("a*b*c", "acb", False),
    ],
)
def test_string_matches_rules(pattern: str, value: str, matches: bool) -> None:
    """The ASL spec's examples (`foo*.log`, `*.log`, `foo*.*`) and its escapes: `\\*` a star, `\\\\` a backslash."""
    assert decide({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) is matches
