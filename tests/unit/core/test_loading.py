"""Loading definitions: malformed JSON, every problem with its pointer and line, compiled once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl import DefinitionError, StateMachine


def problems_of(definition: Any) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as info:
        StateMachine(definition)
    return [(p.pointer, p.message) for p in info.value.problems]


def test_malformed_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "StartAt": "A",\n  "States": {,}\n}\n')
    with pytest.raises(DefinitionError) as info:
        StateMachine.from_file(path)
    problem = info.value.problems[0]
    assert (problem.line, problem.column) == (3, 14)
    assert str(path) in str(info.value)
    assert "malformed JSON" in str(info.value)


def test_every_problem_is_listed_with_pointer_and_line(tmp_path: Path) -> None:
    definition = {
        "StartAt": "Missing",
        "States": {
            "A": {"Type": "Pass", "Next": "Nowhere"},
            "B": {"Type": "Pass", "Nxet": "A", "End": True},
            "C": {"Type": "Wait", "Seconds": "ten", "End": True},
            "D": {"Type": "Task", "Resource": "not-an-arn", "End": True},
            "E": {"Type": "Pass"},
        },
    }
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(definition, indent=2))
    with pytest.raises(DefinitionError) as info:
        StateMachine.from_file(path)
    by_pointer = {p.pointer: p for p in info.value.problems}
    assert set(by_pointer) >= {
        "/StartAt",
        "/States/A/Next",
        "/States/B/Nxet",
        "/States/C/Seconds",
        "/States/D/Resource",
        "/States/E",
    }
    assert (by_pointer["/States/A/Next"].line, by_pointer["/States/A/Next"].column) == (6, 7)
    assert "'Nowhere' is not a state" in by_pointer["/States/A/Next"].message
    assert all(p.line is not None for p in info.value.problems)


@pytest.mark.parametrize(
    ("definition", "pointer", "fragment"),
    [
        ({"States": {"A": {"Type": "Succeed"}}}, "", "StartAt"),
        ({"StartAt": "A"}, "", "States"),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A", "End": True}}}, "/States/A", "both"),
        ({"StartAt": "A", "States": {"A": {"Type": "Nope"}}}, "/States/A/Type", "Type"),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "a.b", "End": True}}},
            "/States/A/InputPath",
            "start with '$'",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "ResultPath": "$.a[*]", "End": True}}},
            "/States/A/ResultPath",
            "reference path",
        ),
        (
            {
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "States.Nope()"}, "End": True}},
            },
            "/States/A/Parameters/x.$",
            "Nope",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "nope"}, "End": True}}},
            "/States/A/Parameters/x.$",
            "JSONPath",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Succeed", "Next": "A"}}},
            "/States/A/Next",
            "cannot have",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}},
            "/States/A/ErrorPath",
            "cannot both",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% 1 %}", "End": True}}},
            "/States/A/Output",
            "JSONata",
        ),
        (
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "InputPath": "$", "End": True}},
            },
            "/States/A/InputPath",
            "not supported in a JSONata state",
        ),
        (
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}},
            },
            "/States/A/QueryLanguage",
            "cannot use JSONPath",
        ),
        (
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "Output": "{% 1 + %}", "End": True}},
            },
            "/States/A/Output",
            "invalid JSONata",
        ),
        (
            {
                "StartAt": "A",
                "States": {
                    "A": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Catch": [{"ErrorEquals": ["States.ALL", "X"], "Next": "A"}],
                        "End": True,
                    }
                },
            },
            "/States/A/Catch/0/ErrorEquals",
            "alone",
        ),
        (
            {
                "StartAt": "A",
                "States": {
                    "A": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}],
                        "End": True,
                    }
                },
            },
            "/States/A/Retry/0/ErrorEquals",
            "last",
        ),
        (
            {
                "StartAt": "A",
                "States": {
                    "A": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Retry": [{"ErrorEquals": ["States.Custom"]}],
                        "End": True,
                    }
                },
            },
            "/States/A/Retry/0/ErrorEquals/0",
            "cannot start with 'States.'",
        ),
        (
            {
                "StartAt": "A",
                "States": {
                    "A": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}],
                        "End": True,
                    }
                },
            },
            "/States/A/Retry/0/BackoffRate",
            "at least 1.0",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"states": 1}, "End": True}}},
            "/States/A/Assign/states",
            "reserved",
        ),
    ],
)
def test_definition_errors(definition: dict[str, Any], pointer: str, fragment: str) -> None:
    found = problems_of(definition)
    assert any(p == pointer and fragment in m for p, m in found), found


def test_paths_are_compiled_once_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    import asl.paths as paths

    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "$.a[?(@.v > 1)]"}, "End": True}},
    }
    machine = StateMachine(definition)
    calls: list[str] = []
    monkeypatch.setattr(paths, "_compile", lambda text: calls.append(text))
    for _ in range(3):
        assert machine.run_sync({"a": [{"v": 1}, {"v": 2}]}).output == {"x": [{"v": 2}]}
    assert calls == []


@pytest.mark.parametrize(
    ("states", "pointer", "fragment"),
    [
        ({"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}, "/States/B", 'State "B" is not reachable'),
        (
            {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}},
            "/States",
            "ends the execution",
        ),
    ],
)
def test_the_loader_refuses_what_aws_refuses(states: dict[str, Any], pointer: str, fragment: str) -> None:
    found = problems_of({"StartAt": "A", "States": states})
    assert any(p == pointer and fragment in m for p, m in found), found
