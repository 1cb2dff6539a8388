"""kill -9 the server and start it again on the same file: nothing acknowledged is lost, running
executions continue from their history (a Wait for what is left of it, a callback with its token)."""

from __future__ import annotations

import json
import threading
from typing import Any

from tests.server.process import at, create, events, finished, until


def test_a_wait_continues_for_what_is_left_of_it(serve: Any) -> None:
    first = serve()
    sfn = first.client()
    definition = {
        "StartAt": "Before",
        "States": {
            "Before": {"Type": "Pass", "Result": {"step": 1}, "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 4, "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
    }
    execution = sfn.start_execution(stateMachineArn=create(sfn, "pause", definition))["executionArn"]
    until(lambda: any(e["type"] == "WaitStateEntered" for e in events(sfn, execution)))
    first.kill()
    second = serve()
    again = second.client()
    assert finished(again, execution)["status"] == "SUCCEEDED"
    recorded = events(again, execution)
    types = [e["type"] for e in recorded]
    assert types.count("WaitStateEntered") == 1  # the Wait was not started again
    assert types.count("PassStateEntered") == 2  # Before ran once, After once
    entered = next(e for e in recorded if e["type"] == "WaitStateEntered")
    exited = next(e for e in recorded if e["type"] == "WaitStateExited")
    assert 4 <= at(exited) - at(entered) < 4 + 5  # it ended when it would have (allowing for a slow machine)
    assert [e["id"] for e in recorded] == list(range(1, len(recorded) + 1))


def test_a_handed_out_token_completes_the_execution_after_a_crash(serve: Any) -> None:
    first = serve()
    sfn = first.client()
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    execution = sfn.start_execution(stateMachineArn=create(sfn, "approve", definition))["executionArn"]
    scheduled = until(lambda: next((e for e in events(sfn, execution) if e["type"] == "TaskScheduled"), None))
    token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
    first.kill()
    second = serve()
    again = second.client()
    until(lambda: _accepts(again, token))
    described = finished(again, execution)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"approved": True})
    assert [e["type"] for e in events(again, execution)].count("TaskScheduled") == 1


def _accepts(sfn: Any, token: str) -> bool:
    try:
        sfn.send_task_success(taskToken=token, output='{"approved": true}')
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken):
        return False  # not waiting yet: the execution is still catching up with its history
    return True


def test_a_burst_of_starts_survives_a_crash(serve: Any) -> None:
    first = serve()
    sfn = first.client()
    definition = {
        "StartAt": "Pause",
        "States": {
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }
    machine = create(sfn, "burst", definition)
    acknowledged: list[str] = []
    lock = threading.Lock()

    def starter(worker: int) -> None:
        client = first.client()
        for number in range(200):
            try:
                arn = client.start_execution(stateMachineArn=machine, name=f"w{worker}-{number}")[
                    "executionArn"
                ]
            except Exception:  # the server died under us: what was not acknowledged may be lost
                return
            with lock:
                acknowledged.append(arn)

    threads = [threading.Thread(target=starter, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    until(lambda: len(acknowledged) >= 40)
    first.kill()
    for thread in threads:
        thread.join(60)
    second = serve()
    again = second.client()
    listed: list[str] = []
    token = None
    while True:
        page = again.list_executions(
            stateMachineArn=machine, maxResults=100, **({"nextToken": token} if token else {})
        )
        listed += [e["executionArn"] for e in page["executions"]]
        token = page.get("nextToken")
        if not token:
            break
    assert len(listed) == len(set(listed))  # nothing twice
    assert set(acknowledged) <= set(listed)  # nothing acknowledged is lost
    for execution in acknowledged:
        assert finished(again, execution)["status"] == "SUCCEEDED", execution
