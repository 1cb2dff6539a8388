"""A workflow with a retried task, a caught failure and a Map; helpers to write and change it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asl import TaskContext, TaskFailed, TaskRegistry

FETCH = "arn:aws:states:::lambda:invoke"
CHARGE = "arn:aws:lambda:us-east-1:123456789012:function:charge"
SEND = "arn:aws:states:::sns:publish"

DEFINITION: dict[str, Any] = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {
            "Type": "Task",
            "Resource": FETCH,
            "Parameters": {"FunctionName": "fetch", "Payload.$": "$"},
            "ResultSelector": {"items.$": "$.Payload.items"},
            "ResultPath": "$.fetched",
            "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "Next": "Charge",
        },
        "Charge": {
            "Type": "Task",
            "Resource": CHARGE,
            "Catch": [{"ErrorEquals": ["Declined"], "ResultPath": "$.declined", "Next": "Notify"}],
            "Next": "Done",
        },
        "Notify": {
            "Type": "Map",
            "ItemsPath": "$.fetched.items",
            "ItemProcessor": {
                "StartAt": "Send",
                "States": {
                    "Send": {"Type": "Task", "Resource": SEND, "Parameters": {"n.$": "$"}, "End": True}
                },
            },
            "ResultPath": "$.sent",
            "Next": "Label",
        },
        "Label": {"Type": "Pass", "Result": "declined", "ResultPath": "$.label", "End": True},
        "Done": {"Type": "Succeed"},
    },
}


def registry() -> TaskRegistry:
    """Fetch is busy twice, Charge declines, Send answers per item."""
    calls = {"fetch": 0}

    async def fetch(payload: Any, ctx: TaskContext) -> Any:
        calls["fetch"] += 1
        if calls["fetch"] < 3:
            raise TaskFailed("Busy", f"attempt {calls['fetch']}")
        return {"StatusCode": 200, "Payload": {"items": [1, 2, 3]}}

    async def charge(payload: Any, ctx: TaskContext) -> Any:
        raise TaskFailed("Declined", "card 4242 declined")

    async def send(payload: Any, ctx: TaskContext) -> Any:
        return {"MessageId": f"m-{payload['n']}"}

    tasks = TaskRegistry()
    tasks.register(FETCH, fetch)
    tasks.register(CHARGE, charge)
    tasks.register(SEND, send)
    return tasks


def write(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=2))
    return path


def changed(path: Path, edit: Any) -> Path:
    """A copy of the definition with `edit(definition)` applied."""
    definition = json.loads(json.dumps(DEFINITION))
    edit(definition)
    return write(path, definition)
