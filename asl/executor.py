"""The transition loop and one state's lifecycle (enter, run, retry/catch, exit).

No recursion per transition: `run_machine` loops over states. Parallel branches and Map
iterations call `run_machine` for their own sub-machines inside anyio task groups.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from asl import io
from asl.clock import Clock
from asl.errors import AslError, DataLimitExceeded, StatesError, TaskFailed
from asl.history import EventType, History, Lane, Payload, dumps, payload_details
from asl.model import Catcher, Expr, Machine, QueryLanguage, State, StateType
from asl.paths import UNSET, Scope
from asl.resources import TaskContext, TaskRegistry
from asl.retry import first_match, retry_delay

#: AWS's limit on one variable's size, and on all variables set by one Assign, in bytes.
VARIABLE_LIMIT = 256 * 1024
#: AWS's limit on all the variables one execution holds, in bytes.
VARIABLES_TOTAL_LIMIT = 10 * 1024 * 1024


class TaskTokenError(AslError):
    """A callback names a task token that no task is waiting for (AWS's TaskDoesNotExist)."""


class TokenWaiter:
    """A `.waitForTaskToken` task waiting for its callback."""

    def __init__(self, context: TaskContext) -> None:
        self.context = context
        self.event = anyio.Event()
        self.output: Any = None
        self.error: StatesError | None = None
        self.done = False

    def finish(self, output: Any, error: StatesError | None) -> None:
        """Record the callback's outcome and wake the task."""
        self.output, self.error, self.done = output, error, True
        self.event.set()

    async def wait(self) -> Any:
        """The callback's output, or raise its failure."""
        await self.event.wait()
        if self.error is not None:
            raise self.error
        return self.output


class ExecutionTimedOut(Exception):
    """The execution's TimeoutSeconds passed (raised by `Execution.sleep` on the virtual clock)."""


_last_iso: list[Any] = [None, ""]


def iso(timestamp: float) -> str:
    """An epoch time as AWS prints it in the context object: `2024-01-01T00:00:00.123Z`."""
    if _last_iso[0] == timestamp:
        return str(_last_iso[1])
    text = datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _last_iso[0], _last_iso[1] = timestamp, text
    return text


@dataclass(slots=True)
class Frame:
    """What one running machine (top level, branch or iteration) carries: variables and its history."""

    variables: dict[str, Any]
    history: Lane
    #: Serialised size of each variable this frame holds (for AWS's 10 MiB total).
    variable_sizes: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Outcome:
    """What a state handler returns: the output, where to go, and what Assign/Output see."""

    output: Any
    next: str | None
    result: Any = UNSET
    assign: Expr | None = None
    assign_input: Any = UNSET


@dataclass
class Settings:
    """Per-execution settings: where it runs, its limits and its collaborators."""

    clock: Clock
    registry: TaskRegistry
    region: str = "us-east-1"
    account: str = "123456789012"
    state_machine_name: str = "StateMachine"
    execution_name: str = "execution"
    role_arn: str = ""
    payload_limit: int = 256 * 1024
    history_limit: int = 25_000
    rng: random.Random = field(default_factory=random.Random)
    deadline: float | None = None
    #: The local folder standing in for S3 (Distributed Map's ItemReader and ResultWriter).
    s3_root: Path | None = None
    #: Mocked task handlers by state name (they win over the registry).
    mocks: dict[str, Any] = field(default_factory=dict)
    #: Called as `await on_wait(execution, state name, payload, token)` when a `.waitForTaskToken` task
    #: has no handler: something outside (a person at a terminal) completes the token.
    on_wait: Any = None


class Execution:
    """One execution of a definition: its context object, history and transition count."""

    def __init__(self, machine: Machine, input: Any, settings: Settings) -> None:
        self.machine = machine
        self.input = input
        self.settings = settings
        self.clock = settings.clock
        self.history = History(settings.clock, settings.history_limit)
        self.transitions = 0
        self.start_time = self.clock.now()
        s = settings
        sm_arn = f"arn:aws:states:{s.region}:{s.account}:stateMachine:{s.state_machine_name}"
        self.arn = (
            f"arn:aws:states:{s.region}:{s.account}:execution:{s.state_machine_name}:{s.execution_name}"
        )
        role = s.role_arn or f"arn:aws:iam::{s.account}:role/StepFunctionsRole"
        self.execution_context = {
            "Id": self.arn,
            "Input": input,
            "StartTime": iso(self.start_time),
            "Name": s.execution_name,
            "RoleArn": role,
            "RedriveCount": 0,
        }
        self.state_machine_context = {"Id": sm_arn, "Name": s.state_machine_name}
        self.waiters: dict[str, TokenWaiter] = {}
        self._last_payload: Payload | None = None
        self._handlers = _handlers()
        self._contexts: dict[str, tuple[float, int, dict[str, Any]]] = {}

    # -- callbacks (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat) ----------------------------

    def send_task_success(self, token: str, output: Any) -> None:
        """Complete the `.waitForTaskToken` task holding `token` with `output`."""
        self._waiter(token).finish(output, None)

    def send_task_failure(self, token: str, error: str = "", cause: str = "") -> None:
        """Fail the `.waitForTaskToken` task holding `token`."""
        self._waiter(token).finish(None, TaskFailed(error, cause))

    def send_task_heartbeat(self, token: str) -> None:
        """Record a heartbeat for the task holding `token`."""
        self._waiter(token).context.heartbeat()

    def _waiter(self, token: str) -> TokenWaiter:
        waiter = self.waiters.get(token)
        if waiter is None or waiter.done:
            raise TaskTokenError(
                f"no task is waiting for token {token!r} (it timed out, completed, or never existed)"
            )
        return waiter

    # -- time ---------------------------------------------------------------------------------------

    async def sleep(self, seconds: float) -> None:
        """Let `seconds` pass on the execution's clock; past the execution deadline, time out."""
        deadline = self.settings.deadline
        if deadline is not None and self.clock.now() + seconds > deadline:
            await self.clock.sleep(max(deadline - self.clock.now(), 0))
            raise ExecutionTimedOut
        await self.clock.sleep(seconds)

    # -- machines and states ------------------------------------------------------------------------

    def context(self, state: State, entered: float, retry_count: int) -> dict[str, Any]:
        """The context object `$$` as seen inside `state` (shared while the clock stands still: never mutate it)."""
        cached = self._contexts.get(state.name)
        if cached is not None and cached[0] == entered and cached[1] == retry_count:
            return cached[2]
        state_ctx: dict[str, Any] = {"Name": state.name, "EnteredTime": iso(entered)}
        if state.type in (StateType.TASK, StateType.MAP, StateType.PARALLEL):
            state_ctx["RetryCount"] = retry_count
        context = {
            "Execution": self.execution_context,
            "StateMachine": self.state_machine_context,
            "State": state_ctx,
        }
        self._contexts[state.name] = (entered, retry_count, context)
        return context

    def check_size(self, value: Any, state: State, what: str) -> Payload:
        """Enforce the payload limit on `value`; return it wrapped for the history.

        Values are immutable, and one state's output is usually the next state's input (the very
        same object), so the last measured value is remembered and not serialised twice.
        """
        last = self._last_payload
        if last is not None and last.value is value:
            return last
        limit = self.settings.payload_limit
        if not limit:
            payload = Payload(value)
        else:
            text = dumps(value)
            size = len(text)
            if size > limit or (size * 4 > limit and len(text.encode()) > limit):
                raise DataLimitExceeded(
                    f"The state/task '{state.name}' {what} a result with a size exceeding the maximum number "
                    f"of bytes service limit ({limit} bytes)."
                )
            payload = Payload(value, text)
        self._last_payload = payload
        return payload

    async def run_machine(self, machine: Machine, input: Any, frame: Frame) -> Any:
        """Run `machine` from StartAt to a terminal state; return its output or raise its error."""
        name: str | None = machine.start_at
        value = input
        while name is not None:
            state = machine.states[name]
            self.transitions += 1
            name, value = await self.run_state(state, value, frame)
        return value

    async def run_state(self, state: State, raw: Any, frame: Frame) -> tuple[str | None, Any]:
        """Run one state with its Retry and Catch; return (next state or None, output)."""
        history = frame.history
        entered_payload = self.check_size(raw, state, "received")
        entered_id = history.add_state(_ENTERED[state.type], state.name, "input", entered_payload)
        entered_at = self.clock.now()
        handler = self._handlers[state.type]
        attempts = [0] * len(state.retry)
        retry_count = 0
        while True:
            context = self.context(state, entered_at, retry_count)
            scope = Scope(raw, context, frame.variables)
            try:
                outcome = handler(self, state, raw, scope, frame)
                if type(outcome) is not Outcome:
                    outcome = await outcome
                assigned = self.assign(state, outcome, scope) if state.assign or outcome.assign else None
                out_payload = self.check_size(outcome.output, state, "returned")
                extra = self.store_variables(assigned, state, frame) if assigned else None
            except anyio.get_cancelled_exc_class():
                if state.type in _ABORTABLE:
                    history.add(_ABORTED[state.type])
                raise
            except StatesError as err:
                self.scope_error(err, state, entered_id, history)
                if err.error == "States.Runtime":
                    if err.failed_state is None:
                        err.failed_state = state.name
                    raise
                index = first_match(err.error, state.retry)
                if index is not None and attempts[index] < state.retry[index].max_attempts:
                    delay = retry_delay(state.retry[index], attempts[index], self.settings.rng)
                    attempts[index] += 1
                    retry_count += 1
                    await self.sleep(delay)
                    continue
                if state.type in (StateType.MAP, StateType.PARALLEL):
                    history.add(f"{state.type}StateFailed")
                catch_index = first_match(err.error, state.catch)
                if catch_index is None:
                    if err.failed_state is None:
                        err.failed_state = state.name
                    raise
                return self.caught(state, state.catch[catch_index], err, raw, scope, frame)
            history.add_state(_EXITED[state.type], state.name, "output", out_payload, extra)
            return outcome.next, outcome.output

    def scope_error(self, err: StatesError, state: State, entered_id: int, history: Lane) -> None:
        """Prefix state-scoped causes as AWS does, and record EvaluationFailed for JSONata errors."""
        if not err.state_scoped or err.scoped_to is not None:
            return
        err.scoped_to = state.name
        prefix = f"An error occurred while executing the state '{state.name}' (entered at the event id #{entered_id})."
        err.cause = f"{prefix} {err.cause}" if err.cause else prefix
        if err.error == "States.QueryEvaluationError":
            details = {"error": err.error, "cause": err.cause, "state": state.name}
            if err.location:
                details["location"] = err.location
            history.add(EventType.EVALUATION_FAILED, details)

    def assign(self, state: State, outcome: Outcome, scope: Scope) -> dict[str, Any] | None:
        """Evaluate the state's (or the chosen rule's) Assign with the variables from the state's entry."""
        expr = outcome.assign if outcome.assign is not None else state.assign
        if expr is None:
            return None
        if state.query_language is QueryLanguage.JSONATA:
            values = expr(Scope(scope.input, scope.context, scope.variables, result=outcome.result))
        else:
            seen = outcome.assign_input if outcome.assign_input is not UNSET else outcome.result
            values = expr(Scope(seen if seen is not UNSET else scope.input, scope.context, scope.variables))
        return dict(values) if isinstance(values, dict) else None

    def store_variables(self, assigned: dict[str, Any], state: State, frame: Frame) -> dict[str, Any]:
        """Check AWS's variable limits, keep the values, and return the Exited event's assigned-variable details.

        Limits (when the payload limit is on): 256 KiB for one variable and for all set by one Assign,
        and 10 MiB for all the variables an execution (or a branch or iteration) holds.
        """
        texts = {name: dumps(value) for name, value in assigned.items()}
        if self.settings.payload_limit:
            sizes = {name: len(text.encode()) for name, text in texts.items()}
            for name, size in sizes.items():
                if size > VARIABLE_LIMIT:
                    raise DataLimitExceeded(
                        f"The variable '{name}' assigned in state '{state.name}' is {size} bytes; "
                        f"a variable can hold at most {VARIABLE_LIMIT} bytes."
                    )
            if sum(sizes.values()) > VARIABLE_LIMIT:
                raise DataLimitExceeded(
                    f"The variables assigned in state '{state.name}' total {sum(sizes.values())} bytes; "
                    f"one Assign can set at most {VARIABLE_LIMIT} bytes."
                )
            held = {**frame.variable_sizes, **sizes}
            if sum(held.values()) > VARIABLES_TOTAL_LIMIT:
                raise DataLimitExceeded(
                    f"After state '{state.name}' the variables would hold {sum(held.values())} bytes; "
                    f"an execution can hold at most {VARIABLES_TOTAL_LIMIT} bytes of variables."
                )
            frame.variable_sizes = held
        frame.variables.update(assigned)
        return {"assignedVariables": texts, "assignedVariablesDetails": {"truncated": False}}

    def caught(
        self, state: State, catcher: Catcher, err: StatesError, raw: Any, scope: Scope, frame: Frame
    ) -> tuple[str, Any]:
        """Route a caught error: build the error output, apply ResultPath/Output and Assign, exit the state."""
        error_output = {"Error": err.error, "Cause": err.cause or ""}
        if state.query_language is QueryLanguage.JSONATA:
            catch_scope = Scope(raw, scope.context, scope.variables, error_output=error_output)
            output = catcher.output(catch_scope) if catcher.output is not None else error_output
            assigned = catcher.assign(catch_scope) if catcher.assign is not None else None
        else:
            from asl.paths import set_at

            if catcher.discard_result:
                output = raw
            elif catcher.result_path is None:
                output = error_output
            else:
                output = set_at(raw, catcher.result_path, error_output)
            assigned = (
                catcher.assign(Scope(error_output, scope.context, scope.variables))
                if catcher.assign
                else None
            )
        details = payload_details(state.name, "output", output)
        if isinstance(assigned, dict) and assigned:
            details.update(self.store_variables(dict(assigned), state, frame))
        frame.history.add(f"{state.type}StateExited", details)
        return catcher.next, output


def _handlers() -> dict[StateType, Any]:
    """The state handler table (imported late: the handlers import this module)."""
    global _HANDLERS
    if _HANDLERS is None:
        from asl.states import HANDLERS

        _HANDLERS = HANDLERS
    return _HANDLERS


_HANDLERS: dict[StateType, Any] | None = None
_ENTERED = {t: f"{t}StateEntered" for t in StateType}
#: States that can be running when a sibling branch or iteration fails (AWS records them aborted).
_ABORTABLE = frozenset({StateType.TASK, StateType.WAIT, StateType.MAP, StateType.PARALLEL})
_ABORTED = {t: f"{t}StateAborted" for t in _ABORTABLE}
_EXITED = {t: f"{t}StateExited" for t in StateType}


def run_now(coroutine: Any) -> Any:
    """Run a coroutine that cannot suspend (see `never_waits`) to its end, without the event loop.

    Parallel branches and Map iterations made only of such states run this way: spawning a task for
    each would cost more than running them.
    """
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    raise RuntimeError("a state machine expected never to wait suspended")


def finish(state: State, raw: Any, result: Any, scope: Scope) -> Any:
    """The state output from its result, in the state's query language."""
    if state.query_language is QueryLanguage.JSONATA:
        if state.output is None:
            return result
        return state.output(Scope(raw, scope.context, scope.variables, result=result))
    return io.apply_result(state, raw, result, scope)


def task_input(state: State, raw: Any, scope: Scope, arguments: Expr | None = None) -> Any:
    """What the state works on: InputPath + Parameters (JSONPath) or Arguments (JSONata)."""
    if state.query_language is QueryLanguage.JSONATA:
        return arguments(scope) if arguments is not None else raw
    value = io.effective_input(state, raw, scope)
    if state.parameters is not None:
        return state.parameters(Scope(value, scope.context, scope.variables))
    return value
