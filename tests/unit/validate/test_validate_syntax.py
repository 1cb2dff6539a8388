"""Intrinsic calls, JSONata and variables; and definitions AWS accepts that must stay free of errors."""

from __future__ import annotations

from typing import Any

import pytest

from asl.validate import validate


def _intrinsics() -> Any:
    module = pytest.importorskip("asl.intrinsics")
    if not hasattr(module, "compile_intrinsic"):
        pytest.skip("asl.intrinsics is not complete yet")
    return module


def pass_with(parameters: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": parameters, "End": True}}}


@pytest.mark.parametrize(
    "call",
    [
        "States.Nope(1)",
        "States.Format('{}')",
        "States.MathAdd('1', 2)",
        "States.Array(1, 2",
        "States.StringToJson()",
    ],
)
def test_invalid_intrinsic_calls(call: str) -> None:
    _intrinsics()
    found = validate(pass_with({"x.$": call}))
    assert [(d.code, d.pointer) for d in found] == [("INVALID_INTRINSIC", "/States/A/Parameters/x.$")]


def test_intrinsic_in_error_path() -> None:
    _intrinsics()
    definition = {"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "States.Format(1)"}}}
    assert [d.code for d in validate(definition)] == ["INVALID_INTRINSIC"]


def test_variables_read_in_intrinsics_must_be_assigned() -> None:
    _intrinsics()
    found = validate(pass_with({"x.$": "States.Format('{} {}', $greeting, $.name)"}))
    assert [(d.code, d.pointer) for d in found] == [("UNASSIGNED_VARIABLE", "/States/A/Parameters/x.$")]
    assert "$greeting" in found[0].message


def test_jsonata_local_bindings_and_functions_are_not_workflow_variables() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "Output": "{% ($n := $count($states.input.items); $map([1, 2], function($v) { $v * $n })) %}",
                "Assign": {"id": "{% $uuid() %}", "part": "{% $partition([1, 2, 3], 2) %}"},
                "End": True,
            }
        },
    }
    assert validate(definition) == []


def test_assigned_variables_may_be_read_anywhere() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"limit": 3, "who.$": "$.user"}, "Next": "B"},
            "B": {
                "Type": "Choice",
                "Choices": [{"Variable": "$limit", "NumericGreaterThan": 1, "Next": "C"}],
                "Default": "C",
            },
            "C": {"Type": "Pass", "Parameters": {"u.$": "$who.name"}, "End": True},
        },
    }
    assert validate(definition) == []


ACCEPTED = {
    "distributed map over S3 with a result writer": {
        "StartAt": "Process",
        "States": {
            "Process": {
                "Type": "Map",
                "Label": "Process",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 100},
                    "Parameters": {"Bucket.$": "$.bucket", "Key": "data.csv"},
                },
                "ItemBatcher": {"MaxItemsPerBatch": 10, "BatchInput": {"run.$": "$$.Execution.Id"}},
                "ItemSelector": {"row.$": "$$.Map.Item.Value"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "Work",
                    "States": {
                        "Work": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "OutputPath": "$.Payload",
                            "End": True,
                        }
                    },
                },
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "out", "Prefix": "runs"},
                },
                "ToleratedFailurePercentage": 5,
                "MaxConcurrency": 1000,
                "End": True,
            }
        },
    },
    "JSONata machine with every kind of expression": {
        "QueryLanguage": "JSONata",
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "Decide"},
            "Decide": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.n > 1 %}", "Next": "Call", "Assign": {"big": True}}
                ],
                "Default": "Done",
                "Output": {"n": "{% $states.input.n %}"},
            },
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "Arguments": {"TableName": "t", "Key": {"id": {"S": "{% $string($states.input.n) %}"}}},
                "TimeoutSeconds": "{% 30 %}",
                "Retry": [
                    {
                        "ErrorEquals": ["States.TaskFailed"],
                        "MaxAttempts": 2,
                        "BackoffRate": 1.5,
                        "JitterStrategy": "FULL",
                    }
                ],
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "Failed"}
                ],
                "Assign": {"item": "{% $states.result.Item %}"},
                "Next": "Each",
            },
            "Each": {
                "Type": "Map",
                "Items": "{% $item.list %}",
                "MaxConcurrency": "{% $big ? 2 : 1 %}",
                "ItemProcessor": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}},
                "Next": "Done",
            },
            "Failed": {"Type": "Fail", "Error": "{% 'Oops' %}", "Cause": "{% $string($states.input) %}"},
            "Done": {"Type": "Succeed", "Output": "{% $states.input %}"},
        },
    },
    "JSONPath machine with callbacks, nested executions and activities": {
        "Comment": "classic",
        "TimeoutSeconds": 3600,
        "Version": "1.0",
        "StartAt": "Callback",
        "States": {
            "Callback": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "https://sqs", "MessageBody": {"token.$": "$$.Task.Token"}},
                "HeartbeatSeconds": 60,
                "ResultSelector": {"ok.$": "$.ok"},
                "ResultPath": "$.callback",
                "Next": "Child",
            },
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {
                    "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child",
                    "Input.$": "$",
                },
                "Next": "Activity",
            },
            "Activity": {
                "Type": "Task",
                "Resource": "arn:aws:states:us-east-1:123456789012:activity:review",
                "TimeoutSecondsPath": "$.timeout",
                "Next": "Fan",
            },
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "L",
                        "States": {
                            "L": {
                                "Type": "Task",
                                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f:prod",
                                "End": True,
                            }
                        },
                    },
                    {
                        "StartAt": "W",
                        "States": {
                            "W": {"Type": "Wait", "Timestamp": "2024-05-01T10:00:00.5+02:00", "End": True}
                        },
                    },
                ],
                "ResultPath": None,
                "Next": "Old map",
            },
            "Old map": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "Parameters": {"item.$": "$$.Map.Item.Value"},
                "Iterator": {
                    "StartAt": "Job",
                    "States": {
                        "Job": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::batch:submitJob.sync",
                            "Parameters": {},
                            "End": True,
                        }
                    },
                },
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Choices": [
                    {"Not": {"Variable": "$.status", "StringMatches": "ok*"}, "Next": "Fail"},
                    {
                        "Or": [
                            {"Variable": "$.n", "NumericLessThanPath": "$.max"},
                            {"Variable": "$.t", "TimestampGreaterThan": "2024-01-01T00:00:00Z"},
                        ],
                        "Next": "Done",
                    },
                ],
                "Default": "Done",
            },
            "Fail": {"Type": "Fail", "ErrorPath": "$.error", "CausePath": "$.cause"},
            "Done": {"Type": "Pass", "End": True},
        },
    },
}


@pytest.mark.parametrize("definition", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_definitions_aws_accepts_have_no_errors(definition: dict[str, Any]) -> None:
    errors = [d for d in validate(definition) if d.is_error]
    assert errors == []
