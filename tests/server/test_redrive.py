"""RedriveExecution through boto3: what failed runs again, what succeeded is kept."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.server.conftest import create, history, wait_done
from tests.server.test_tasks import token_of

DEFINITION = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"order": 1}, "Next": "Approve"},
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl": "q",
                "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"},
            },
            "Next": "Done",
        },
        "Done": {
            "Type": "Pass",
            "Parameters": {"approved.$": "$.ok", "redrives.$": "$$.Execution.RedriveCount"},
            "End": True,
        },
    },
}


def test_a_failed_execution_is_redriven_from_the_failed_state(sfn: Any) -> None:
    machine = create(sfn, DEFINITION)
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    first = token_of(sfn, execution)
    sfn.send_task_failure(taskToken=first, error="Rejected", cause="not yet")
    assert wait_done(sfn, execution)["status"] == "FAILED"
    redriven = sfn.redrive_execution(executionArn=execution)
    assert "redriveDate" in redriven
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["redriveCount"]) == ("RUNNING", 1)
    second = _new_token(sfn, execution, first)
    sfn.send_task_success(taskToken=second, output='{"ok": true}')
    done = wait_done(sfn, execution)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"approved": True, "redrives": 1}
    types = [e["type"] for e in history(sfn, execution)]
    assert types.count("ExecutionRedriven") == 1
    assert types.count("PassStateEntered") == 2  # Prepare before the failure, Done after the redrive
    assert types.count("TaskScheduled") == 2  # Approve ran again


def test_what_cannot_be_redriven(sfn: Any) -> None:
    machine = create(sfn, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    wait_done(sfn, execution)
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable, match="SUCCEEDED"):
        sfn.redrive_execution(executionArn=execution)


def _new_token(sfn: Any, execution: str, old: str) -> str:
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        tokens = [
            json.loads(e["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
            for e in history(sfn, execution)
            if e["type"] == "TaskScheduled"
        ]
        if len(tokens) == 2:
            assert tokens[1] != old  # a redriven task gets a new token
            return str(tokens[1])
        time.sleep(0.02)
    raise AssertionError("the redriven task was not scheduled")
