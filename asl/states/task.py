"""Task: call the resource's handler, with timeouts, heartbeats and AWS's task events."""

from __future__ import annotations

import uuid
from typing import Any

import anyio

from asl.choice import is_number
from asl.clock import RealClock
from asl.errors import HeartbeatTimeout, StatesError, StatesRuntime, StatesTimeout, TaskFailed
from asl.executor import Execution, Frame, Outcome, TokenWaiter, finish, task_input
from asl.history import EventType, Payload, payload_details
from asl.io import dynamic_value
from asl.model import Dynamic, TaskState
from asl.paths import Scope
from asl.resources import ResourceArn, TaskContext


def _seconds(dyn: Dynamic | None, scope: Scope) -> int | None:
    if dyn is None:
        return None
    value = dynamic_value(dyn, scope)
    if not is_number(value) or value <= 0 or int(value) != value:
        raise StatesRuntime(f"The {dyn.field} field must be a positive integer, but was: {value!r}")
    return int(value)


async def run(ex: Execution, state: TaskState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Task state (one attempt)."""
    arn = state.resource
    token: str | None = None
    if arn.pattern == "waitForTaskToken":
        token = str(uuid.uuid4())
        scope.context = {**scope.context, "Task": {"Token": token}}
    payload = task_input(state, raw, scope, state.arguments)
    timeout = _seconds(state.timeout, scope)
    heartbeat = _seconds(state.heartbeat, scope)
    mocked = ex.settings.mocks.get(state.name)
    handler = mocked or ex.settings.registry.lookup(arn)
    waits = arn.pattern == "waitForTaskToken" and mocked is None
    if handler is None and not (waits and ex.settings.on_wait is not None):
        raise StatesRuntime(f"No handler is registered for the resource {arn.raw}")
    history = frame.history
    lam = arn.is_lambda
    if lam:
        details: dict[str, Any] = {"resource": arn.raw, **payload_details(None, "input", payload)}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        history.add(EventType.LAMBDA_SCHEDULED, details)
        history.add(EventType.LAMBDA_STARTED)
    else:
        ident = _ident(arn)
        scheduled: dict[str, Any] = {**ident, "region": ex.settings.region, "parameters": Payload(payload)}
        if timeout is not None:
            scheduled["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            scheduled["heartbeatInSeconds"] = heartbeat
        history.add(EventType.TASK_SCHEDULED, scheduled)
        history.add(EventType.TASK_STARTED, ident)
    ctx = TaskContext(state.name, arn, scope.context, ex.clock, token, timeout, heartbeat, execution=ex)
    if waits:
        handler = _waiting(ex, handler, state.name, token or "")
    assert handler is not None  # checked above; a waiting task always gets the _waiting wrapper
    try:
        if type(ex.clock) is not RealClock or (timeout is None and heartbeat is None):
            result = await handler(payload, ctx)
        else:
            result = await _watched(handler, payload, ctx)
    except StatesError as err:
        _failed(history, arn, lam, err)
        raise
    except Exception as exc:
        failure = TaskFailed(type(exc).__name__, str(exc))
        _failed(history, arn, lam, failure)
        raise failure from exc
    if lam:
        history.add(EventType.LAMBDA_SUCCEEDED, payload_details(None, "output", result))
    else:
        history.add(EventType.TASK_SUCCEEDED, {**ident, **payload_details(None, "output", result)})
    return Outcome(finish(state, raw, result, scope), state.next, result=result)


_IDENTS: dict[str, dict[str, str]] = {}


def _ident(arn: ResourceArn) -> dict[str, str]:
    """`{"resourceType", "resource"}` of task events, computed once per resource (never mutated)."""
    ident = _IDENTS.get(arn.raw)
    if ident is None:
        ident = _IDENTS[arn.raw] = {"resourceType": arn.resource_type, "resource": arn.resource_name}
    return ident


def _waiting(ex: Execution, send: Any, state_name: str, token: str) -> Any:
    """Wrap a `.waitForTaskToken` handler: run it (it "sends" the token), then wait for the callback."""

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        waiter = TokenWaiter(ctx)
        ex.waiters[token] = waiter
        try:
            if send is not None:
                await send(payload, ctx)
            if not waiter.done and send is None:
                await ex.settings.on_wait(ex, state_name, payload, token)
            if not waiter.done and not isinstance(ex.clock, RealClock):
                await _virtual_wait(waiter)
            return await waiter.wait()
        finally:
            waiter.done = True
            ex.waiters.pop(token, None)

    return handler


async def _virtual_wait(waiter: TokenWaiter) -> None:
    """On the virtual clock, a token nobody completes times out at once instead of hanging."""
    await anyio.wait_all_tasks_blocked()
    if waiter.done:
        return
    ctx = waiter.context
    if ctx.deadline() is not None:
        await ctx.sleep(float("inf"))
    raise StatesTimeout(
        f"No callback arrived for task token {ctx.task_token}: the handler returned without calling "
        "ctx.execution.send_task_success/send_task_failure, and nothing else can complete it locally."
    )


async def _watched(handler: Any, payload: Any, ctx: TaskContext) -> Any:
    """Await the handler while a watchdog enforces TimeoutSeconds and HeartbeatSeconds on the real clock."""
    result: list[Any] = []
    expired: list[str] = []

    async def watchdog(scope: anyio.CancelScope) -> None:
        while True:
            deadline = ctx.deadline()
            assert deadline is not None
            remaining = deadline[0] - ctx.clock.now()
            if remaining <= 0:
                expired.append(deadline[1])
                scope.cancel()
                return
            await anyio.sleep(remaining)

    async with anyio.create_task_group() as tg:
        tg.start_soon(watchdog, tg.cancel_scope)
        result.append(await handler(payload, ctx))
        tg.cancel_scope.cancel()
    if expired:
        if expired[0] == "States.Timeout":
            raise StatesTimeout("Task timed out.")
        raise HeartbeatTimeout("Task did not send a heartbeat in time.")
    return result[0]


def _failed(history: Any, arn: Any, lam: bool, err: StatesError) -> None:
    timed_out = isinstance(err, StatesTimeout | HeartbeatTimeout)
    body = {"error": err.error, "cause": err.cause or ""}
    if lam:
        history.add(EventType.LAMBDA_TIMED_OUT if timed_out else EventType.LAMBDA_FAILED, body)
    else:
        ident = _ident(arn)
        history.add(EventType.TASK_TIMED_OUT if timed_out else EventType.TASK_FAILED, {**ident, **body})
