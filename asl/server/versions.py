"""Versions, aliases and tags: Publish/List/DeleteStateMachineVersion, the alias actions, Tag/Untag/ListTags."""

from __future__ import annotations

import json
from typing import Any

from asl.server import interpreter
from asl.server.arns import check_alias_name, invalid_arn, read_machine, read_tags
from asl.server.backend import Backend
from asl.server.errors import ServiceError
from asl.server.paging import fetch_page
from asl.server.state_machines import get_machine
from asl.store import executions as exec_sql
from asl.store import machines as sql

Request = dict[str, Any]


async def publish_state_machine_version(backend: Backend, request: Request) -> dict[str, Any]:
    """PublishStateMachineVersion: the current revision as the next version (again: the same version)."""
    machine = await get_machine(backend, request["stateMachineArn"])
    expected = request.get("revisionId")
    if expected and expected != machine["revision_id"]:
        raise ServiceError(
            "ConflictException",
            f"Failed to publish the State Machine version for revision {expected}. "
            f"The current State Machine revision is {machine['revision_id']}.",
        )
    now = interpreter.now()
    version = await backend.db.run(sql.publish_version, machine["arn"], request.get("description") or "", now)
    return {"stateMachineVersionArn": version["arn"], "creationDate": version["created"]}


async def list_state_machine_versions(backend: Backend, request: Request) -> dict[str, Any]:
    """ListStateMachineVersions, newest first."""
    machine = await get_machine(backend, request["stateMachineArn"])
    shown, token = await fetch_page(
        backend.db, request, "versions", "version", 2**62, sql.list_versions, machine["arn"]
    )
    return {
        "stateMachineVersions": [
            {"stateMachineVersionArn": row["arn"], "creationDate": row["created"]} for row in shown
        ],
        "nextToken": token,
    }


async def delete_state_machine_version(backend: Backend, request: Request) -> dict[str, Any]:
    """DeleteStateMachineVersion: refused while an alias routes to it, as AWS."""
    arn = request["stateMachineVersionArn"]
    if read_machine(arn, backend.where).version is None:
        raise invalid_arn(arn, "Not a state machine version ARN")
    aliases = await backend.db.query(sql.aliases_routing_to, arn)
    if aliases:
        names = ", ".join(alias["arn"] for alias in aliases)
        raise ServiceError(
            "ConflictException",
            f"Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{names}]",
        )
    await backend.db.run(sql.delete_version, arn)
    return {}


async def _routing(backend: Backend, machine_arn: str, routing: list[dict[str, Any]]) -> str:
    """Check a routing configuration as AWS does; return it as stored."""
    if not 1 <= len(routing) <= 2:
        raise ServiceError("ValidationException", "An alias routes to one or two versions")
    if sum(route["weight"] for route in routing) != 100:
        raise ServiceError(
            "ValidationException", "The weights of an alias's routing configuration must add up to 100"
        )
    seen = set()
    for route in routing:
        version_arn = route["stateMachineVersionArn"]
        ref = read_machine(version_arn, backend.where)
        if ref.version is None or ref.arn != machine_arn:
            raise invalid_arn(version_arn, "Routing must name versions of the alias's own state machine")
        if version_arn in seen:
            raise ServiceError("ValidationException", f"Routing configuration names {version_arn} twice")
        seen.add(version_arn)
        if await backend.db.query(sql.get_version, version_arn) is None:
            raise ServiceError("ResourceNotFound", f"Resource not found: '{version_arn}'")
    return json.dumps(
        [{"stateMachineVersionArn": r["stateMachineVersionArn"], "weight": r["weight"]} for r in routing]
    )


async def create_state_machine_alias(backend: Backend, request: Request) -> dict[str, Any]:
    """CreateStateMachineAlias (idempotent when name, routing and description match)."""
    name = request["name"]
    check_alias_name(name)
    first = (
        request["routingConfiguration"][0]["stateMachineVersionArn"]
        if request["routingConfiguration"]
        else ""
    )
    machine_arn = read_machine(first, backend.where).arn if first else ""
    machine = await get_machine(backend, machine_arn)
    routing = await _routing(backend, machine["arn"], request["routingConfiguration"])
    now = interpreter.now()
    row = {
        "arn": f"{machine['arn']}:{name}",
        "machine_arn": machine["arn"],
        "name": name,
        "description": request.get("description") or "",
        "routing": routing,
        "created": now,
    }
    existing = await backend.db.run(sql.create_alias, row)
    if existing is not None:
        if existing["routing"] != routing or existing["description"] != row["description"]:
            raise ServiceError(
                "ConflictException",
                f"Failed to create alias because an alias with the same name and a different routing configuration already exists: {row['arn']}",
            )
        return {"stateMachineAliasArn": existing["arn"], "creationDate": existing["created"]}
    return {"stateMachineAliasArn": row["arn"], "creationDate": now}


