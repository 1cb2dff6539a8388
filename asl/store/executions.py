"""Executions, their history events and the task tokens handed out: plain SQL over schema.sql."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from asl.store.machines import Row, insert, one, rows

_EVENT_KEYS = ("id", "previousEventId", "timestamp", "type", "lane")


def claim_execution(connection: sqlite3.Connection, row: Row, parent_token: str | None = None) -> Row | None:
    """Insert a new execution, unless its ARN is taken: then return the existing one, inserting nothing.

    `parent_token`: the `states:startExecution` task starting it, remembered with it (see `child_of`).
    """
    existing = get_execution(connection, row["arn"])
    if existing is None:
        insert(connection, "executions", row)
        if parent_token is not None:
            connection.execute(
                "INSERT OR REPLACE INTO children (task_token, child_arn) VALUES (?, ?)",
                (parent_token, row["arn"]),
            )
    return existing


def child_of(connection: sqlite3.Connection, task_token: str) -> Row | None:
    """The execution a `states:startExecution` task started, if it started one."""
    return one(
        connection,
        "SELECT executions.* FROM children JOIN executions ON executions.arn = children.child_arn "
        "WHERE children.task_token = ?",
        task_token,
    )


def get_execution(connection: sqlite3.Connection, arn: str) -> Row | None:
    """An execution by ARN."""
    return one(connection, "SELECT * FROM executions WHERE arn = ?", arn)


def list_executions(
    connection: sqlite3.Connection,
    column: str,
    value: str,
    status: str | None,
    redriven: bool | None,
    before: int,
    limit: int,
) -> list[Row]:
    """Executions whose `column` (machine_arn, version_arn or alias_arn) is `value`, newest first."""
    assert column in ("machine_arn", "version_arn", "alias_arn")
    sql = f"SELECT * FROM executions WHERE {column} = ? AND seq < ?"
    args: list[Any] = [value, before]
    if status is not None:
        sql += " AND status = ?"
        args.append(status)
    if redriven is not None:
        sql += " AND redrive_count > 0" if redriven else " AND redrive_count = 0"
    sql += " ORDER BY seq DESC LIMIT ?"
    return rows(connection, sql, *args, limit)


def update_execution(connection: sqlite3.Connection, arn: str, changes: Row) -> None:
    """Change some columns of an execution (status, output, stop date...)."""
    assignments = ", ".join(f"{column} = ?" for column in changes)
    connection.execute(f"UPDATE executions SET {assignments} WHERE arn = ?", (*changes.values(), arn))


#: Where a redrive may start from.
_CLOSED_UNSUCCESSFULLY = "('FAILED', 'TIMED_OUT', 'ABORTED')"


def claim_redrive(
    connection: sqlite3.Connection, arn: str, redrive_count: int, changes: Row, events: list[dict[str, Any]]
) -> bool:
    """Mark a closed execution redriven with its first events, unless another redrive came first.

    The row must still be closed unsuccessfully after `redrive_count` redrives; else nothing changes
    and the answer is False (of concurrent RedriveExecution calls, exactly one wins).
    """
    assignments = ", ".join(f"{column} = ?" for column in changes)
    cursor = connection.execute(
        f"UPDATE executions SET {assignments} WHERE arn = ? AND redrive_count = ? "
        f"AND status IN {_CLOSED_UNSUCCESSFULLY}",
        (*changes.values(), arn, redrive_count),
    )
    if cursor.rowcount != 1:
        return False
    for event in events:
        add_event(connection, arn, event)
    return True


def forget_unstarted(connection: sqlite3.Connection) -> list[str]:
    """Delete the executions whose start was never acknowledged; return their ARNs.

    A start is answered once its ExecutionStarted event is committed: a row without it is a start
    cut short by a crash (or one an earlier version closed as FAILED for that reason). Its name is
    free again, so the client's retry starts it.
    """
    found = [
        row["arn"]
        for row in rows(
            connection,
            "SELECT arn FROM executions AS e WHERE (status = 'RUNNING' OR (status = 'FAILED' AND cause = ?)) "
            "AND NOT EXISTS (SELECT 1 FROM events WHERE execution_arn = e.arn AND id = 1 "
            "AND type = 'ExecutionStarted')",
            LEGACY_UNSTARTED,
        )
    ]
    for arn in found:
        delete_execution(connection, arn)
    return found


#: The cause an earlier version closed an execution with when a crash cut its start short.
LEGACY_UNSTARTED = "asl serve stopped before this execution started"


def running(connection: sqlite3.Connection) -> list[Row]:
    """Every execution whose status is RUNNING, oldest first (to resume after a restart)."""
    return rows(connection, "SELECT * FROM executions WHERE status = 'RUNNING' ORDER BY seq")


def delete_execution(connection: sqlite3.Connection, arn: str) -> None:
    """Forget an execution that never started (its start failed after the name was claimed)."""
    connection.execute("DELETE FROM events WHERE execution_arn = ?", (arn,))
    connection.execute("DELETE FROM tokens WHERE execution_arn = ?", (arn,))
    connection.execute("DELETE FROM children WHERE child_arn = ?", (arn,))
    connection.execute("DELETE FROM executions WHERE arn = ?", (arn,))


# -- history --------------------------------------------------------------------------------------


def _epoch(timestamp: Any) -> float:
    if isinstance(timestamp, str):
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    return float(timestamp)


def add_event(connection: sqlite3.Connection, execution_arn: str, event: dict[str, Any]) -> None:
    """Store one history event as the interpreter recorded it."""
    details = {key: value for key, value in event.items() if key not in _EVENT_KEYS}
    connection.execute(
        "INSERT OR REPLACE INTO events (execution_arn, id, lane, timestamp, type, previous_id, details) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            execution_arn,
            event["id"],
            str(event.get("lane") or ""),
            _epoch(event["timestamp"]),
            event["type"],
            event.get("previousEventId"),
            json.dumps(details, ensure_ascii=False) if details else None,
        ),
    )


def _as_event(row: sqlite3.Row) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": row["id"],
        "previousEventId": row["previous_id"],
        "timestamp": row["timestamp"],
        "type": row["type"],
        "lane": row["lane"],
    }
    if row["details"]:
        event.update(json.loads(row["details"]))
    return event


def events(
    connection: sqlite3.Connection, execution_arn: str, after: int, limit: int, reverse: bool
) -> list[dict[str, Any]]:
    """A page of history: ids after `after` (or before it, newest first, when `reverse`)."""
    if reverse:
        sql = "SELECT * FROM events WHERE execution_arn = ? AND id < ? ORDER BY id DESC LIMIT ?"
    else:
        sql = "SELECT * FROM events WHERE execution_arn = ? AND id > ? ORDER BY id LIMIT ?"
    return [_as_event(row) for row in connection.execute(sql, (execution_arn, after, limit))]


def all_events(connection: sqlite3.Connection, execution_arn: str) -> list[dict[str, Any]]:
    """The whole stored history, in id order (what resuming an execution replays)."""
    sql = "SELECT * FROM events WHERE execution_arn = ? ORDER BY id"
    return [_as_event(row) for row in connection.execute(sql, (execution_arn,))]


# -- activities -----------------------------------------------------------------------------------


def create_activity(connection: sqlite3.Connection, arn: str, name: str, created: float) -> Row:
    """Create an activity, or return the one with that ARN (CreateActivity is idempotent)."""
    connection.execute(
        "INSERT OR IGNORE INTO activities (arn, name, created) VALUES (?, ?, ?)", (arn, name, created)
    )
    row = get_activity(connection, arn)
    assert row is not None
    return row


def get_activity(connection: sqlite3.Connection, arn: str) -> Row | None:
    """An activity by ARN."""
    return one(connection, "SELECT rowid AS seq, * FROM activities WHERE arn = ?", arn)


def list_activities(connection: sqlite3.Connection, after: int, limit: int) -> list[Row]:
    """Activities in creation order."""
    return rows(
        connection,
        "SELECT rowid AS seq, * FROM activities WHERE rowid > ? ORDER BY rowid LIMIT ?",
        after,
        limit,
    )


def delete_activity(connection: sqlite3.Connection, arn: str) -> None:
    """Delete an activity and its tags."""
    connection.execute("DELETE FROM tags WHERE resource_arn = ?", (arn,))
    connection.execute("DELETE FROM activities WHERE arn = ?", (arn,))
