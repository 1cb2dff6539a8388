"""Tests that mock one path need not mock the others: unserved Task states warn, and fail only when reached.

The failure is AWS's for a resource that does not exist: `<Service>.ResourceNotFoundException` (AWS SDK
integrations name errors `ServiceName.ErrorName`: "AWS SDK service integrations", Step Functions Developer
Guide), e.g. `Lambda.ResourceNotFoundException` "Function not found: ..." as Step Functions Local reports
it; an ordinary task failure, so Retry and Catch see it.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from asl import ResourceNotFound, StateMachine, TaskRegistry
from asl.unserved import UnservedResourceWarning

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:charge"


def branching(resource: str = LAMBDA) -> dict[str, Any]:
    return {
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.paid", "BooleanEquals": True, "Next": "Ship"}],
                "Default": "Charge",
            },
            "Charge": {"Type": "Task", "Resource": resource, "Next": "Ship"},
            "Ship": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True},
        },
    }


async def shipped(payload: Any, ctx: Any) -> Any:
    return {"shipped": True}


def test_a_mock_for_one_path_runs_that_path_with_only_a_warning() -> None:
    machine = StateMachine(branching(), mocks={"Ship": shipped})
    with pytest.warns(UnservedResourceWarning, match="'Charge'") as caught:
        result = machine.run_sync({"paid": True})
    assert result.status == "SUCCEEDED"
    assert result.output == {"shipped": True}
    assert caught[0].filename == __file__  # the warning points at the caller's line
    assert "--mock-config" not in str(caught[0].message)


def test_an_unserved_state_that_is_reached_fails_as_aws_fails_a_missing_function() -> None:
    machine = StateMachine(branching(), mocks={"Ship": shipped})
    with pytest.warns(UnservedResourceWarning):
        result = machine.run_sync({"paid": False})
    assert (result.status, result.error, result.failed_state) == (
        "FAILED",
        "Lambda.ResourceNotFoundException",
        "Charge",
    )
    assert result.cause.startswith(f"Function not found: {LAMBDA}")
    assert "mocks=" in result.cause
    assert "--mock-config" not in result.cause
    assert "LambdaFunctionFailed" in result.event_types


@pytest.mark.parametrize(
    ("resource", "error"),
    [
        ("arn:aws:states:::lambda:invoke", "Lambda.ResourceNotFoundException"),
        ("arn:aws:states:::sns:publish", "SNS.ResourceNotFoundException"),
        ("arn:aws:states:::aws-sdk:dynamodb:getItem", "DynamoDB.ResourceNotFoundException"),
        ("arn:aws:states:::aws-sdk:s3:getObject", "S3.ResourceNotFoundException"),
        ("arn:aws:states:::states:startExecution.sync:2", "StepFunctions.ResourceNotFoundException"),
    ],
)
def test_the_error_names_the_service(resource: str, error: str) -> None:
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}
    if "dynamodb" in resource:
        definition["States"]["T"]["Parameters"] = {"TableName": "t", "Key": {}}
    if "s3:getObject" in resource:
        definition["States"]["T"]["Parameters"] = {"Bucket": "b", "Key": "k"}
    if "startExecution" in resource:
        definition["States"]["T"]["Parameters"] = {
            "StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:x"
        }
    with pytest.warns(UnservedResourceWarning):
        result = StateMachine(definition).run_sync({})
    assert result.error == error


def test_catch_sees_the_failure() -> None:
    definition = branching()
    definition["States"]["Charge"]["Catch"] = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Ship"}]
    definition["States"]["Charge"]["Catch"][0]["ErrorEquals"] = ["States.ALL"]
    with pytest.warns(UnservedResourceWarning):
        result = StateMachine(definition, mocks={"Ship": shipped}).run_sync({"paid": False})
    assert result.status == "SUCCEEDED"


def test_strict_mode_refuses_to_start_and_speaks_python() -> None:
    machine = StateMachine(branching(), mocks={"Ship": shipped}, strict_resources=True)
    with pytest.raises(ResourceNotFound, match="'Charge'") as info:
        machine.run_sync({"paid": True})
    assert "mocks=" in str(info.value)
    assert "--mock-config" not in str(info.value)


def test_a_fully_served_machine_does_not_warn() -> None:
    registry = TaskRegistry()
    registry.register(LAMBDA, shipped)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = StateMachine(branching(), registry=registry, mocks={"Ship": shipped}).run_sync(
            {"paid": False}
        )
    assert result.status == "SUCCEEDED"
