"""The JSONPath data flow, the context object, Wait, Fail, payload limits and execution timeouts."""

from __future__ import annotations

from typing import Any

import pytest

from asl import StateMachine, VirtualClock


def one(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "S",
        "States": {"S": {**state, "End": True} if state["Type"] not in ("Fail", "Succeed") else state},
    }


def run(state: dict[str, Any], input: Any, **kwargs: Any) -> Any:
    return StateMachine(one(state), **kwargs).run_sync(input)


@pytest.mark.parametrize(
    ("state", "input", "output"),
    [
        ({"Type": "Pass"}, {"a": 1}, {"a": 1}),
        ({"Type": "Pass", "InputPath": "$.a"}, {"a": {"b": 1}}, {"b": 1}),
        ({"Type": "Pass", "InputPath": None}, {"a": 1}, {}),
        ({"Type": "Pass", "OutputPath": None}, {"a": 1}, {}),
        ({"Type": "Pass", "Result": {"r": 1}}, {"a": 1}, {"r": 1}),
        ({"Type": "Pass", "Result": {"r": 1}, "ResultPath": None}, {"a": 1}, {"a": 1}),
        ({"Type": "Pass", "Result": 5, "ResultPath": "$.x.y.z"}, {"a": 1}, {"a": 1, "x": {"y": {"z": 5}}}),
        ({"Type": "Pass", "Result": 5, "ResultPath": "$.a"}, {"a": 1}, {"a": 5}),
        ({"Type": "Pass", "Result": 5, "ResultPath": "$"}, {"a": 1}, 5),
        ({"Type": "Pass", "Result": 5, "ResultPath": "$.l[1]"}, {"l": [0, 0]}, {"l": [0, 5]}),
        ({"Type": "Pass", "Parameters": {"x.$": "$.a", "k": "lit"}}, {"a": [1]}, {"x": [1], "k": "lit"}),
        ({"Type": "Pass", "Parameters": {"n": {"deep.$": "$.a"}}}, {"a": 2}, {"n": {"deep": 2}}),
        ({"Type": "Pass", "Parameters": {"all.$": "$.l[*].v"}}, {"l": [{"v": 1}, {"v": 2}]}, {"all": [1, 2]}),
        (
            {"Type": "Pass", "Parameters": {"f.$": "States.Format('{}-{}', $.a, $.b)"}},
            {"a": 1, "b": "x"},
            {"f": "1-x"},
        ),
        ({"Type": "Pass", "Parameters": {"s.$": "$$.State.Name"}}, {}, {"s": "S"}),
        (
            {"Type": "Pass", "Parameters": {"i.$": "$$.Execution.Input"}, "OutputPath": "$.i"},
            {"q": 1},
            {"q": 1},
        ),
        (
            {"Type": "Pass", "Result": {"a": {"b": 3}}, "ResultPath": "$.r", "OutputPath": "$.r.a"},
            {},
            {"b": 3},
        ),
    ],
)
def test_data_flow(state: dict[str, Any], input: Any, output: Any) -> None:
    result = run(state, input)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == output


def test_input_is_never_mutated() -> None:
    data = {"a": {"b": 1}}
    run({"Type": "Pass", "Result": 2, "ResultPath": "$.a.c"}, data)
    assert data == {"a": {"b": 1}}


