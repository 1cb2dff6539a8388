"""AWS's TestState API, offline: one state, its input, variables, context and a mocked result or error.

`test_state(request)` takes TestState's request (a dict with AWS's field names; JSON fields may be
given as JSON strings, as on the wire, or as values) and returns TestState's response dict:
`status` (SUCCEEDED, FAILED, RETRIABLE, CAUGHT_ERROR), `output`, `error`, `cause`, `nextState`, and with
`inspectionLevel` DEBUG or TRACE the `inspectionData` (the data after each processing step, and
`errorDetails`: which retrier would retry the error and after how long, or which catcher catches it).
A request AWS refuses raises `TestStateError` whose `code` is AWS's error (ValidationException,
InvalidDefinition, InvalidExecutionInput).

As on AWS: Activity tasks, `.sync` and `.waitForTaskToken` integrations, Map and Parallel states run
only with a mock; a mocked result is checked against the service's API model (`asl.mockcheck`) in the
mock's `fieldValidationMode` (STRICT by default). Locally, a Task without a mock runs its handler from
`registry`. A Wait state does not wait.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from asl.model import MapState, ParallelState, State, TaskState
from asl.resources import TaskRegistry
from asl.teststate.evaluate import compact, evaluate
from asl.teststate.request import UNSET, Request, TestStateError, parse_request
from asl.teststate.state import compile_state

__all__ = ["TestStateError", "test_state", "test_state_async"]


def test_state(
    request: Mapping[str, Any],
    *,
    registry: TaskRegistry | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
) -> dict[str, Any]:
    """Run TestState's `request` offline and return its response (see the module's docstring)."""
    import anyio

    async def run() -> dict[str, Any]:
        return await test_state_async(request, registry=registry, region=region, account=account)

    return anyio.run(run)


test_state.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


async def test_state_async(
    request: Mapping[str, Any],
    *,
    registry: TaskRegistry | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
) -> dict[str, Any]:
    """`test_state` for async callers (the server's TestState action)."""
    parsed = parse_request(request)
    state = compile_state(parsed)
    _check_supported(state, parsed)
    context = _context(state, parsed, request.get("roleArn"), region, account)
    trace = await evaluate(state, parsed, context, registry or TaskRegistry())
    response: dict[str, Any] = {}
    if trace.output is not UNSET:
        response["output"] = compact(trace.output)
    if trace.error is not None:
        response["error"] = trace.error
    if trace.cause is not None:
        response["cause"] = trace.cause
    if parsed.inspection_level != "INFO":
        data = dict(trace.data)
        if trace.error_details:
            data["errorDetails"] = trace.error_details
        if parsed.inspection_level == "TRACE" and trace.http is not None:
            data.update(trace.http)  # the HTTP Task's request and response
        response["inspectionData"] = data
    if trace.next_state is not None and trace.status in ("SUCCEEDED", "CAUGHT_ERROR"):
        response["nextState"] = trace.next_state
    response["status"] = trace.status
    return response


test_state_async.__test__ = False  # type: ignore[attr-defined]


def _check_supported(state: State, request: Request) -> None:
    """What AWS runs only with a mock, and mocks where they mean nothing."""
    needs_mock = None
    if isinstance(state, MapState | ParallelState):
        needs_mock = f"a {state.type} state"
    elif isinstance(state, TaskState) and state.resource.is_activity:
        needs_mock = "an Activity task"
    elif isinstance(state, TaskState) and state.resource.pattern:
        needs_mock = f"the .{state.resource.pattern} integration pattern"
    if needs_mock and not request.mocked:
        raise TestStateError(
            "ValidationException",
            f"TestState runs {needs_mock} only with a mock (mock.result or mock.errorOutput)",
        )
    if request.mocked and not isinstance(state, TaskState | MapState | ParallelState):
        raise TestStateError(
            "ValidationException",
            f"A mock applies to Task, Map and Parallel states, not to a {state.type} state",
        )
    if request.error_caused_by_state is not None and not isinstance(state, MapState | ParallelState):
        raise TestStateError(
            "ValidationException", "stateConfiguration.errorCausedByState applies to Map and Parallel states"
        )
    if request.mock_result is not UNSET and isinstance(state, TaskState):
        from asl.mockcheck import check

        issues = check(state.resource, request.mock_result, request.field_validation)
        errors = [issue for issue in issues if issue.error]
        if errors:
            raise TestStateError("ValidationException", errors[0].message)
        for issue in issues:
            from asl.mockcheck import MockFieldWarning

            warnings.warn(f"mock.result: {issue.describe()}", MockFieldWarning, stacklevel=3)


def _context(state: State, request: Request, role: Any, region: str, account: str) -> dict[str, Any]:
    """The context object: TestState's defaults with the request's `context` merged in."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    machine = f"arn:aws:states:{region}:{account}:stateMachine:TestStateMachine"
    context: dict[str, Any] = {
        "Execution": {
            "Id": f"arn:aws:states:{region}:{account}:execution:TestStateMachine:test-state",
            "Input": request.input,
            "Name": "test-state",
            "RoleArn": role if isinstance(role, str) else f"arn:aws:iam::{account}:role/TestStateRole",
            "StartTime": now,
            "RedriveCount": 0,
        },
        "StateMachine": {"Id": machine, "Name": "TestStateMachine"},
        "State": {"Name": state.name, "EnteredTime": now, "RetryCount": request.retrier_retry_count},
    }
    return _merge(context, request.context)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = (
            _merge(merged[key], value)
            if isinstance(value, dict) and isinstance(merged.get(key), dict)
            else value
        )
    return merged
