"""Reading histories as steps, normalising chance values, and finding the first divergence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl.replay import Step, normalise, observe
from asl.replay.compare import MISSING, canonical, compare_steps, value_diff


def event(id_: int, type_: str, previous: int | None = None, **details: Any) -> dict[str, Any]:
    key = (
        "stateEnteredEventDetails"
        if type_.endswith("StateEntered")
        else "stateExitedEventDetails"
        if type_.endswith("StateExited")
        else type_[0].lower() + type_[1:] + "EventDetails"
    )
    found: dict[str, Any] = {
        "id": id_,
        "type": type_,
        "previousEventId": id_ - 1 if previous is None else previous,
    }
    if details:
        found[key] = {
            k: json.dumps(v) if k in ("input", "output", "parameters") else v for k, v in details.items()
        }
    return found


def test_aws_interleaved_iterations_are_attributed_by_the_event_chain() -> None:
    """Two Map iterations of `Send` run at once; each result follows its own previousEventId chain."""
    events = [
        event(1, "ExecutionStarted", input={"items": [1, 2]}),
        event(2, "MapStateEntered", name="Notify", input={"items": [1, 2]}),
        event(3, "MapStateStarted"),
        event(4, "MapIterationStarted", 3),
        event(5, "MapIterationStarted", 3),
        event(6, "TaskStateEntered", 4, name="Send", input=1),
        event(7, "TaskStateEntered", 5, name="Send", input=2),
        event(8, "TaskScheduled", 7, parameters={"n": 2}),
        event(9, "TaskScheduled", 6, parameters={"n": 1}),
        event(10, "TaskFailed", 9, error="Busy", cause="later"),
        event(11, "TaskSucceeded", 8, output="m-2"),
        event(12, "TaskStateExited", 11, name="Send", output="m-2"),
        event(13, "TaskScheduled", 10, parameters={"n": 1}),
        event(14, "TaskSucceeded", 13, output="m-1"),
        event(15, "TaskStateExited", 14, name="Send", output="m-1"),
        event(16, "MapStateExited", 15, name="Notify", output=["m-1", "m-2"]),
        event(17, "ExecutionSucceeded", output=["m-1", "m-2"]),
    ]
    seen = observe(events)
    assert seen.input == {"items": [1, 2]}
    assert seen.path == ["Notify", "Send", "Send"]
    first, second = seen.steps[1], seen.steps[2]
    assert (first.input, first.output, first.retries) == (1, "m-1", 1)
    assert (second.input, second.output, second.retries) == (2, "m-2", 0)
    answers = seen.answers["Send"]
    assert [(a.returns, a.value or a.error, a.request) for a in answers] == [
        (False, "Busy", {"n": 1}),
        (True, "m-2", {"n": 2}),
        (True, "m-1", {"n": 1}),
    ]
    assert seen.result == {"status": "SUCCEEDED", "output": ["m-1", "m-2"]}


def test_payloads_that_are_not_json_stay_strings() -> None:
    seen = observe(
        [
            {"id": 1, "type": "ExecutionStarted", "executionStartedEventDetails": {"input": "{not json"}},
            {"id": 2, "type": "ExecutionFailed", "executionFailedEventDetails": {"error": "E"}},
        ]
    )
    assert seen.input == "{not json"
    assert seen.result == {"status": "FAILED", "error": "E", "cause": None}


@pytest.mark.parametrize(
    ("value", "timestamps", "expected"),
    [
        ("token 0f8fad5b-d9cb-469f-a165-70867728950e", False, "token <uuid>"),
        ({"at": "2024-05-01T10:00:00.123Z"}, False, {"at": "2024-05-01T10:00:00.123Z"}),
        ({"at": ["2024-05-01T10:00:00.123+00:00"]}, True, {"at": ["<timestamp>"]}),
        (
            json.dumps(
                {
                    "errorMessage": "x",
                    "requestId": "0f8fad5b-d9cb-469f-a165-70867728950e",
                    "stackTrace": ["a"],
                }
            ),
            False,
            json.dumps({"errorMessage": "x", "requestId": "<uuid>", "stackTrace": "<stack trace>"}),
        ),
        (12, True, 12),
    ],
)
def test_normalise(value: Any, timestamps: bool, expected: Any) -> None:
    assert normalise(value, timestamps=timestamps) == expected


@pytest.mark.parametrize(
    ("expected", "got", "found"),
    [
        ({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}, ("$.a[1].b", 2, 3)),
        ({"a": 1}, {"a": 1, "odd key": 2}, ('$["odd key"]', MISSING, 2)),
        ([1, 2], [1], ("$[1]", 2, MISSING)),
        ({"a": True}, {"a": 1}, ("$.a", True, 1)),
        ({"a": 1}, {"a": 1.0}, None),
        ("x", "x", None),
    ],
)
def test_value_diff_finds_the_first_difference(expected: Any, got: Any, found: Any) -> None:
    assert value_diff(expected, got) == found


def test_nested_steps_are_compared_independent_of_interleaving() -> None:
    top = frozenset({"Map", "After"})
    one = [
        Step("Map", "Map", 0),
        Step("A", "Pass", 2),
        Step("A", "Pass", 1),
        Step("B", "Pass", 1),
        Step("After", "Pass"),
    ]
    two = [
        Step("Map", "Map", 0),
        Step("A", "Pass", 1),
        Step("B", "Pass", 1),
        Step("A", "Pass", 2),
        Step("After", "Pass"),
    ]
    assert [s.input for s in canonical(one, top)] == [0, 1, 2, 1, None]
    assert compare_steps(one, two, top) is None
    shorter = two[:-1]
    found = compare_steps(one, shorter, top)
    assert found is not None
    assert (found.state, found.field, found.expected, found.got) == ("After", "path", "After", MISSING)
    assert "got the end of the execution" in found.describe()


def test_a_map_output_is_compared_after_the_steps_inside_it() -> None:
    top = frozenset({"Map"})
    want = [Step("Map", "Map", [1], [2], True), Step("Inc", "Pass", 1, 2, True)]
    have = [Step("Map", "Map", [1], [3], True), Step("Inc", "Pass", 1, 3, True)]
    found = compare_steps(want, have, top)
    assert found is not None
    assert (found.state, found.field) == ("Inc", "output")