async def _alias(backend: Backend, arn: str) -> dict[str, Any]:
    if read_machine(arn, backend.where).alias is None:
        raise invalid_arn(arn, "Not a state machine alias ARN")
    row = await backend.db.query(sql.get_alias, arn)
    if row is None:
        raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
    return row


async def describe_state_machine_alias(backend: Backend, request: Request) -> dict[str, Any]:
    """DescribeStateMachineAlias."""
    row = await _alias(backend, request["stateMachineAliasArn"])
    return {
        "stateMachineAliasArn": row["arn"],
        "name": row["name"],
        "description": row["description"] or None,
        "routingConfiguration": json.loads(row["routing"]),
        "creationDate": row["created"],
        "updateDate": row["updated"] or row["created"],
    }


async def list_state_machine_aliases(backend: Backend, request: Request) -> dict[str, Any]:
    """ListStateMachineAliases, in creation order."""
    machine = await get_machine(backend, request["stateMachineArn"])
    shown, token = await fetch_page(
        backend.db, request, "aliases", "seq", 0, sql.list_aliases, machine["arn"]
    )
    return {
        "stateMachineAliases": [
            {"stateMachineAliasArn": row["arn"], "creationDate": row["created"]} for row in shown
        ],
        "nextToken": token,
    }


async def update_state_machine_alias(backend: Backend, request: Request) -> dict[str, Any]:
    """UpdateStateMachineAlias: a new description or routing."""
    row = await _alias(backend, request["stateMachineAliasArn"])
    changes: dict[str, Any] = {}
    if request.get("description") is not None:
        changes["description"] = request["description"]
    if request.get("routingConfiguration") is not None:
        changes["routing"] = await _routing(backend, row["machine_arn"], request["routingConfiguration"])
    if not changes:
        raise ServiceError("ValidationException", "Give a description or a routingConfiguration to update")
    changes["updated"] = interpreter.now()
    await backend.db.run(sql.update_alias, row["arn"], changes)
    return {"updateDate": changes["updated"]}


async def delete_state_machine_alias(backend: Backend, request: Request) -> dict[str, Any]:
    """DeleteStateMachineAlias."""
    row = await _alias(backend, request["stateMachineAliasArn"])
    await backend.db.run(sql.delete_alias, row["arn"])
    return {}


async def _taggable(backend: Backend, arn: str) -> None:
    """Tags live on state machines and activities."""
    found = await backend.db.query(sql.get_machine, arn) or await backend.db.query(exec_sql.get_activity, arn)
    if found is None:
        raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")


async def tag_resource(backend: Backend, request: Request) -> dict[str, Any]:
    """TagResource."""
    tags = read_tags(request["tags"])
    await _taggable(backend, request["resourceArn"])
    await backend.db.run(sql.set_tags, request["resourceArn"], tags)
    return {}


async def untag_resource(backend: Backend, request: Request) -> dict[str, Any]:
    """UntagResource."""
    await _taggable(backend, request["resourceArn"])
    await backend.db.run(sql.remove_tags, request["resourceArn"], request["tagKeys"])
    return {}


async def list_tags_for_resource(backend: Backend, request: Request) -> dict[str, Any]:
    """ListTagsForResource."""
    await _taggable(backend, request["resourceArn"])
    tags = await backend.db.query(sql.list_tags, request["resourceArn"])
    return {"tags": [{"key": key, "value": value} for key, value in tags.items()]}


ACTIONS = {
    "PublishStateMachineVersion": publish_state_machine_version,
    "ListStateMachineVersions": list_state_machine_versions,
    "DeleteStateMachineVersion": delete_state_machine_version,
    "CreateStateMachineAlias": create_state_machine_alias,
    "DescribeStateMachineAlias": describe_state_machine_alias,
    "ListStateMachineAliases": list_state_machine_aliases,
    "UpdateStateMachineAlias": update_state_machine_alias,
    "DeleteStateMachineAlias": delete_state_machine_alias,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
