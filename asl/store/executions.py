"""Executions, their history events and the task tokens handed out: plain SQL over schema.sql."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from asl.store.machines import Row, insert, one, rows

_EVENT_KEYS = ("id", "previousEventId", "timestamp", "type", "lane")


def claim_execution(connection: sqlite3.Connection, row: Row) -> Row | None:
    """Insert a new execution, unless its ARN is taken: then return the existing one, inserting nothing."""
    existing = get_execution(connection, row["arn"])
    if existing is None:
        insert(connection, "executions", row)
    return existing


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


def running(connection: sqlite3.Connection) -> list[Row]:
    """Every execution whose status is RUNNING, oldest first (to resume after a restart)."""
    return rows(connection, "SELECT * FROM executions WHERE status = 'RUNNING' ORDER BY seq")


def delete_execution(connection: sqlite3.Connection, arn: str) -> None:
    """Forget an execution that never started (its start failed after the name was claimed)."""
    connection.execute("DELETE FROM events WHERE execution_arn = ?", (arn,))
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


# -- task tokens ----------------------------------------------------------------------------------


def add_token(
    connection: sqlite3.Connection, token: str, execution_arn: str, activity_arn: str | None, created: float
) -> None:
    """Remember a token handed out (again after a restart: the same token, nothing changes)."""
    connection.execute(
        "INSERT OR IGNORE INTO tokens (token, execution_arn, activity_arn, created) VALUES (?, ?, ?, ?)",
        (token, execution_arn, activity_arn, created),
    )


def get_token(connection: sqlite3.Connection, token: str) -> Row | None:
    """A token handed out, with its outcome if one was sent."""
    return one(connection, "SELECT * FROM tokens WHERE token = ?", token)


def complete_token(
    connection: sqlite3.Connection,
    token: str,
    execution_arn: str,
    outcome: str,
    output: str | None,
    error: str | None,
    cause: str | None,
    created: float,
) -> None:
    """Record the outcome sent for a token (before the task sees it, so a restart can deliver it again)."""
    connection.execute(
        "INSERT INTO tokens (token, execution_arn, outcome, output, error, cause, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token) DO UPDATE SET "
        "outcome = excluded.outcome, output = excluded.output, error = excluded.error, cause = excluded.cause",
        (token, execution_arn, outcome, output, error, cause, created),
    )


def sent_outcomes(connection: sqlite3.Connection, execution_arn: str) -> list[Row]:
    """The outcomes sent for an execution's tokens (to deliver again when it resumes)."""
    return rows(
        connection, "SELECT * FROM tokens WHERE execution_arn = ? AND outcome IS NOT NULL", execution_arn
    )


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
