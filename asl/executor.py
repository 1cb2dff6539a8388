"""The transition loop and one state's lifecycle (enter, run, retry/catch, exit).

No recursion per transition: `run_machine` loops over states. Parallel branches and Map
iterations call `run_machine` for their own sub-machines, concurrently, on the execution's clock.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from asl.errors import DataLimitExceeded, StatesError, TaskFailed
from asl.history import EventType, History, Lane, Payload, dumps, payload_details
from asl.model import Catcher, Machine, QueryLanguage, State, StateType
from asl.paths import UNSET, Scope, set_at
from asl.retry import first_match, retry_delay
from asl.runtime import Frame, Outcome, Settings, TaskTokenError, TokenWaiter, iso
from asl.states import HANDLERS

#: AWS's limit on one variable's size, and on all variables set by one Assign, in bytes.
VARIABLE_LIMIT = 256 * 1024
#: AWS's limit on all the variables one execution holds, in bytes.
VARIABLES_TOTAL_LIMIT = 10 * 1024 * 1024


class Execution:
    """One execution of a definition: its context object, history and transition count."""

    def __init__(
        self,
        machine: Machine,
        input: Any,
        settings: Settings,
        recorded: list[dict[str, Any]] | None = None,
        *,
        redrive: bool = False,
    ) -> None:
        self.machine = machine
        self.input = input
        self.settings = settings
        self.clock = settings.clock
        self.history = History(settings.clock, settings.history_limit)
        self.transitions = 0
        self.start_time = self.clock.now()
        #: When the execution's TimeoutSeconds started counting (a redrive starts it again).
        self.timed_from = self.start_time
        redrives = 0
        if recorded:
            # Continuing a recorded execution (asl.resume): its events come first, its clock is its own.
            self.history.preload(recorded, redrive=redrive)
            self.start_time = self.history.timestamp(1)
            redriven = [e for e in recorded if e["type"] == "ExecutionRedriven"]
            # TimeoutSeconds counts from the last redrive, if any (this one: from now).
            self.timed_from = (
                self.clock.now()
                if redrive
                else self.history.timestamp(redriven[-1]["id"])
                if redriven
                else self.start_time
            )
            redrives = sum(event["type"] == "ExecutionRedriven" for event in recorded) + redrive
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
            "RedriveCount": redrives,
        }
        self.state_machine_context = {"Id": sm_arn, "Name": s.state_machine_name}
        self.waiters: dict[str, TokenWaiter] = {}
        #: Set when the execution is ending (stopped or timed out): cancelled states are not recorded
        #: as aborted, the closing event says what happened.
        self.ending = False
        #: (error, cause) once StopExecution asked for it.
        self.stop_request: tuple[str | None, str | None] | None = None
        self._token_salt = f"{settings.rng.getrandbits(64):016x}"
        self._last_payload: Payload | None = None
        self._contexts: dict[str, tuple[float, int, dict[str, Any]]] = {}
        self._stop_signal: Any = None

    # -- callbacks (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat) and StopExecution ---------

    def send_task_success(self, token: str, output: Any) -> None:
        """Complete the `.waitForTaskToken` task holding `token` with `output`."""
        self._waiter(token).finish(output, None)

    def send_task_failure(self, token: str, error: str = "", cause: str = "") -> None:
        """Fail the `.waitForTaskToken` task holding `token`."""
        self._waiter(token).finish(None, TaskFailed(error, cause))

    def send_task_heartbeat(self, token: str) -> None:
        """Record a heartbeat for the task holding `token` (its HeartbeatSeconds start again)."""
        self._waiter(token).heartbeat()

    def _waiter(self, token: str) -> TokenWaiter:
        waiter = self.waiters.get(token)
        if waiter is None or waiter.done:
            raise TaskTokenError(
                f"no task is waiting for token {token!r} (it timed out, completed, or never existed)"
            )
        return waiter

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """End the execution as ABORTED (StopExecution); the running states are cancelled."""
        if self.stop_request is None:
            self.stop_request = (error, cause)
            if self._stop_signal is not None:
                self._stop_signal.set()

    def jitter(self, lane: Lane) -> random.Random | None:
        """The randomness of one retry's backoff, drawn per attempt (lane and position).

        So a resumed execution waits the same jittered delay it would have.
        """
        return random.Random(f"{self._token_salt}|{lane.key}|{lane.count}")

    def task_token(self, lane: Lane) -> str:
        """The token of the task about to be scheduled in `lane`: the same when the execution resumes."""
        redrives = self.execution_context["RedriveCount"]  # a redriven task gets a new token, as on AWS
        return str(
            uuid.uuid5(
                uuid.NAMESPACE_URL, f"{self.arn}|{self._token_salt}|{redrives}|{lane.key}|{lane.count}"
            )
        )

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
        # The lane's own history: a Distributed Map child's events are kept apart from its parent's.
        events = history.history
        if events.recording is not None:
            done = events.recording.completed_state(history.key, state.name, state.type)
            if done is not None:
                return self.replayed(state, done, frame)
        entered_payload = self.check_size(raw, state, "received")
        entered_after = history.last
        entered_id = history.add_state(_ENTERED[state.type], state.name, "input", entered_payload)
        entered_at = events.timestamp(entered_id)
        handler: Any = HANDLERS[state.type]  # a coroutine function, or a plain one for states that never wait
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
            except StatesError as err:
                self.scope_error(err, state, entered_id, entered_after, history)
                if err.error == "States.Runtime":
                    if err.failed_state is None:
                        err.failed_state = state.name
                    raise
                index = first_match(err.error, state.retry, err.also_matches)
                if index is not None and attempts[index] < state.retry[index].max_attempts:
                    delay = retry_delay(state.retry[index], attempts[index], self.jitter(history))
                    attempts[index] += 1
                    retry_count += 1
                    if events.recording is None:
                        await self.clock.sleep(delay)
                    else:  # resuming: the backoff runs from the recorded failure
                        await self.clock.sleep_until(events.timestamp(history.last) + delay)
                    continue
                if state.type in (StateType.MAP, StateType.PARALLEL):
                    history.add(f"{state.type}StateFailed")
                catch_index = first_match(err.error, state.catch, err.also_matches)
                if catch_index is None:
                    if err.failed_state is None:
                        err.failed_state = state.name
                    if state.type is StateType.TASK and frame.branch:
                        # Inside a Parallel branch, a failing Task ends as aborted: AWS records
                        # TaskStateAborted there, and ParallelStateFailed points past it.
                        history.add_aside(_ABORTED[StateType.TASK])
                    raise
                return self.caught(state, state.catch[catch_index], err, raw, scope, frame)
            except _cancelled():
                if state.type in _ABORTABLE and not self.ending:
                    history.add(_ABORTED[state.type])
                raise
            history.add_state(_EXITED[state.type], state.name, "output", out_payload, extra, outcome.next)
            return outcome.next, outcome.output

    def replayed(self, state: State, events: list[dict[str, Any]], frame: Frame) -> tuple[str | None, Any]:
        """A state its history shows completed: take its output, variables and next state from the record."""
        from asl import resume

        history = frame.history
        exited = events[-1]
        history.count += len(events)
        history.last = int(exited["id"])
        details = resume.details(exited)
        assigned = details.get("assignedVariables") or {}
        for name, text in assigned.items():
            frame.variables[name] = resume.value(text)
            frame.variable_sizes[name] = len(str(text).encode())
        if "next" in exited:
            next_state = exited["next"]
        else:
            recording = history.history.recording
            following = recording.peek(history.key) if recording else None
            if following is None or not following["type"].endswith("StateEntered"):
                raise resume.ResumeError(
                    f"The execution cannot resume from its history: it does not say which state followed "
                    f"'{state.name}' (event {exited['id']})."
                )
            next_state = following["stateEnteredEventDetails"]["name"]
        return next_state, resume.value(details.get("output"))

    def scope_error(
        self, err: StatesError, state: State, entered_id: int, entered_after: int, history: Lane
    ) -> None:
        """Prefix state-scoped causes as AWS does, and record EvaluationFailed for JSONata errors.

        EvaluationFailed points where the state's Entered event points (AWS's recorded histories).
        """
        if not err.state_scoped or err.scoped_to is not None:
            return
        err.scoped_to = state.name
        prefix = f"An error occurred while executing the state '{state.name}' (entered at the event id #{entered_id})."
        err.cause = f"{prefix} {err.cause}" if err.cause else prefix
        if err.error == "States.QueryEvaluationError":
            details = {"error": err.error, "cause": err.cause, "state": state.name}
            if err.location:
                details["location"] = err.location
            history.add_aside(EventType.EVALUATION_FAILED, details, previous=entered_after)

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
        frame.history.add(f"{state.type}StateExited", details, catcher.next)
        return catcher.next, output


def _cancelled() -> type[BaseException]:
    """The event loop's cancellation exception; none can come when no event loop runs (`asl.machine`'s run without one)."""
    import anyio

    try:
        return anyio.get_cancelled_exc_class()
    except Exception:  # no async library is running
        return _NeverRaised


class _NeverRaised(BaseException):
    """Stands for cancellation where nothing can be cancelled."""


_ENTERED = {t: f"{t}StateEntered" for t in StateType}
#: States that can be running when a sibling branch or iteration fails (AWS records them aborted).
_ABORTABLE = frozenset({StateType.TASK, StateType.WAIT, StateType.MAP, StateType.PARALLEL})
_ABORTED = {t: f"{t}StateAborted" for t in _ABORTABLE}
_EXITED = {t: f"{t}StateExited" for t in StateType}
