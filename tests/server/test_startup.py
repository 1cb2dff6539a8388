"""What `asl serve` finds in its store when it starts: a start a crash cut short was never acknowledged.

StartExecution answers once the execution's ExecutionStarted event is committed, so an execution
stored without it was never acknowledged: the server forgets it (the client's retry starts it
again), rather than showing a failure nobody caused. A stored history this version cannot redrive
is refused with ExecutionNotRedrivable, never a 500.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.server.process import create, finished

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
ACCOUNT = "arn:aws:states:us-east-1:123456789012"


def _row(name: str, status: str, cause: str | None = None) -> dict[str, Any]:
    return {
        "arn": f"{ACCOUNT}:execution:flow:{name}",
        "machine_arn": f"{ACCOUNT}:stateMachine:flow",
        "name": name,
        "type": "STANDARD",
        "definition": json.dumps(PASS),
        "revision_id": "r",
        "role_arn": "",
        "status": status,
        "input": "{}",
        "start_date": 1.0,
        "seed": 7,
        "error": "States.Runtime" if cause else None,
        "cause": cause,
    }


def _store(path: Path, row: dict[str, Any], events: list[tuple[int, str]]) -> None:
    with sqlite3.connect(path) as store:
        store.execute(
            f"INSERT INTO executions ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            tuple(row.values()),
        )
        for number, kind in events:
            store.execute(
                "INSERT INTO events (execution_arn, id, timestamp, type) VALUES (?, ?, 1.0, ?)",
                (row["arn"], number, kind),
            )


def test_a_start_never_acknowledged_is_forgotten(serve: Any, tmp_path: Path) -> None:
    first = serve()
    sfn = first.client()
    machine = create(sfn, "flow", PASS)
    first.kill()
    store = tmp_path / "asl.db"
    _store(store, _row("cut", "RUNNING"), [])  # the row was committed, its ExecutionStarted was not
    # as an earlier version closed such a start on its next start
    _store(
        store,
        _row("closed", "FAILED", "asl serve stopped before this execution started"),
        [(1, "ExecutionFailed")],
    )
    again = serve().client()
    for name in ("cut", "closed"):
        with pytest.raises(again.exceptions.ExecutionDoesNotExist):
            again.describe_execution(executionArn=f"{ACCOUNT}:execution:flow:{name}")
    assert again.list_executions(stateMachineArn=machine)["executions"] == []
    retried = again.start_execution(stateMachineArn=machine, name="cut")["executionArn"]  # the SDK's retry
    assert finished(again, retried)["status"] == "SUCCEEDED"


def test_a_history_that_cannot_be_redriven_is_refused(serve: Any, tmp_path: Path) -> None:
    first = serve()
    create(first.client(), "flow", PASS)
    first.kill()
    _store(
        tmp_path / "asl.db", _row("odd", "FAILED", "lost"), [(1, "PassStateEntered"), (2, "ExecutionFailed")]
    )
    again = serve().client()
    odd = f"{ACCOUNT}:execution:flow:odd"
    assert again.describe_execution(executionArn=odd)["status"] == "FAILED"
    with pytest.raises(again.exceptions.ExecutionNotRedrivable, match="cannot be redriven"):
        again.redrive_execution(executionArn=odd)


def test_an_express_execution_cut_short_is_closed_as_failed(serve: Any, tmp_path: Path) -> None:
    first = serve()
    create(first.client(), "flow", PASS)
    first.kill()
    row = {**_row("quick", "RUNNING"), "type": "EXPRESS"}
    row["arn"] = f"{ACCOUNT}:express:flow:quick:0f1e2d3c"
    _store(tmp_path / "asl.db", row, [(1, "ExecutionStarted"), (2, "PassStateEntered")])
    again = serve().client()
    described = finished(again, row["arn"])
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert described["cause"] == (
        "asl serve stopped while this Express execution ran; Express executions are not resumed"
    )
