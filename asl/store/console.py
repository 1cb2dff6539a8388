"""What the console reads beyond the API's queries: executions of every state machine, event counts."""

from __future__ import annotations

import sqlite3
from typing import Any

from asl.store.executions import _as_event
from asl.store.machines import Row, rows


def recent_executions(
    connection: sqlite3.Connection, machine_arn: str | None, status: str | None, before: int, limit: int
) -> list[Row]:
    """Executions newest first (of one state machine, or of all), by status if given, started before `seq`."""
    sql = (
        "SELECT seq, arn, machine_arn, name, type, status, start_date, stop_date, error "
        "FROM executions WHERE seq < ?"
    )
    args: list[Any] = [before]
    if machine_arn is not None:
        sql += " AND machine_arn = ?"
        args.append(machine_arn)
    if status is not None:
        sql += " AND status = ?"
        args.append(status)
    sql += " ORDER BY seq DESC LIMIT ?"
    return rows(connection, sql, *args, limit)


def status_counts(connection: sqlite3.Connection, machine_arn: str | None) -> dict[str, int]:
    """How many executions have each status (of one state machine, or of all)."""
    if machine_arn is None:
        found = rows(connection, "SELECT status, count(*) AS n FROM executions GROUP BY status")
    else:
        found = rows(
            connection,
            "SELECT status, count(*) AS n FROM executions WHERE machine_arn = ? GROUP BY status",
            machine_arn,
        )
    return {row["status"]: row["n"] for row in found}


def progress(connection: sqlite3.Connection, execution_arn: str) -> tuple[str, int] | None:
    """An execution's status and how many history events it has so far (what a live page polls)."""
    found = rows(
        connection,
        "SELECT status, (SELECT count(*) FROM events WHERE execution_arn = ?) AS n "
        "FROM executions WHERE arn = ?",
        execution_arn,
        execution_arn,
    )
    return (found[0]["status"], found[0]["n"]) if found else None


def events_after(
    connection: sqlite3.Connection, execution_arn: str, after: int, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` history events after event `after`, in id order: a long history read in slices."""
    sql = "SELECT * FROM events WHERE execution_arn = ? AND id > ? ORDER BY id LIMIT ?"
    return [_as_event(row) for row in connection.execute(sql, (execution_arn, after, limit))]
