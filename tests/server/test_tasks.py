"""Callbacks and activities over boto3: SendTask*, the activity actions, GetActivityTask's long poll.

Token errors as AWS answers them: a token that was never handed out is InvalidToken; one whose task
already closed is TaskTimedOut ("Task Timed Out: 'Provided task does not exist anymore'", as quoted in
aws-samples/amazon-mwaa-examples#61).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from tests.server.conftest import Server, create, history, unique, wait_done

ACCOUNT = "123456789012"


def callback_flow(heartbeat: int | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
        "End": True,
    }
    if heartbeat is not None:
        task["HeartbeatSeconds"] = heartbeat
    return {"StartAt": "Approve", "States": {"Approve": task}}


def token_of(sfn: Any, execution: str) -> str:
    """The task token, read from TaskScheduled's parameters as a test of a real app would."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for event in history(sfn, execution):
            if event["type"] == "TaskScheduled":
                token: str = json.loads(event["taskScheduledEventDetails"]["parameters"])["MessageBody"][
                    "token"
                ]
                return token
        time.sleep(0.02)
    raise AssertionError("no TaskScheduled event")


def test_send_task_success_completes_the_task_once(sfn: Any) -> None:
    execution = sfn.start_execution(stateMachineArn=create(sfn, callback_flow()), input='{"order": 7}')[
        "executionArn"
    ]
    token = token_of(sfn, execution)
    sfn.send_task_heartbeat(taskToken=token)
    for bad in ("{not json", '{"x": Infinity}'):
        with pytest.raises(sfn.exceptions.InvalidOutput):
            sfn.send_task_success(taskToken=token, output=bad)
    sfn.send_task_success(taskToken=token, output='{"approved": true}')
    done = wait_done(sfn, execution)
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"approved": True})
    with pytest.raises(sfn.exceptions.TaskTimedOut) as caught:
        sfn.send_task_success(taskToken=token, output="{}")
    assert (
        caught.value.response["Error"]["Message"] == "Task Timed Out: 'Provided task does not exist anymore'"
    )


def test_send_task_failure_fails_the_task(sfn: Any) -> None:
    execution = sfn.start_execution(stateMachineArn=create(sfn, callback_flow()), input='{"order": 8}')[
        "executionArn"
    ]
    sfn.send_task_failure(taskToken=token_of(sfn, execution), error="Rejected", cause="too expensive")
    done = wait_done(sfn, execution)
    assert (done["status"], done["error"], done["cause"]) == ("FAILED", "Rejected", "too expensive")
    assert [e["type"] for e in history(sfn, execution)][-2:] == ["TaskFailed", "ExecutionFailed"]


@pytest.mark.parametrize(
    ("action", "arguments"),
    [
        ("send_task_success", {"output": "{}"}),
        ("send_task_failure", {}),
        ("send_task_heartbeat", {}),
    ],
)
def test_an_unknown_token_is_invalid(sfn: Any, action: str, arguments: dict[str, Any]) -> None:
    with pytest.raises(sfn.exceptions.InvalidToken) as caught:
        getattr(sfn, action)(taskToken="made-up", **arguments)
    assert caught.value.response["Error"]["Message"] == "Invalid Token: 'Invalid token'"


def test_heartbeats_keep_a_task_alive_until_they_stop(start_server: Any) -> None:
    server: Server = start_server(wait_scale=1.0)
    sfn = server.client()
    execution = sfn.start_execution(
        stateMachineArn=create(sfn, callback_flow(heartbeat=1)), input='{"order": 1}'
    )["executionArn"]
    token = token_of(sfn, execution)
    for _ in range(3):
        time.sleep(0.5)
        sfn.send_task_heartbeat(taskToken=token)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    done = wait_done(sfn, execution, timeout=10)
    assert (done["status"], done["error"]) == (
        "FAILED",
        "States.Timeout",
    )  # as AWS records a heartbeat timeout
    assert [e["type"] for e in history(sfn, execution)][-2:] == ["TaskTimedOut", "ExecutionFailed"]


def test_activity_actions(sfn: Any) -> None:
    name = unique("act")
    created = sfn.create_activity(name=name, tags=[{"key": "k", "value": "v"}])
    arn = created["activityArn"]
    assert arn == f"arn:aws:states:us-east-1:{ACCOUNT}:activity:{name}"
    assert sfn.create_activity(name=name)["activityArn"] == arn
    described = sfn.describe_activity(activityArn=arn)
    assert (described["name"], described["creationDate"]) == (name, created["creationDate"])
    assert arn in [a["activityArn"] for a in sfn.list_activities()["activities"]]
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "k", "value": "v"}]
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=arn)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.get_activity_task(activityArn=arn)


def test_get_activity_task_long_polls_and_completes_the_execution(sfn: Any) -> None:
    arn = sfn.create_activity(name=unique("act"))["activityArn"]
    started = time.monotonic()
    assert "taskToken" not in sfn.get_activity_task(activityArn=arn)  # nothing to do: answered after the poll
    assert time.monotonic() - started >= 0.9
    flow = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": arn, "End": True}}}
    machine = create(sfn, flow)
    # A worker already waiting gets the task as soon as it is scheduled.
    got: dict[str, Any] = {}
    worker = threading.Thread(
        target=lambda: got.update(sfn.get_activity_task(activityArn=arn, workerName="w1"))
    )
    worker.start()
    time.sleep(0.2)
    execution = sfn.start_execution(stateMachineArn=machine, input='{"job": 42}')["executionArn"]
    worker.join(10)
    assert json.loads(got["input"]) == {"job": 42}
    sfn.send_task_success(taskToken=got["taskToken"], output='{"done": 42}')
    done = wait_done(sfn, execution)
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"done": 42})
    types = [e["type"] for e in history(sfn, execution)]
    assert types[2:5] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_failure(taskToken=got["taskToken"])
    # The next task of the same activity, failed by the worker.
    second = sfn.start_execution(stateMachineArn=machine, input='{"job": 43}')["executionArn"]
    task = sfn.get_activity_task(activityArn=arn)
    sfn.send_task_failure(taskToken=task["taskToken"], error="WorkerError", cause="disk full")
    assert wait_done(sfn, second)["error"] == "WorkerError"


def test_a_stopped_execution_takes_its_activity_task_back(sfn: Any) -> None:
    arn = sfn.create_activity(name=unique("act"))["activityArn"]
    flow = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": arn, "End": True}}}
    execution = sfn.start_execution(stateMachineArn=create(sfn, flow))["executionArn"]
    time.sleep(0.1)
    sfn.stop_execution(executionArn=execution)
    assert "taskToken" not in sfn.get_activity_task(activityArn=arn)


def test_an_activity_that_does_not_exist_fails_the_task(sfn: Any) -> None:
    missing = f"arn:aws:states:us-east-1:{ACCOUNT}:activity:{unique('gone')}"
    flow = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": missing, "End": True}}}
    done = wait_done(sfn, sfn.start_execution(stateMachineArn=create(sfn, flow))["executionArn"])
    assert (done["status"], done["error"]) == ("FAILED", "States.Runtime")
    assert "create it with CreateActivity" in done["cause"]
