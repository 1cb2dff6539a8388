"""Requests that arrive at the same moment: each changes the store atomically, and one caller wins.

The requests are sent on separate connections with their last bytes back to back (`wire.together`),
so the server reads them all before it answers any.
"""

from __future__ import annotations

import json
from typing import Any

from tests.server.conftest import PASS, Server, create, history, wait_done
from tests.server.test_redrive import DEFINITION
from tests.server.test_tasks import callback_flow, token_of
from tests.server.wire import together

TIMED_OUT = "TaskTimedOut"


def test_concurrent_redrives_run_the_execution_once(server: Server, sfn: Any) -> None:
    machine = create(sfn, DEFINITION)
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    sfn.send_task_failure(taskToken=token_of(sfn, execution), error="Rejected")
    assert wait_done(sfn, execution)["status"] == "FAILED"
    answers = together(server.url, "RedriveExecution", [{"executionArn": execution}] * 10)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [400] * 9
    refused = [body for status, body in answers if status == 400]
    assert {body["__type"] for body in refused} == {"ExecutionNotRedrivable"}
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["redriveCount"]) == ("RUNNING", 1)
    types = [event["type"] for event in history(sfn, execution)]
    assert types.count("ExecutionRedriven") == 1
    assert types.count("TaskScheduled") == 2  # the first attempt, and one redrive of it


def test_of_concurrent_callbacks_the_one_acknowledged_completes_the_task(server: Server, sfn: Any) -> None:
    machine = create(sfn, callback_flow())
    execution = sfn.start_execution(stateMachineArn=machine, input='{"order": 1}')["executionArn"]
    token = token_of(sfn, execution)
    sent = [{"taskToken": token, "output": json.dumps({"n": n})} for n in range(8)]
    answers = together(server.url, "SendTaskSuccess", sent)
    winners = [n for n, (status, _) in enumerate(answers) if status == 200]
    assert len(winners) == 1
    assert {body["__type"] for status, body in answers if status != 200} == {TIMED_OUT}
    done = wait_done(sfn, execution)
    assert json.loads(done["output"]) == {"n": winners[0]}


def test_concurrent_updates_that_publish_each_get_their_own_version(server: Server, sfn: Any) -> None:
    machine = create(sfn, PASS)
    definitions = [
        json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": n, "End": True}}})
        for n in range(7)
    ]
    answers = together(
        server.url,
        "UpdateStateMachine",
        [{"stateMachineArn": machine, "definition": text, "publish": True} for text in definitions],
    )
    assert [status for status, _ in answers] == [200] * 7
    versions = [body["stateMachineVersionArn"] for _, body in answers]
    assert len(set(versions)) == 7
    for text, version in zip(definitions, versions, strict=True):
        assert sfn.describe_state_machine(stateMachineArn=version)["definition"] == text
    revisions = {body["revisionId"] for _, body in answers}
    assert len(revisions) == 7
