"""State machines, their versions and aliases, and tags: plain SQL over the schema in schema.sql.

Every function takes the connection first and runs on the store's worker (see `Database.run`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

Row = dict[str, Any]


def one(connection: sqlite3.Connection, sql: str, *args: Any) -> Row | None:
    """The first row of a query, as a dict."""
    row = connection.execute(sql, args).fetchone()
    return dict(row) if row is not None else None


def rows(connection: sqlite3.Connection, sql: str, *args: Any) -> list[Row]:
    """Every row of a query, as dicts."""
    return [dict(row) for row in connection.execute(sql, args)]


def insert(connection: sqlite3.Connection, table: str, row: Row) -> int:
    """Insert a row given as a dict of column values."""
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cursor = connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))
    return cursor.lastrowid or 0


def _update(connection: sqlite3.Connection, table: str, arn: str, changes: Row) -> None:
    assignments = ", ".join(f"{column} = ?" for column in changes)
    connection.execute(f"UPDATE {table} SET {assignments} WHERE arn = ?", (*changes.values(), arn))


# -- state machines -------------------------------------------------------------------------------


def create_machine(connection: sqlite3.Connection, row: Row) -> Row | None:
    """Insert a state machine, unless one has its ARN: then return that one and insert nothing."""
    existing = get_machine(connection, row["arn"])
    if existing is None:
        insert(connection, "state_machines", row)
    return existing


def get_machine(connection: sqlite3.Connection, arn: str) -> Row | None:
    """A state machine by ARN."""
    return one(connection, "SELECT rowid AS seq, * FROM state_machines WHERE arn = ?", arn)


def list_machines(connection: sqlite3.Connection, after: int, limit: int) -> list[Row]:
    """State machines in creation order, after the row `after`."""
    return rows(
        connection,
        "SELECT rowid AS seq, * FROM state_machines WHERE rowid > ? ORDER BY rowid LIMIT ?",
        after,
        limit,
    )


def update_machine(connection: sqlite3.Connection, arn: str, changes: Row) -> None:
    """Change some columns of a state machine."""
    _update(connection, "state_machines", arn, changes)


def revise_machine(
    connection: sqlite3.Connection,
    arn: str,
    changes: Row,
    revision_id: str,
    publish: str | None,
    now: float,
) -> tuple[str, Row | None] | None:
    """UpdateStateMachine in one step: apply `changes`, under `revision_id` if they change anything.

    `publish` (a version description) also publishes the result as a version, in the same
    transaction, so concurrent updates each get the version of their own revision. Returns the
    revision and the version, or None when the state machine is gone.
    """
    machine = get_machine(connection, arn)
    if machine is None:
        return None
    changes = dict(changes)
    if any(machine[column] != value for column, value in changes.items()):
        changes["revision_id"] = revision_id
    changes["updated"] = now
    update_machine(connection, arn, changes)
    version = publish_version(connection, arn, publish, now) if publish is not None else None
    return str(changes.get("revision_id", machine["revision_id"])), version


def delete_machine(connection: sqlite3.Connection, arn: str) -> None:
    """Delete a state machine with its versions, aliases and their tags (executions stay)."""
    owned = [arn] + [
        row["arn"]
        for table in ("versions", "aliases")
        for row in rows(connection, f"SELECT arn FROM {table} WHERE machine_arn = ?", arn)
    ]
    for resource in owned:
        connection.execute("DELETE FROM tags WHERE resource_arn = ?", (resource,))
    connection.execute("DELETE FROM versions WHERE machine_arn = ?", (arn,))
    connection.execute("DELETE FROM aliases WHERE machine_arn = ?", (arn,))
    connection.execute("DELETE FROM state_machines WHERE arn = ?", (arn,))


# -- versions -------------------------------------------------------------------------------------


def publish_version(
    connection: sqlite3.Connection, machine_arn: str, description: str, created: float
) -> Row:
    """Publish the state machine's current revision as its next version (or return the one that has it)."""
    machine = get_machine(connection, machine_arn)
    assert machine is not None
    existing = one(
        connection,
        "SELECT * FROM versions WHERE machine_arn = ? AND revision_id = ?",
        machine_arn,
        machine["revision_id"],
    )
    if existing is not None:
        return existing
    number = machine["next_version"]
    row = {
        "arn": f"{machine_arn}:{number}",
        "machine_arn": machine_arn,
        "version": number,
        "definition": machine["definition"],
        "role_arn": machine["role_arn"],
        "type": machine["type"],
        "description": description,
        "logging": machine["logging"],
        "tracing": machine["tracing"],
        "revision_id": machine["revision_id"],
        "created": created,
    }
    insert(connection, "versions", row)
    update_machine(connection, machine_arn, {"next_version": number + 1})
    return row


