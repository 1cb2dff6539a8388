"""Callbacks and activities: SendTaskSuccess/Failure/Heartbeat, the activity actions, GetActivityTask."""

from __future__ import annotations

from typing import Any

from asl.server import interpreter
from asl.server.arns import check_name, read_activity, read_tags
from asl.server.backend import Backend
from asl.server.errors import ServiceError
from asl.server.executions import read_json
from asl.server.paging import fetch_page
from asl.store import executions as sql
from asl.store import machines as machine_sql

Request = dict[str, Any]


async def send_task_success(backend: Backend, request: Request) -> dict[str, Any]:
    """SendTaskSuccess: the output must be JSON; committed before the task sees it."""
    output = request["output"]
    read_json(output, "InvalidOutput", "Invalid Output")
    await backend.runtime.send(request["taskToken"], "success", output, None, None)
    return {}


async def send_task_failure(backend: Backend, request: Request) -> dict[str, Any]:
    """SendTaskFailure: the task fails with `error` and `cause` (its Retry and Catch apply)."""
    await backend.runtime.send(
        request["taskToken"], "failure", None, request.get("error"), request.get("cause")
    )
    return {}


async def send_task_heartbeat(backend: Backend, request: Request) -> dict[str, Any]:
    """SendTaskHeartbeat: the task's HeartbeatSeconds start again."""
    await backend.runtime.send(request["taskToken"], "heartbeat", None, None, None)
    return {}


async def create_activity(backend: Backend, request: Request) -> dict[str, Any]:
    """CreateActivity (idempotent: the same name gives the same activity)."""
    name = request["name"]
    check_name(name)
    if (request.get("encryptionConfiguration") or {}).get("type", "AWS_OWNED_KEY") != "AWS_OWNED_KEY":
        raise ServiceError(
            "ValidationException",
            "asl serve does not use KMS: encryptionConfiguration.type must be AWS_OWNED_KEY",
        )
    arn = backend.where.activity(name)
    row = await backend.db.run(sql.create_activity, arn, name, interpreter.now())
    tags = read_tags(request.get("tags"))
    if tags:
        await backend.db.run(machine_sql.set_tags, arn, tags)
    backend.runtime.activities.arns.add(arn)
    return {"activityArn": arn, "creationDate": row["created"]}


async def _activity(backend: Backend, arn: str) -> dict[str, Any]:
    read_activity(arn, backend.where)
    row = await backend.db.query(sql.get_activity, arn)
    if row is None:
        raise ServiceError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
    return row


async def describe_activity(backend: Backend, request: Request) -> dict[str, Any]:
    """DescribeActivity."""
    row = await _activity(backend, request["activityArn"])
    return {"activityArn": row["arn"], "name": row["name"], "creationDate": row["created"]}


async def delete_activity(backend: Backend, request: Request) -> dict[str, Any]:
    """DeleteActivity."""
    arn = request["activityArn"]
    read_activity(arn, backend.where)
    await backend.db.run(sql.delete_activity, arn)
    backend.runtime.activities.arns.discard(arn)
    return {}


async def list_activities(backend: Backend, request: Request) -> dict[str, Any]:
    """ListActivities, in creation order."""
    shown, token = await fetch_page(backend.db, request, "activities", "seq", 0, sql.list_activities)
    return {
        "activities": [
            {"activityArn": row["arn"], "name": row["name"], "creationDate": row["created"]} for row in shown
        ],
        "nextToken": token,
    }


async def get_activity_task(backend: Backend, request: Request) -> dict[str, Any]:
    """GetActivityTask: a long poll (60 s as AWS, unless the server was told otherwise)."""
    arn = request["activityArn"]
    await _activity(backend, arn)
    task = await backend.runtime.activities.poll(arn, backend.settings.activity_poll_seconds)
    if task is None:
        return {}
    return {"taskToken": task.token, "input": task.input}


ACTIONS = {
    "SendTaskSuccess": send_task_success,
    "SendTaskFailure": send_task_failure,
    "SendTaskHeartbeat": send_task_heartbeat,
    "CreateActivity": create_activity,
    "DescribeActivity": describe_activity,
    "DeleteActivity": delete_activity,
    "ListActivities": list_activities,
    "GetActivityTask": get_activity_task,
}
