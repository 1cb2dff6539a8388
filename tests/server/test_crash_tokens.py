"""kill -9 while task tokens are out: what the API acknowledged for a token is what the resumed
execution gets (the first outcome sent, the last heartbeat, an activity task a worker holds), and a
parent that started a child execution finds that child again instead of starting a second."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.server.process import create, events, finished, until
from tests.server.wire import together

CALLBACK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
}


def _token(sfn: Any, execution: str) -> str:
    scheduled = until(lambda: next((e for e in events(sfn, execution) if e["type"] == "TaskScheduled"), None))
    token: str = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
    return token


def test_only_the_acknowledged_callback_is_kept_and_delivered_after_a_crash(
    serve: Any, tmp_path: Path
) -> None:
    first = serve()
    sfn = first.client()
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {**CALLBACK, "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 1, "End": True},
        },
    }
    execution = sfn.start_execution(stateMachineArn=create(sfn, "race", definition))["executionArn"]
    token = _token(sfn, execution)
    sent = [{"taskToken": token, "output": json.dumps({"n": n})} for n in range(8)]
    answers = together(first.url, "SendTaskSuccess", sent)
    first.kill()
    winners = [n for n, (status, _) in enumerate(answers) if status == 200]
    assert len(winners) == 1
    acknowledged = {"n": winners[0]}
    with sqlite3.connect(tmp_path / "asl.db") as store:  # what a restart delivers again
        (stored,) = store.execute("SELECT output FROM tokens WHERE token = ?", (token,)).fetchone()
    assert json.loads(stored) == acknowledged
    again = serve().client()
    described = finished(again, execution)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", acknowledged)


def test_acknowledged_heartbeats_still_count_after_a_crash(serve: Any) -> None:
    first = serve()
    sfn = first.client()
    # 12 s: the restart below must come within HeartbeatSeconds of the last beat on a loaded machine.
    task = {**CALLBACK, "HeartbeatSeconds": 12, "TimeoutSeconds": 600, "End": True}
    machine = create(sfn, "beats", {"StartAt": "Approve", "States": {"Approve": task}})
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    token = _token(sfn, execution)
    started = time.monotonic()
    while time.monotonic() - started < 13:  # past the task's first HeartbeatSeconds
        sfn.send_task_heartbeat(taskToken=token)
        time.sleep(0.5)
    sfn.send_task_heartbeat(taskToken=token)
    first.kill()
    again = serve().client()
    again.send_task_success(taskToken=token, output='{"approved": true}')  # within 12 s of the last beat
    described = finished(again, execution)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"approved": True})


def test_a_resumed_parent_finds_the_child_it_started(serve: Any) -> None:
    first = serve()
    sfn = first.client()
    child = create(
        sfn,
        "child",
        {
            "StartAt": "Work",
            "States": {
                "Work": {"Type": "Wait", "Seconds": 3, "Next": "Done"},
                "Done": {"Type": "Pass", "Result": "child done", "End": True},
            },
        },
    )
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": child, "Input": {"from.$": "$$.Execution.Id"}},
        "End": True,
    }
    parent = sfn.start_execution(
        stateMachineArn=create(sfn, "parent", {"StartAt": "Run", "States": {"Run": task}})
    )
    until(lambda: sfn.list_executions(stateMachineArn=child)["executions"])
    first.kill()
    again = serve().client()
    described = finished(again, parent["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    children = again.list_executions(stateMachineArn=child)["executions"]
    assert len(children) == 1
    output = json.loads(described["output"])
    assert (output["ExecutionArn"], output["Output"]) == (children[0]["executionArn"], "child done")


def test_an_activity_task_a_worker_holds_is_not_handed_out_again(serve: Any) -> None:
    first = serve()
    sfn = first.client()
    activity = sfn.create_activity(name="work")["activityArn"]
    machine = create(
        sfn,
        "worked",
        {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}},
    )
    held, waiting = (
        sfn.start_execution(stateMachineArn=machine, input=json.dumps({"n": n}))["executionArn"]
        for n in (1, 2)
    )
    for execution in (held, waiting):
        until(
            lambda execution=execution: any(e["type"] == "ActivityScheduled" for e in events(sfn, execution))
        )
    task = sfn.get_activity_task(activityArn=activity)
    assert json.loads(task["input"]) == {"n": 1}
    first.kill()
    again = serve().client()
    other = again.get_activity_task(activityArn=activity)  # the oldest open task is not the held one
    assert json.loads(other["input"]) == {"n": 2}
    again.send_task_success(taskToken=task["taskToken"], output='{"done": 1}')
    again.send_task_success(taskToken=other["taskToken"], output='{"done": 2}')
    for execution, output in ((held, {"done": 1}), (waiting, {"done": 2})):
        described = finished(again, execution)
        assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", output)