def get_version(connection: sqlite3.Connection, arn: str) -> Row | None:
    """A version by its ARN."""
    return one(connection, "SELECT * FROM versions WHERE arn = ?", arn)


def list_versions(connection: sqlite3.Connection, machine_arn: str, below: int, limit: int) -> list[Row]:
    """A state machine's versions, newest first, numbered below `below`."""
    return rows(
        connection,
        "SELECT * FROM versions WHERE machine_arn = ? AND version < ? ORDER BY version DESC LIMIT ?",
        machine_arn,
        below,
        limit,
    )


def delete_version(connection: sqlite3.Connection, arn: str) -> None:
    """Delete a version and its tags."""
    connection.execute("DELETE FROM tags WHERE resource_arn = ?", (arn,))
    connection.execute("DELETE FROM versions WHERE arn = ?", (arn,))


# -- aliases --------------------------------------------------------------------------------------


def create_alias(connection: sqlite3.Connection, row: Row) -> Row | None:
    """Insert an alias unless one has its ARN (then return it)."""
    existing = get_alias(connection, row["arn"])
    if existing is None:
        insert(connection, "aliases", row)
    return existing


def get_alias(connection: sqlite3.Connection, arn: str) -> Row | None:
    """An alias by its ARN."""
    return one(connection, "SELECT rowid AS seq, * FROM aliases WHERE arn = ?", arn)


def list_aliases(connection: sqlite3.Connection, machine_arn: str, after: int, limit: int) -> list[Row]:
    """A state machine's aliases in creation order."""
    return rows(
        connection,
        "SELECT rowid AS seq, * FROM aliases WHERE machine_arn = ? AND rowid > ? ORDER BY rowid LIMIT ?",
        machine_arn,
        after,
        limit,
    )


def aliases_routing_to(connection: sqlite3.Connection, version_arn: str) -> list[Row]:
    """The aliases whose routing names this version."""
    pattern = f'%"{version_arn}"%'
    return rows(connection, "SELECT * FROM aliases WHERE routing LIKE ?", pattern)


def update_alias(connection: sqlite3.Connection, arn: str, changes: Row) -> None:
    """Change an alias's description or routing."""
    _update(connection, "aliases", arn, changes)


def delete_alias(connection: sqlite3.Connection, arn: str) -> None:
    """Delete an alias and its tags."""
    connection.execute("DELETE FROM tags WHERE resource_arn = ?", (arn,))
    connection.execute("DELETE FROM aliases WHERE arn = ?", (arn,))


# -- tags -----------------------------------------------------------------------------------------


def set_tags(connection: sqlite3.Connection, arn: str, tags: dict[str, str]) -> None:
    """Add or overwrite tags on a resource."""
    connection.executemany(
        "INSERT INTO tags (resource_arn, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value",
        [(arn, key, value) for key, value in tags.items()],
    )


def remove_tags(connection: sqlite3.Connection, arn: str, keys: list[str]) -> None:
    """Remove tags by key (missing keys are fine)."""
    connection.executemany(
        "DELETE FROM tags WHERE resource_arn = ? AND key = ?", [(arn, key) for key in keys]
    )


def list_tags(connection: sqlite3.Connection, arn: str) -> dict[str, str]:
    """A resource's tags."""
    return {
        row["key"]: row["value"]
        for row in rows(connection, "SELECT key, value FROM tags WHERE resource_arn = ? ORDER BY key", arn)
    }
