"""JSONata states, Step Functions' JSONata functions, EvaluationFailed, and variables in both languages."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from asl import StateMachine, TaskFailed, TaskRegistry
from asl.resources import TaskContext


def jsonata_pass(output: Any, input: Any = None, **extra: Any) -> Any:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "S",
        "States": {"S": {"Type": "Pass", "Output": output, "End": True, **extra}},
    }
    return StateMachine(definition).run_sync(input if input is not None else {})


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{% $partition([1,2,3,4,5], 2) %}", [[1, 2], [3, 4], [5]]),
        ("{% $range(0, 10, 5) %}", [0, 5, 10]),
        ("{% $range(5, 1, -2) %}", [5, 3, 1]),
        ("{% $hash('input data', 'SHA-256') %}", hashlib.sha256(b"input data").hexdigest()),
        ("{% $parse('{\"a\": [1, null]}') %}", {"a": [1, None]}),
        ("{% $random(42) = $random(42) %}", True),
        ("{% $random() >= 0 and $random() < 1 %}", True),
        ("{% $length($uuid()) %}", 36),
        ("{% $sum($states.input.n) %}", 6),
        ("{% {'nested': [$states.input.n[0], null]} %}", {"nested": [1, None]}),
    ],
)
def test_step_functions_jsonata_functions(expression: str, expected: Any) -> None:
    result = jsonata_pass(expression, {"n": [1, 2, 3]})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == expected


def test_expressions_nested_anywhere() -> None:
    result = jsonata_pass(
        {"a": ["{% 1 + 1 %}", {"b": "{% $states.input.x %}"}], "lit": "{not an expr}"}, {"x": "y"}
    )
    assert result.output == {"a": [2, {"b": "y"}], "lit": "{not an expr}"}


def test_eval_is_not_available() -> None:
    result = jsonata_pass("{% $eval('1 + 1') %}")
    assert result.error == "States.QueryEvaluationError"


def test_undefined_result_fails_with_evaluation_failed_event() -> None:
    result = jsonata_pass({"x": "{% $states.input.missing %}"})
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert result.event_types == [
        "ExecutionStarted",
        "PassStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]
    details = result.history[2]["evaluationFailedEventDetails"]
    assert details["error"] == "States.QueryEvaluationError"
    assert details["state"] == "S"
    assert details["location"] == "Output/x"
    assert details["cause"] == result.cause
    assert "'$states.input.missing'" in result.cause
    assert "Output/x" in result.cause


def test_states_context_and_choice_condition() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.n > 2 %}", "Next": "Big", "Output": {"size": "big"}}
                ],
                "Default": "Small",
            },
            "Big": {
                "Type": "Pass",
                "Output": {"s": "{% $states.input.size %}", "state": "{% $states.context.State.Name %}"},
                "End": True,
            },
            "Small": {"Type": "Succeed"},
        },
    }
    assert StateMachine(definition).run_sync({"n": 3}).output == {"s": "big", "state": "Big"}
    assert StateMachine(definition).run_sync({"n": 1}).output == {"n": 1}


def test_condition_must_be_boolean() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% 'yes' %}", "Next": "D"}], "Default": "D"},
            "D": {"Type": "Succeed"},
        },
    }
    assert StateMachine(definition).run_sync({}).error == "States.QueryEvaluationError"


def test_task_arguments_result_and_error_output() -> None:
    arn = "arn:aws:states:::lambda:invoke"
    calls: list[Any] = []

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        calls.append(payload)
        if payload.get("fail"):
            raise TaskFailed("Nope", "bad input")
        return {"double": payload["n"] * 2}

    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": arn,
                "Arguments": {"n": "{% $states.input.n %}", "fail": "{% $states.input.fail %}"},
                "Output": {"result": "{% $states.result.double %}"},
                "Assign": {"seen": "{% $states.result.double %}"},
                "Catch": [
                    {
                        "ErrorEquals": ["Nope"],
                        "Next": "Recover",
                        "Output": "{% $states.errorOutput %}",
                        "Assign": {"why": "{% $states.errorOutput.Cause %}"},
                    }
                ],
                "Next": "Report",
            },
            "Report": {
                "Type": "Pass",
                "Output": {"out": "{% $states.input %}", "seen": "{% $seen %}"},
                "End": True,
            },
            "Recover": {
                "Type": "Pass",
                "Output": {"err": "{% $states.input.Error %}", "why": "{% $why %}"},
                "End": True,
            },
        },
    }
    registry = TaskRegistry()
    registry.register(arn, handler)
    machine = StateMachine(definition, registry=registry)
    assert machine.run_sync({"n": 4, "fail": False}).output == {"out": {"result": 8}, "seen": 8}
    assert machine.run_sync({"n": 4, "fail": True}).output == {"err": "Nope", "why": "bad input"}
    assert calls[0] == {"n": 4, "fail": False}


def test_assignments_see_values_from_state_entry() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"a": 1, "b": 2}, "Next": "Swap"},
            "Swap": {
                "Type": "Pass",
                "Assign": {"a": "{% $b %}", "b": "{% $a %}"},
                "Output": {"a": "{% $a %}"},
                "Next": "Show",
            },
            "Show": {
                "Type": "Pass",
                "Output": {"a": "{% $a %}", "b": "{% $b %}", "prev": "{% $states.input.a %}"},
                "End": True,
            },
        },
    }
    result = StateMachine(definition).run_sync({})
    assert result.output == {"a": 2, "b": 1, "prev": 1}
    exited = [e for e in result.history if e["type"] == "PassStateExited"][1]["stateExitedEventDetails"]
    assert exited["assignedVariables"] == {"a": "2", "b": "1"}
    assert exited["assignedVariablesDetails"] == {"truncated": False}


def test_jsonpath_assign_and_variable_paths() -> None:
    definition = {
        "StartAt": "Set",
        "States": {
            "Set": {
                "Type": "Pass",
                "Result": {"user": {"id": 7, "tags": ["a", "b"]}},
                "Assign": {"user.$": "$.user", "const": "$not-a-path"},
                "Next": "Use",
            },
            "Use": {
                "Type": "Pass",
                "Parameters": {
                    "id.$": "$user.id",
                    "tag.$": "$user.tags[1]",
                    "msg.$": "States.Format('{}:{}', $user.id, $const)",
                },
                "End": True,
            },
        },
    }
    assert StateMachine(definition).run_sync({}).output == {"id": 7, "tag": "b", "msg": "7:$not-a-path"}


def test_map_and_parallel_read_outer_variables_but_cannot_leak_assignments() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"factor": 10, "inner": "outer"}, "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": "{% [1, 2] %}",
                "ItemProcessor": {
                    "StartAt": "Mul",
                    "States": {
                        "Mul": {
                            "Type": "Pass",
                            "Assign": {"inner": "changed"},
                            "Output": "{% $states.input * $factor %}",
                            "Next": "Read",
                        },
                        "Read": {
                            "Type": "Pass",
                            "Output": {"v": "{% $states.input %}", "inner": "{% $inner %}"},
                            "End": True,
                        },
                    },
                },
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Output": {"items": "{% $states.input %}", "inner": "{% $inner %}"},
                "End": True,
            },
        },
    }
    result = StateMachine(definition).run_sync({})
    assert result.output == {
        "items": [{"v": 10, "inner": "changed"}, {"v": 20, "inner": "changed"}],
        "inner": "outer",
    }


def test_distributed_map_children_cannot_read_outer_variables() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"secret": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": "{% [1] %}",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Read",
                    "States": {"Read": {"Type": "Pass", "Output": "{% $secret %}", "End": True}},
                },
                "End": True,
            },
        },
    }
    result = StateMachine(definition).run_sync({})
    assert result.error == "States.QueryEvaluationError"
    assert "MapRunStarted" in result.event_types


def test_choice_rule_assign_and_default_assign() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.go %}", "Next": "D", "Assign": {"path": "rule"}}],
                "Default": "D",
                "Assign": {"path": "default"},
            },
            "D": {"Type": "Pass", "Output": "{% $path %}", "End": True},
        },
    }
    machine = StateMachine(definition)
    assert machine.run_sync({"go": True}).output == "rule"
    assert machine.run_sync({"go": False}).output == "default"


def test_variable_size_limit() -> None:
    big = "x" * (256 * 1024 + 10)
    definition = {"StartAt": "S", "States": {"S": {"Type": "Pass", "Assign": {"v.$": "$.big"}, "End": True}}}
    result = StateMachine(definition, payload_limit=0).run_sync({"big": big})
    assert result.status == "SUCCEEDED"
    result = StateMachine(definition, payload_limit=600 * 1024).run_sync({"big": big})
    assert result.error == "States.DataLimitExceeded"


def test_wait_and_fail_with_jsonata() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "F"},
            "F": {"Type": "Fail", "Error": "{% 'E' & $string($states.input.s) %}", "Cause": "{% 'waited' %}"},
        },
    }
    result = StateMachine(definition).run_sync({"s": 5})
    assert (result.error, result.cause) == ("E5", "waited")


def test_variables_total_limit() -> None:
    chunk = "x" * (200 * 1024)
    states = {
        f"S{i}": {"Type": "Pass", "Assign": {f"v{i}.$": "$.chunk"}, "Next": f"S{i + 1}"} for i in range(60)
    }
    states["S60"] = {"Type": "Succeed"}
    definition = {"StartAt": "S0", "States": states}
    result = StateMachine(definition, payload_limit=300 * 1024).run_sync({"chunk": chunk})
    assert result.error == "States.DataLimitExceeded"
    assert "at most 10485760 bytes of variables" in result.cause
    assert result.failed_state == "S51"
