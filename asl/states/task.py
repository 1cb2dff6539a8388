"""Task: call the resource's handler, with timeouts, heartbeats and AWS's task events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio

from asl.choice import is_number
from asl.clock import WOKEN_BY_DEADLINE, Group, RealClock, Signal
from asl.errors import StatesError, StatesRuntime, StatesTimeout, TaskFailed
from asl.history import EventType, Lane, Payload, dumps, payload_details
from asl.io import bracketed, dynamic_value
from asl.jsonvalue import json_type
from asl.model import Dynamic, TaskState
from asl.nested import START_EXECUTION
from asl.paths import PathNotFound, Scope
from asl.resources import ResourceArn, TaskContext
from asl.runtime import Frame, Outcome, Runtime, TokenWaiter, timeout_error
from asl.states.common import finish, task_input


def _seconds(dyn: Dynamic | None, scope: Scope) -> int | None:
    """TimeoutSeconds or HeartbeatSeconds, given literally, by `*Path` or by JSONata."""
    if dyn is None:
        return None
    if dyn.path is not None:
        try:
            value = dyn.path.get(scope)
        except PathNotFound:
            # AWS's recorded cause (test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH]).
            raise StatesRuntime(
                f"Invalid path '{dyn.text}' : No results for path: {bracketed(dyn.path)}"
            ) from None
    else:
        value = dynamic_value(dyn, scope)
    if not is_number(value) or value <= 0 or int(value) != value:
        raise StatesRuntime(
            f"The {dyn.field} field must be a positive integer, but was {json_type(value)}: {dumps(value)}"
        )
    return int(value)


async def run(ex: Runtime, state: TaskState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Task state (one attempt)."""
    arn = state.resource
    history = frame.history
    token: str | None = None
    if arn.pattern == "waitForTaskToken":
        token = ex.task_token(history)
        scope.context = {**scope.context, "Task": {"Token": token}}
    elif arn.is_activity:
        token = ex.task_token(history)  # what a worker polling GetActivityTask receives
    elif arn.base == START_EXECUTION:
        token = ex.task_token(history)  # a server finds the child it started by it after a restart
    payload = task_input(state, raw, scope, state.arguments)
    timeout = _seconds(state.timeout, scope)
    heartbeat = _seconds(state.heartbeat, scope)
    mocked = ex.settings.mocks.get(state.name)
    handler = mocked or ex.settings.registry.lookup(arn)
    waits = arn.pattern == "waitForTaskToken" and mocked is None
    if handler is None and not (waits and ex.settings.on_wait is not None):
        raise StatesRuntime(f"No handler is registered for the resource {arn.raw}")
    lam = arn.is_lambda
    kind = _LAMBDA if lam else _ACTIVITY if arn.is_activity else _TASK
    ident = _ident(arn)
    if kind is not _TASK:
        details: dict[str, Any] = {"resource": arn.raw, **payload_details(None, "input", payload)}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None and kind is _ACTIVITY:
            details["heartbeatInSeconds"] = heartbeat
        history.add(kind.scheduled, details)
        if not getattr(handler, "records_activity_start", False):
            history.add(kind.started, {} if kind is _ACTIVITY else None)
    else:
        scheduled: dict[str, Any] = {**ident, "region": ex.settings.region, "parameters": Payload(payload)}
        if timeout is not None:
            scheduled["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            scheduled["heartbeatInSeconds"] = heartbeat
        history.add(EventType.TASK_SCHEDULED, scheduled)
        history.add(EventType.TASK_STARTED, ident)
    ctx = TaskContext(
        state.name, arn, scope.context, ex.clock, token, timeout, heartbeat, execution=ex, lane=history
    )
    recording = history.history.recording
    if recording is not None:
        ctx.started = history.history.timestamp(history.last)  # deadlines run from the recorded start
        if token in ex.settings.heartbeats:
            ctx.heartbeats.append(ex.settings.heartbeats[token])
    try:
        recorded = recording.peek(history.key) if recording is not None else None
        if recorded is not None and recorded["type"] in _OUTCOMES:
            result = _recorded_outcome(recorded)
        elif waits:
            result = await _callback(ex, handler, payload, ctx, state.name, token or "")
        elif timeout is None and heartbeat is None:
            assert handler is not None
            result = await handler(payload, ctx)
        else:
            result = await _raced(ex, handler, payload, ctx)
    except StatesError as err:
        _failed(history, kind, ident, err)
        raise
    except Exception as exc:
        failure = TaskFailed(type(exc).__name__, str(exc))
        _failed(history, kind, ident, failure)
        raise failure from exc
    succeeded = payload_details(None, "output", result)
    history.add(kind.succeeded, succeeded if kind is not _TASK else {**ident, **succeeded})
    return Outcome(finish(state, raw, result, scope), state.next, result=result)


@dataclass(frozen=True, slots=True)
class _Events:
    """The history events of one kind of task: Lambda functions, activities, service integrations."""

    scheduled: str
    started: str
    succeeded: str
    failed: str
    timed_out: str


_LAMBDA = _Events(
    EventType.LAMBDA_SCHEDULED,
    EventType.LAMBDA_STARTED,
    EventType.LAMBDA_SUCCEEDED,
    EventType.LAMBDA_FAILED,
    EventType.LAMBDA_TIMED_OUT,
)
_ACTIVITY = _Events(
    EventType.ACTIVITY_SCHEDULED,
    EventType.ACTIVITY_STARTED,
    EventType.ACTIVITY_SUCCEEDED,
    EventType.ACTIVITY_FAILED,
    EventType.ACTIVITY_TIMED_OUT,
)
_TASK = _Events(
    EventType.TASK_SCHEDULED,
    EventType.TASK_STARTED,
    EventType.TASK_SUCCEEDED,
    EventType.TASK_FAILED,
    EventType.TASK_TIMED_OUT,
)

_IDENTS: dict[str, dict[str, str]] = {}


def _ident(arn: ResourceArn) -> dict[str, str]:
    """`{"resourceType", "resource"}` of task events, computed once per resource (never mutated)."""
    ident = _IDENTS.get(arn.raw)
    if ident is None:
        ident = _IDENTS[arn.raw] = {"resourceType": arn.resource_type, "resource": arn.resource_name}
    return ident


async def _callback(
    ex: Runtime, send: Any, payload: Any, ctx: TaskContext, state_name: str, token: str
) -> Any:
    """A `.waitForTaskToken` task: run its handler (it "sends" the token), then wait for the callback.

    The wait enforces TimeoutSeconds and HeartbeatSeconds itself. An answer that may come from outside
    (the terminal prompt, or a client of the server) holds the virtual clock back from the task's
    deadline; one that only this process could give ends as stalled when nothing can give it any more.
    """
    waiter = TokenWaiter(ctx)
    ex.waiters[token] = waiter
    outside = ex.settings.callbacks_from_outside
    try:
        if send is not None:
            if ctx.deadline() is None:
                await send(payload, ctx)
            else:
                await _raced(ex, send, payload, ctx)
        elif not waiter.done:
            return await _asking(ex, waiter, payload, state_name, token)
        return await waiter.wait(outside=outside)
    finally:
        waiter.done = True
        ex.waiters.pop(token, None)


async def _asking(ex: Runtime, waiter: TokenWaiter, payload: Any, state_name: str, token: str) -> Any:
    """Ask outside the execution (the terminal prompt) and wait for the answer, holding the clock back.

    The asking task does not count as running on the execution's clock: a person may take their
    time, while the rest of the execution moves on up to this task's deadline.
    """
    outcome: list[tuple[bool, Any]] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(ex.settings.on_wait, ex, state_name, payload, token)
        try:
            outcome.append((True, await waiter.wait(outside=True)))
        except StatesError as err:
            outcome.append((False, err))
        tg.cancel_scope.cancel()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


async def _raced(ex: Runtime, handler: Any, payload: Any, ctx: TaskContext) -> Any:
    """Await the handler while its TimeoutSeconds and HeartbeatSeconds run; a deadline that comes first wins.

    The handler runs as a child on the execution's clock; the task waits for it or for its deadline
    (which every heartbeat moves), and cancels it when the deadline comes first. On the virtual
    clock a tie goes to the deadline, as a task must finish within its timeout.
    """
    outcome: list[tuple[bool, Any]] = []
    expired: str | None = None

    async def call() -> None:
        try:
            outcome.append((True, await handler(payload, ctx)))
        except Exception as exc:
            outcome.append((False, exc))
        finally:
            ctx.bell.set()

    clock = ex.clock
    virtual = not isinstance(clock, RealClock)
    async with Group(clock) as group:
        ctx.bell = Signal()
        group.start(call)
        while not outcome:
            deadline = ctx.deadline()
            assert deadline is not None
            if virtual:
                # A handler doing real work (an HTTP call, a process) stops the virtual clock until it
                # returns: its deadline also runs in real seconds, so it cannot outlast its timeout.
                with anyio.move_on_after(max(deadline[0] - clock.now(), 0)) as real:
                    woken = await clock.wait(ctx.bell, deadline[0])
                if real.cancelled_caught and not outcome:
                    expired = deadline[1]
                    group.cancel()
                    break
            else:
                woken = await clock.wait(ctx.bell, deadline[0])
            if outcome:
                break
            if woken != WOKEN_BY_DEADLINE:
                ctx.bell = Signal()  # a heartbeat: wait again, for the moved deadline
                continue
            deadline = ctx.deadline()
            assert deadline is not None
            if deadline[0] <= clock.now():
                expired = deadline[1]
                group.cancel()
                break
    if expired is not None:
        raise timeout_error(expired)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


#: The recorded events that end a task's attempt, and the error each carries.
_OUTCOMES = frozenset(
    {
        *(kind.succeeded for kind in (_LAMBDA, _ACTIVITY, _TASK)),
        *(kind.failed for kind in (_LAMBDA, _ACTIVITY, _TASK)),
        *(kind.timed_out for kind in (_LAMBDA, _ACTIVITY, _TASK)),
    }
)


def _recorded_outcome(event: dict[str, Any]) -> Any:
    """What a task's recorded attempt gave: its output, or its error raised again."""
    from asl import resume

    details = resume.details(event)
    if event["type"].endswith("Succeeded"):
        return resume.value(details.get("output"))
    if event["type"].endswith("TimedOut"):
        timeout = StatesTimeout(details.get("cause"))
        timeout.error = details.get("error", "States.Timeout")
        raise timeout
    raise TaskFailed(details.get("error", ""), details.get("cause"))


def _failed(history: Lane, kind: _Events, ident: dict[str, str], err: StatesError) -> None:
    timed_out = isinstance(err, StatesTimeout)
    body = {"error": err.error}
    if err.cause is not None:
        body["cause"] = err.cause
    if kind is _TASK:
        body = {**ident, **body}
    history.add(kind.timed_out if timed_out else kind.failed, body)
