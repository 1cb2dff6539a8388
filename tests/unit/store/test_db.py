"""The store's one writer: calls run in order, `run` returns after the commit, failures stay contained."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import anyio
import pytest

from asl.store import executions, machines
from asl.store.db import Database, StoreLocked


def machine(name: str) -> dict[str, Any]:
    return {
        "arn": f"arn:aws:states:us-east-1:1:stateMachine:{name}",
        "name": name,
        "type": "STANDARD",
        "definition": "{}",
        "role_arn": "r",
        "revision_id": "1",
        "created": 0.0,
    }


async def with_db(path: Path | str, body: Any) -> Any:
    db = Database(path)
    try:
        async with anyio.create_task_group() as tasks:
            await tasks.start(db.serve)
            result = await body(db)
            tasks.cancel_scope.cancel()
        return result
    finally:
        db.close()


def test_run_returns_once_another_connection_sees_the_commit(tmp_path: Path) -> None:
    path = tmp_path / "s.db"

    async def body(db: Database) -> list[Any]:
        await db.run(machines.create_machine, machine("a"))
        with sqlite3.connect(path) as other:
            return other.execute("SELECT name FROM state_machines").fetchall()

    assert anyio.run(with_db, path, body) == [("a",)]


def test_calls_run_in_the_order_they_were_queued() -> None:
    async def body(db: Database) -> Any:
        db.submit(machines.create_machine, machine("b"))
        db.submit(machines.update_machine, machine("b")["arn"], {"definition": '{"x": 1}'})
        return await db.query(machines.get_machine, machine("b")["arn"])

    assert anyio.run(with_db, ":memory:", body)["definition"] == '{"x": 1}'


def test_a_failing_call_undoes_only_its_own_writes() -> None:
    def half_then_fail(connection: sqlite3.Connection) -> None:
        machines.create_machine(connection, machine("half"))
        raise ValueError("boom")

    async def body(db: Database) -> Any:
        with pytest.raises(ValueError, match="boom"):
            await db.run(half_then_fail)
        await db.run(machines.create_machine, machine("whole"))
        return await db.query(machines.list_machines, 0, 10)

    assert [row["name"] for row in anyio.run(with_db, ":memory:", body)] == ["whole"]


def test_after_a_failed_commit_every_call_fails() -> None:
    def end_the_transaction(connection: sqlite3.Connection) -> None:
        connection.execute("RELEASE job")
        connection.execute("COMMIT")  # the batch's own COMMIT then fails: no transaction is active

    async def body(db: Database) -> None:
        with pytest.raises(sqlite3.Error):
            await db.run(end_the_transaction)
        with pytest.raises(sqlite3.Error):
            await db.run(executions.get_execution, "x")

    anyio.run(with_db, ":memory:", body)


def test_one_server_per_file(tmp_path: Path) -> None:
    first = Database(tmp_path / "s.db")
    try:
        with pytest.raises(StoreLocked, match="in use by another asl serve"):
            Database(tmp_path / "s.db")
    finally:
        first.close()
    Database(tmp_path / "s.db").close()
