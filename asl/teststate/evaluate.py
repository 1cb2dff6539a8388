"""Running the state under test once, keeping the data after each processing step (inspectionData).

The steps, as AWS names them: `input`, `afterInputPath`, `afterParameters` (JSONPath) or
`afterArguments` (JSONata), `result`, `afterResultSelector`, `afterResultPath`, `variables`. An error is
then matched against the state's Retry (with `retrierRetryCount` retries already made) and Catch:
RETRIABLE, CAUGHT_ERROR (with the catcher's output and Next) or FAILED.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from asl import http_task, io
from asl.clock import VirtualClock
from asl.errors import NoChoiceMatched, StatesError, TaskFailed
from asl.model import (
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    QueryLanguage,
    State,
    SucceedState,
    TaskState,
    WaitState,
)
from asl.paths import Scope
from asl.resources import TaskContext, TaskRegistry
from asl.retry import catcher_output, first_match
from asl.teststate.request import UNSET, Request, TestStateError


def compact(value: Any) -> str:
    """JSON as TestState returns it: compact."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Trace:
    """What happened: inspection data in step order, then the outcome."""

    data: dict[str, Any] = field(default_factory=dict)
    output: Any = UNSET
    next_state: str | None = None
    status: str = "SUCCEEDED"
    error: str | None = None
    cause: str | None = None
    error_details: dict[str, int] = field(default_factory=dict)
    #: An HTTP Task's request and response (TRACE).
    http: dict[str, Any] | None = None

    def keep(self, key: str, value: Any) -> Any:
        self.data[key] = compact(value)
        return value


async def evaluate(state: State, request: Request, context: dict[str, Any], registry: TaskRegistry) -> Trace:
    """Run `state` once on the request's input, variables and context (or mock)."""
    trace = Trace()
    trace.data["input"] = request.input_text
    variables = dict(request.variables)
    raw = request.input
    scope = Scope(raw, context, variables)
    token = http_task.exchange.set(None)
    try:
        await _run(state, request, raw, scope, trace, registry)
    except StatesError as err:
        _handle(state, request, raw, scope, trace, err)
    trace.http = http_task.exchange.get()
    http_task.exchange.reset(token)
    if variables != request.variables or state.assign is not None:
        trace.data["variables"] = compact(scope.variables)
    return trace


async def _run(
    state: State, request: Request, raw: Any, scope: Scope, trace: Trace, registry: TaskRegistry
) -> None:
    jsonata = state.query_language is QueryLanguage.JSONATA
    if isinstance(state, FailState):
        from asl.io import dynamic_value

        error = dynamic_value(state.error, scope) if state.error is not None else ""
        cause = dynamic_value(state.cause, scope) if state.cause is not None else None
        raise _Failed(str(cause) if cause is not None else None, error=str(error))
    if isinstance(state, ChoiceState | WaitState | SucceedState):
        value = raw if jsonata else trace.keep("afterInputPath", io.effective_input(state, raw, scope))
        test_scope = scope if jsonata else Scope(value, scope.context, scope.variables)
        next_state, output_expr, assign = state.next, state.output, state.assign
        if isinstance(state, ChoiceState):
            rule = next((r for r in state.choices if r.test(test_scope)), None)
            if rule is None and state.default is None:
                raise NoChoiceMatched(
                    f"No Matches! Choice state '{state.name}' has no rule matching its input and no Default."
                )
            next_state = rule.next if rule is not None else state.default
            if rule is not None:
                output_expr = rule.output or output_expr
                assign = rule.assign or assign
        if jsonata:
            output = output_expr(scope) if output_expr is not None else raw
        else:
            output = io.apply_output_path(state, value, scope)
        _assign(state, assign, scope, value, raw, UNSET)
        trace.output, trace.next_state = output, next_state
        return
    if jsonata:
        arguments = getattr(state, "arguments", None)
        payload = trace.keep("afterArguments", arguments(scope)) if arguments is not None else raw
    else:
        value = io.effective_input(state, raw, scope)
        if not isinstance(state, ParallelState):
            trace.keep("afterInputPath", value)
        payload = value
        if state.parameters is not None:
            payload = trace.keep(
                "afterParameters", state.parameters(Scope(value, scope.context, scope.variables))
            )
    if isinstance(state, MapState):
        _map_inspection(state, scope, trace)
    result = await _work(state, request, payload, scope, registry)
    if isinstance(state, TaskState) or jsonata:
        trace.keep("result", result)
    if jsonata:
        output = (
            state.output(Scope(raw, scope.context, scope.variables, result=result))
            if state.output
            else result
        )
    else:
        selected, combined = io.place_result(state, raw, result, scope)
        trace.keep("afterResultSelector", selected)
        trace.keep("afterResultPath", combined)
        output = io.apply_output_path(state, combined, scope)
    _assign(state, state.assign, scope, UNSET, raw, result)
    trace.output, trace.next_state = output, state.next


