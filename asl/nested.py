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


def read_request(payload: Any) -> tuple[str, Any, str | None]:
    """The child's state machine ARN, input (a JSON value) and name, from the task's payload."""
    if not isinstance(payload, dict) or not isinstance(payload.get("StateMachineArn"), str):
        raise StatesRuntime(
            "states:startExecution needs a 'StateMachineArn' string in Parameters (or Arguments)"
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
    name = payload.get("Name")
    return payload["StateMachineArn"], child_input, name if isinstance(name, str) else None


def sync_output(
    pattern: str,
    execution_arn: str,
    child_input: Any,
    status: str,
    output: Any,
    error: str | None,
    cause: str | None,
    start: float,
    stop: float,
) -> dict[str, Any]:
    """What a `.sync`/`.sync:2` task returns for a finished child: its DescribeExecution (or raise its failure)."""
    as_json = pattern == "sync:2"
    machine_arn = execution_arn.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
    describe: dict[str, Any] = {
        "ExecutionArn": execution_arn,
        "Input": child_input if as_json else json.dumps(child_input, separators=(",", ":")),
        "InputDetails": {"Included": True},
        "Name": execution_arn.rsplit(":", 1)[-1],
        "StartDate": _date(start),
        "StateMachineArn": machine_arn,
        "Status": status,
        "StopDate": _date(stop),
    }
    if status == "SUCCEEDED":
        describe["Output"] = output if as_json else json.dumps(output, separators=(",", ":"))
        describe["OutputDetails"] = {"Included": True}
        return describe
    if error is not None:
        describe["Error"] = error
    if cause is not None:
        describe["Cause"] = cause
    raise TaskFailed("States.TaskFailed", json.dumps(describe, separators=(",", ":")))


def started(execution_arn: str, start: float) -> dict[str, Any]:
    """What a task without `.sync` returns: StartExecution's answer."""
    return {"ExecutionArn": execution_arn, "StartDate": _date(start)}


def start_execution_handler(resolve: Callable[[str], StateMachine | None]) -> Handler:
    """The handler for startExecution; `resolve` finds a local state machine by name or ARN."""

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        arn, child_input, name = read_request(payload)
        machine = resolve(arn)
        if machine is None:
            raise TaskFailed(
                "StepFunctions.StateMachineDoesNotExistException",
                f"State Machine Does Not Exist: '{arn}' (define it locally in asl.toml [state_machines] "
                "or with --state-machine NAME=FILE)",
            )
        result = await machine.run(child_input, clock=ctx.clock, execution_name=name)
        if not ctx.resource.pattern:
            return started(result.execution_arn, result.start_time)
        return sync_output(
            ctx.resource.pattern,
            result.execution_arn,
            child_input,
            result.status,
            result.output,
            result.error,
            result.cause,
            result.start_time,
            result.stop_time,
        )

    return handler
