"""`states:startExecution` inside a served workflow: the child is a real execution on this server.

It is listed, described and stopped like any other; `.sync` and `.sync:2` wait for it and return its
DescribeExecution as AWS does (`asl.nested` shapes the result, for `asl run` too).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from asl import nested
from asl.errors import TaskFailed
from asl.resources import Handler, TaskContext
from asl.server.errors import ServiceError
from asl.store import executions as sql

if TYPE_CHECKING:
    from asl.server.backend import Backend


def start_execution_handler(backend: Backend) -> Handler:
    """The handler for `arn:aws:states:::states:startExecution` (and `.sync`, `.sync:2`)."""

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        from asl.server import executions

        arn, child_input, name = nested.read_request(payload)
        # The task's token is the same when the parent resumes after a restart: a child it started
        # before is found again instead of started twice.
        key = ctx.task_token
        row = await backend.db.query(sql.child_of, key) if key else None
        if row is None:
            request = {"stateMachineArn": arn, "input": json.dumps(child_input)}
            if name is not None:
                request["name"] = name
            try:
                row = await executions.start(backend, request, sync=False, parent_token=key)
            except ServiceError as error:
                code = error.code if error.code.endswith("Exception") else f"{error.code}Exception"
                raise TaskFailed(f"StepFunctions.{code}", error.message) from None
        if not ctx.resource.pattern:
            return nested.started(row["arn"], row["start_date"])
        row = await backend.runtime.closed(row["arn"])
        output = json.loads(row["output"]) if row["output"] is not None else None
        return nested.sync_output(
            ctx.resource.pattern,
            row["arn"],
            child_input,
            row["status"],
            output,
            row["error"],
            row["cause"],
            row["start_date"],
            row["stop_date"],
        )

    return handler