class _Failed(StatesError):
    """A Fail state's error."""


async def _work(state: State, request: Request, payload: Any, scope: Scope, registry: TaskRegistry) -> Any:
    """The state's result: Pass's Result, the mock, or the Task's handler."""
    if isinstance(state, PassState):
        return state.result if state.has_result else payload
    if request.mock_error is not None:
        raise TaskFailed(*request.mock_error)
    if request.mock_result is not UNSET:
        return request.mock_result
    assert isinstance(state, TaskState)
    handler = registry.lookup(state.resource)
    if handler is None:
        raise TestStateError(
            "ValidationException",
            f"Nothing serves {state.resource.raw} locally: give a mock (mock.result or mock.errorOutput), "
            "or a handler for it",
        )
    ctx = TaskContext(state.name, state.resource, scope.context, VirtualClock())
    try:
        return await handler(payload, ctx)
    except StatesError:
        raise
    except Exception as exc:
        raise TaskFailed(type(exc).__name__, str(exc)) from exc


def _map_inspection(state: MapState, scope: Scope, trace: Trace) -> None:
    from asl.io import dynamic_value

    concurrency = dynamic_value(state.max_concurrency, scope) if state.max_concurrency is not None else 0
    trace.data["maxConcurrency"] = int(concurrency) if isinstance(concurrency, int | float) else 0
    if state.tolerated_failure_count is not None:
        count = dynamic_value(state.tolerated_failure_count, scope)
        trace.data["toleratedFailureCount"] = int(count) if isinstance(count, int | float) else 0
    if state.tolerated_failure_percentage is not None:
        percentage = dynamic_value(state.tolerated_failure_percentage, scope)
        trace.data["toleratedFailurePercentage"] = (
            float(percentage) if isinstance(percentage, int | float) else 0.0
        )


def _assign(state: State, expr: Any, scope: Scope, value: Any, raw: Any, result: Any) -> None:
    """Assign's variables, as the executor evaluates them (JSONPath: on the result or the filtered input)."""
    if expr is None:
        return
    if state.query_language is QueryLanguage.JSONATA:
        values = expr(Scope(raw, scope.context, scope.variables, result=result))
    else:
        seen = value if value is not UNSET else result
        values = expr(Scope(seen if seen is not UNSET else raw, scope.context, scope.variables))
    if isinstance(values, dict):
        scope.variables = {**scope.variables, **values}


def _handle(state: State, request: Request, raw: Any, scope: Scope, trace: Trace, err: StatesError) -> None:
    """Retry or Catch, as the state would treat `err` after `retrierRetryCount` retries."""
    trace.error, trace.cause = err.error, err.cause
    trace.status = "FAILED"
    if err.error == "States.Runtime" or isinstance(err, _Failed):
        return
    index = first_match(err.error, state.retry)
    if index is not None and request.retrier_retry_count < state.retry[index].max_attempts:
        retrier = state.retry[index]
        delay = retrier.interval_seconds * retrier.backoff_rate**request.retrier_retry_count
        if retrier.max_delay_seconds is not None:
            delay = min(delay, retrier.max_delay_seconds)
        trace.status = "RETRIABLE"
        trace.error_details = {"retryBackoffIntervalSeconds": int(delay), "retryIndex": index}
        return
    catch_index = first_match(err.error, state.catch)
    if catch_index is None:
        return
    catcher = state.catch[catch_index]
    output, assigned = catcher_output(catcher, state.query_language, err.error, err.cause, raw, scope)
    if isinstance(assigned, dict):
        scope.variables = {**scope.variables, **assigned}
    trace.status = "CAUGHT_ERROR"
    trace.output, trace.next_state = output, catcher.next
    trace.error_details = {"catchIndex": catch_index}
