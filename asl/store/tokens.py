"""Task tokens handed out (callbacks and activity tasks): the first outcome sent, heartbeats, hand-outs.

What the API acknowledged for a token is here before the answer, so a restart gives the resumed task
exactly that: the outcome (only the first one sent is ever stored), the last heartbeat, and whether
a worker already holds the activity task.
"""

from __future__ import annotations

import sqlite3

from asl.store.machines import Row, one, rows


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
) -> bool:
    """Record the outcome sent for a token, unless one was recorded before: then change nothing, say False."""
    add_token(connection, token, execution_arn, None, created)
    cursor = connection.execute(
        "UPDATE tokens SET outcome = ?, output = ?, error = ?, cause = ? WHERE token = ? AND outcome IS NULL",
        (outcome, output, error, cause, token),
    )
    return cursor.rowcount == 1


def beat(connection: sqlite3.Connection, token: str, execution_arn: str, at: float) -> None:
    """Record a SendTaskHeartbeat (the task's HeartbeatSeconds run from `at`, after a restart too)."""
    add_token(connection, token, execution_arn, None, at)
    connection.execute("UPDATE tokens SET heartbeat = ? WHERE token = ? AND outcome IS NULL", (at, token))


def hand_out(connection: sqlite3.Connection, token: str, at: float) -> None:
    """Record that GetActivityTask gave this task to a worker (it is not handed out again)."""
    connection.execute("UPDATE tokens SET handed_out = ? WHERE token = ?", (at, token))


def tokens_of(connection: sqlite3.Connection, execution_arn: str) -> list[Row]:
    """An execution's tokens (what a resumed execution gets back: outcomes, heartbeats, hand-outs)."""
    return rows(connection, "SELECT * FROM tokens WHERE execution_arn = ?", execution_arn)
