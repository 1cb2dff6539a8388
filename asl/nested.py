"""Nested executions: `arn:aws:states:::states:startExecution` (and `.sync`, `.sync:2`) with local definitions.

The child runs in the same runner, on the same clock, with the same handlers and mocks. Results
are shaped as AWS returns them: StartExecution's `{ExecutionArn, StartDate}` without `.sync`;
DescribeExecution's output with `.sync` (Input/Output as JSON strings) and `.sync:2` (as JSON
values). A failed child fails the parent task with `States.TaskFailed` and the describe output as
the cause, as on AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from asl.errors import StatesRuntime, TaskFailed
from asl.resources import Handler, TaskContext

if TYPE_CHECKING:
    from asl.machine import StateMachine

START_EXECUTION = "arn:aws:states:::states:startExecution"


def _date(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def start_execution_handler(resolve: Callable[[str], StateMachine | None]) -> Handler:
    """The handler for startExecution; `resolve` finds a local state machine by name or ARN."""

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        if not isinstance(payload, dict) or not isinstance(payload.get("StateMachineArn"), str):
            raise StatesRuntime(
                "states:startExecution needs a 'StateMachineArn' string in Parameters (or Arguments)"
            )
        arn = payload["StateMachineArn"]
        machine = resolve(arn)
        if machine is None:
            raise TaskFailed(
                "StepFunctions.StateMachineDoesNotExistException",
                f"State Machine Does Not Exist: '{arn}' (define it locally in asl.toml [state_machines] "
                "or with --state-machine NAME=FILE)",
            )
        child_input = payload.get("Input", {})
        if isinstance(child_input, str):
            try:
                child_input = json.loads(child_input)
            except json.JSONDecodeError:
                raise TaskFailed(
                    "StepFunctions.InvalidExecutionInputException",
                    "Invalid State Machine Execution Input: 'Input' is not JSON",
                ) from None
        result = await machine.run(child_input, clock=ctx.clock, execution_name=payload.get("Name"))
        if not ctx.resource.pattern:
            return {"ExecutionArn": result.execution_arn, "StartDate": _date(result.start_time)}
        as_json = ctx.resource.pattern == "sync:2"
        machine_arn = result.execution_arn.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
        describe: dict[str, Any] = {
            "ExecutionArn": result.execution_arn,
            "Input": child_input if as_json else json.dumps(child_input, separators=(",", ":")),
            "InputDetails": {"Included": True},
            "Name": result.execution_arn.rsplit(":", 1)[-1],
            "StartDate": _date(result.start_time),
            "StateMachineArn": machine_arn,
            "Status": result.status,
            "StopDate": _date(result.stop_time),
        }
        if result.status == "SUCCEEDED":
            describe["Output"] = (
                result.output if as_json else json.dumps(result.output, separators=(",", ":"))
            )
            describe["OutputDetails"] = {"Included": True}
            return describe
        if result.error is not None:
            describe["Error"] = result.error
        if result.cause is not None:
            describe["Cause"] = result.cause
        raise TaskFailed("States.TaskFailed", json.dumps(describe, separators=(",", ":")))

    return handler