@pytest.mark.parametrize(
    ("state", "input", "error", "cause_part"),
    [
        ({"Type": "Pass", "InputPath": "$.nope"}, {}, "States.Runtime", "Invalid path '$.nope'"),
        ({"Type": "Pass", "OutputPath": "$.nope"}, {}, "States.Runtime", "Invalid path '$.nope'"),
        (
            {"Type": "Pass", "Parameters": {"v.$": "$.nope"}},
            {"a": 1},
            "States.Runtime",
            "The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input '{\"a\":1}'",
        ),
        (
            {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b"},
            {"a": "text"},
            "States.ResultPathMatchFailure",
            "Unable to apply ReferencePath $.a.b",
        ),
        (
            {"Type": "Pass", "Parameters": {"v.$": "States.ArrayGetItem($.l, 5)"}},
            {"l": [1]},
            "States.Runtime",
            "Invalid arguments in States.ArrayGetItem",
        ),
        (
            {"Type": "Wait", "SecondsPath": "$.s"},
            {},
            "States.Runtime",
            "The SecondsPath parameter does not reference an input value: $.s",
        ),
        ({"Type": "Wait", "TimestampPath": "$.t"}, {"t": "yesterday"}, "States.Runtime", "ISO-8601"),
    ],
)
def test_runtime_failures(state: dict[str, Any], input: Any, error: str, cause_part: str) -> None:
    result = run(state, input)
    assert (result.status, result.error) == ("FAILED", error)
    assert result.cause.startswith(
        "An error occurred while executing the state 'S' (entered at the event id #2)."
    )
    assert cause_part in result.cause


def test_fail_state_paths_and_intrinsics() -> None:
    state = {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('bad {}', $.c)"}
    result = run(state, {"e": "MyError", "c": 42})
    assert (result.error, result.cause) == ("MyError", "bad 42")
    assert result.event_types == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]


def test_wait_advances_the_virtual_clock() -> None:
    clock = VirtualClock(start=1_700_000_000)
    definition = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 90, "Next": "U"},
            "U": {"Type": "Wait", "Timestamp": "2023-11-14T22:20:00Z", "Next": "P"},
            "P": {"Type": "Pass", "Parameters": {"t.$": "$$.State.EnteredTime"}, "End": True},
        },
    }
    result = StateMachine(definition).run_sync({}, clock=clock)
    assert clock.sleeps[0] == 90
    assert result.output == {"t": "2023-11-14T22:20:00.000Z"}
    stamps = [e["timestamp"] for e in result.history]
    assert stamps == sorted(stamps)


def test_context_object_shape() -> None:
    definition = one({"Type": "Pass", "Parameters": {"c.$": "$$"}})
    result = StateMachine(definition, name="Orders", region="eu-west-1", account="111122223333").run_sync(
        {"x": 1}, execution_name="run-1"
    )
    ctx = result.output["c"]
    assert ctx["Execution"]["Id"] == "arn:aws:states:eu-west-1:111122223333:execution:Orders:run-1"
    assert ctx["Execution"]["Name"] == "run-1"
    assert ctx["Execution"]["Input"] == {"x": 1}
    assert ctx["Execution"]["RedriveCount"] == 0
    assert ctx["Execution"]["RoleArn"].startswith("arn:aws:iam::111122223333:")
    assert ctx["StateMachine"] == {
        "Id": "arn:aws:states:eu-west-1:111122223333:stateMachine:Orders",
        "Name": "Orders",
    }
    assert set(ctx["State"]) == {"Name", "EnteredTime"}


def test_payload_limit() -> None:
    big = {"blob": "x" * 300_000}
    result = run({"Type": "Pass", "Result": big}, {})
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert run({"Type": "Pass", "Result": big}, {}, payload_limit=0).status == "SUCCEEDED"


def test_execution_timeout_on_the_virtual_clock() -> None:
    definition = {
        "TimeoutSeconds": 30,
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    result = StateMachine(definition).run_sync({})
    assert (result.status, result.error) == ("TIMED_OUT", "States.Timeout")
    assert result.event_types == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]


def test_history_event_shape() -> None:
    result = run({"Type": "Pass", "Result": {"r": 1}}, {"a": 1})
    events = result.history
    assert [e["id"] for e in events] == [1, 2, 3, 4]
    assert [e["previousEventId"] for e in events] == [0, 1, 2, 3]
    assert events[0]["executionStartedEventDetails"]["input"] == '{"a":1}'
    assert events[0]["executionStartedEventDetails"]["inputDetails"] == {"truncated": False}
    assert events[1]["stateEnteredEventDetails"] == {
        "name": "S",
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
    }
    assert events[2]["stateExitedEventDetails"] == {
        "name": "S",
        "output": '{"r":1}',
        "outputDetails": {"truncated": False},
    }
    assert events[3]["executionSucceededEventDetails"]["output"] == '{"r":1}'
    assert all(e["timestamp"].endswith("+00:00") for e in events)


def test_choice_loop_without_recursion() -> None:
    definition = {
        "StartAt": "Inc",
        "States": {
            "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericLessThan": 3000, "Next": "Inc"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    result = StateMachine(definition).run_sync({"i": 0})
    assert result.output == {"i": 3000}
    assert result.transitions == 6001


def test_no_choice_matched() -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "D"}]},
            "D": {"Type": "Succeed"},
        },
    }
    result = StateMachine(definition).run_sync({})
    # AWS: States.Runtime, not States.NoChoiceMatched (see asl.states.choice)
    assert result.error == "States.Runtime"
