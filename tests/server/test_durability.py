"""What the server acknowledges is committed: another connection to the database file sees it at once,
and a restarted server on the same file still has it."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import PASS, Server, create, history, wait_done
from tests.server.test_tasks import callback_flow, token_of


def committed(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Read through a separate connection: it sees only what was committed."""
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, args).fetchall()


def test_acknowledged_writes_are_committed(start_server: Any, tmp_path: Path) -> None:
    db = tmp_path / "asl.db"
    server: Server = start_server(db=str(db))
    sfn = server.client()
    arn = create(sfn, callback_flow())
    assert committed(db, "SELECT name FROM state_machines WHERE arn = ?", arn) == [(arn.rsplit(":", 1)[-1],)]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"order": 3}')["executionArn"]
    assert committed(db, "SELECT status, input FROM executions WHERE arn = ?", execution) == [
        ("RUNNING", '{"order": 3}')
    ]
    assert committed(db, "SELECT type FROM events WHERE execution_arn = ? AND id = 1", execution) == [
        ("ExecutionStarted",)
    ]
    token = token_of(sfn, execution)
    sfn.send_task_success(taskToken=token, output='{"ok": 1}')
    assert committed(db, "SELECT outcome, output FROM tokens WHERE token = ?", token) == [
        ("success", '{"ok": 1}')
    ]
    wait_done(sfn, execution)
    held = sfn.start_execution(stateMachineArn=arn, input='{"order": 4}')["executionArn"]
    sfn.stop_execution(executionArn=held, error="E", cause="C")
    assert committed(db, "SELECT status, error, cause FROM executions WHERE arn = ?", held) == [
        ("ABORTED", "E", "C")
    ]


def test_a_restarted_server_keeps_everything(start_server: Any, tmp_path: Path) -> None:
    db = str(tmp_path / "asl.db")
    first: Server = start_server(db=db)
    sfn = first.client()
    arn = create(sfn, PASS)
    done = sfn.start_execution(stateMachineArn=arn, input='{"x": 1}')["executionArn"]
    wait_done(sfn, done)
    before = history(sfn, done)
    held = sfn.start_execution(stateMachineArn=create(sfn, callback_flow()), input='{"order": 5}')[
        "executionArn"
    ]
    token = token_of(sfn, held)
    activity = sfn.create_activity(name="work")["activityArn"]
    # Stop the first server (as SIGTERM would) and start another on the same file.
    first.stop()
    second: Server = start_server(db=db)
    again = second.client()
    assert json.loads(again.describe_state_machine(stateMachineArn=arn)["definition"]) == PASS
    assert json.loads(again.describe_execution(executionArn=done)["output"]) == {"x": 1}
    assert history(again, done) == before
    assert again.describe_activity(activityArn=activity)["name"] == "work"
    # The RUNNING execution continues from its history: the token handed out before still completes it.
    assert again.describe_execution(executionArn=held)["status"] == "RUNNING"
    deadline = time.monotonic() + 20
    while True:
        try:
            again.send_task_success(taskToken=token, output='{"ok": true}')
            break
        except again.exceptions.TaskTimedOut:
            assert time.monotonic() < deadline, "the resumed task never waited for its token again"
            time.sleep(0.05)
    wait_done(again, held)
    assert json.loads(again.describe_execution(executionArn=held)["output"]) == {"ok": True}
    assert [e["type"] for e in history(again, held)].count("TaskScheduled") == 1


def test_health_says_when_the_store_has_failed(start_server: Any) -> None:
    server: Server = start_server()
    assert server.health()["store"] == ":memory:"
    server.backend.db._failure = sqlite3.OperationalError("disk I/O error")
    with pytest.raises(urllib.error.HTTPError) as caught:
        server.health()
    assert caught.value.code == 503
    assert json.loads(caught.value.read()) == {
        "status": "failed",
        "services": ["AWSCognitoIdentityProviderService", "AWSCognitoIdentityService", "AWSStepFunctions"],
        "store": "disk I/O error",
    }
    with pytest.raises(server.client().exceptions.ClientError):
        server.client().list_state_machines()
