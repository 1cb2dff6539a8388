"""`StateMachine`: load a definition once, run it many times."""

from __future__ import annotations

import random
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl import jsonata_bounds, unserved
from asl.clock import Clock, Group, RealClock, Signal, VirtualClock
from asl.errors import InputError, ResourceNotFound, StatesError
from asl.executor import Execution
from asl.history import EventType, Lane, Payload, dumps, payload_details
from asl.jsonvalue import check_input
from asl.model import Definition, TaskState, iter_states
from asl.parse import load_definition
from asl.resources import TaskRegistry
from asl.runtime import Frame, Settings
from asl.source import Source, read_source

#: Called with (event type, details) as each history event is recorded.
Listener = Callable[[str, dict[str, Any] | None], None]
#: Called with each history event, as GetExecutionHistory returns it plus its `lane`.
Recorder = Callable[[dict[str, Any]], None]

#: The longest a Standard execution may run (AWS's quota: one year).
MAX_DURATION = 365 * 24 * 3600.0
#: An Express execution runs at most five minutes ("Standard vs. Express Workflows", AWS Step
#: Functions developer guide: "They can run for up to five minutes"), then times out.
EXPRESS_MAX_DURATION = 300.0

#: AWS's quota of history events for one Standard execution.
HISTORY_LIMIT = 25_000

#: AWS's maximum size of a state's input or output, in bytes.
PAYLOAD_LIMIT = 256 * 1024


@dataclass
class ExecutionResult:
    """How an execution ended: status, output or error and cause, and its history."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    failed_state: str | None = None
    execution_arn: str = ""
    transitions: int = 0
    start_time: float = 0.0
    stop_time: float = 0.0
    _execution: Execution | None = field(default=None, repr=False)

    @property
    def history(self) -> list[dict[str, Any]]:
        """The events, as GetExecutionHistory returns them."""
        return self._execution.history.events() if self._execution else []

    def iter_history(self) -> Iterator[dict[str, Any]]:
        """The events one at a time (for writing a long history without holding it twice)."""
        return self._execution.history.iter_events() if self._execution else iter(())

    @property
    def event_types(self) -> list[str]:
        """Just the event types, in order."""
        return self._execution.history.types() if self._execution else []


class StateMachine:
    """A loaded, compiled definition. `run`/`run_sync` execute it."""

    def __init__(
        self,
        definition: dict[str, Any] | Definition,
        *,
        registry: TaskRegistry | None = None,
        name: str = "StateMachine",
        region: str = "us-east-1",
        account: str = "123456789012",
        payload_limit: int = PAYLOAD_LIMIT,
        history_limit: int = HISTORY_LIMIT,
        source: Source | None = None,
        mocks: dict[str, Any] | None = None,
        on_wait: Any = None,
        s3_root: Path | None = None,
        strict_resources: bool = False,
        workers: int = 1,
    ) -> None:
        self.definition = (
            definition if isinstance(definition, Definition) else load_definition(definition, source)
        )
        self.registry = registry if registry is not None else TaskRegistry()
        self.name = name
        self.region = region
        self.account = account
        self.payload_limit = payload_limit
        self.history_limit = history_limit
        #: Mocked task handlers by state name (see `asl.mocks`); they win over the registry.
        self.mocks: dict[str, Any] = dict(mocks or {})
        #: Completes `.waitForTaskToken` tasks that have no handler (the CLI's approval prompt).
        self.on_wait: Any = on_wait
        #: The local folder standing in for S3 (`<s3_root>/<bucket>/<key>`).
        self.s3_root = s3_root
        #: True: refuse to start while any Task state is unserved (ResourceNotFound). False (default):
        #: warn, and fail only a Task the execution reaches, as AWS fails a resource that does not exist.
        self.strict_resources = strict_resources
        #: How to serve a resource, in the caller's terms (the CLI names its options; see asl.unserved).
        self.serve_hint = unserved.PYTHON_HINT
        #: Processes for Distributed Map children (1: this process). See `asl.workers`.
        self.workers = workers
        #: How a worker process builds this state machine (`asl.workers.Recipe`); None: it cannot.
        self.worker_recipe: Any = None
        self._pool: Any = None
        #: The longest an execution runs (a year; an Express one five minutes): TimeoutSeconds may end it sooner.
        self.max_duration = MAX_DURATION

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> StateMachine:
        """Load a definition file; errors name the file, line and column."""
        raw, source = read_source(path)
        kwargs.setdefault(
            "name", Path(path).stem if Path(path).stem != "workflow" else Path(path).resolve().parent.name
        )
        return cls(raw, source=source, **kwargs)

    def missing_resources(self) -> list[tuple[str, str]]:
        """(state name, ARN) of every Task whose resource has no handler in the registry."""
        return [
            (state.name, state.resource.raw)
            for state in iter_states(self.definition.machine)
            if isinstance(state, TaskState) and not self._served(state)
        ]

    def close(self) -> None:
        """Stop the worker processes of Distributed Maps, if any were started."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _worker_pool(self) -> Any:
        """The `asl.workers.Workers` of this state machine when it may use more than one process."""
        if self.workers <= 1:
            return None
        if self._pool is None or self._pool.count != self.workers:
            from asl.workers import Workers

            self.close()
            self._pool = Workers(self.workers, self)
        return self._pool

    def serves(self, state: TaskState) -> bool:
        """True when a mock, a handler or the terminal prompt answers this Task state."""
        return self._served(state)

    def _served(self, state: TaskState) -> bool:
        if state.name in self.mocks or self.registry.lookup(state.resource) is not None:
            return True
        return state.resource.pattern == "waitForTaskToken" and self.on_wait is not None

    async def run(
        self,
        input: Any = None,
        *,
        clock: Clock | None = None,
        real_time: bool = False,
        execution_name: str | None = None,
        seed: int | None = None,
        on_event: Listener | None = None,
        on_record: Recorder | None = None,
    ) -> ExecutionResult:
        """Run one execution to its end; Task resources must all have handlers."""
        execution = self.start(
            input, clock=clock, real_time=real_time, execution_name=execution_name, seed=seed,
            on_event=on_event, on_record=on_record,
        )  # fmt: skip
        return await self.finish(execution)

    def run_sync(
        self,
        input: Any = None,
        *,
        clock: Clock | None = None,
        real_time: bool = False,
        execution_name: str | None = None,
        seed: int | None = None,
        on_event: Listener | None = None,
        on_record: Recorder | None = None,
    ) -> ExecutionResult:
        """`run` from synchronous code; Ctrl-C ends the execution as ABORTED, keeping its history."""
        execution = self.start(
            input, clock=clock, real_time=real_time, execution_name=execution_name, seed=seed,
            on_event=on_event, on_record=on_record,
        )  # fmt: skip
        try:
            with _interruptible():
                if self._never_waits(execution):
                    result = self._finish_now(execution)
                else:
                    import anyio

                    result = anyio.run(self.finish, execution)
        except KeyboardInterrupt:
            execution.history.close(EventType.EXECUTION_ABORTED, {})
            return ExecutionResult(
                "ABORTED",
                execution_arn=execution.arn,
                transitions=execution.transitions,
                start_time=execution.start_time,
                stop_time=execution.clock.now(),
                _execution=execution,
            )
        return result

    def start(
        self,
        input: Any = None,
        *,
        clock: Clock | None = None,
        real_time: bool = False,
        execution_name: str | None = None,
        seed: int | None = None,
        on_event: Listener | None = None,
        on_record: Recorder | None = None,
        callbacks_from_outside: bool = False,
    ) -> Execution:
        """Begin an execution: check it can run and record ExecutionStarted; `finish` runs it.

        `on_record` receives every history event as GetExecutionHistory returns it, plus its `lane`
        (durable storage). `callbacks_from_outside`: task tokens may be completed from outside the
        process (a server), so a task waiting for one holds the virtual clock back.
        """
        missing = self.missing_resources()
        if missing and self.strict_resources:
            raise ResourceNotFound(missing, self.serve_hint)
        mocks = self.mocks
        if missing:
            unserved.warn(missing, self.serve_hint)
            arns = {
                s.name: s.resource for s in iter_states(self.definition.machine) if isinstance(s, TaskState)
            }
            mocks = {**mocks, **{name: unserved.stand_in(arns[name], self.serve_hint) for name, _ in missing}}
        if input is None:
            input = {}
        settings = self._settings(clock, real_time, execution_name, seed, callbacks_from_outside, mocks)
        execution = _listened(Execution(self.definition.machine, input, settings), on_event, on_record)
        check_input(input)
        text = dumps(input)
        if self.payload_limit and len(text.encode()) > self.payload_limit:
            raise InputError(
                f"the execution input is {len(text.encode())} bytes; the limit is {self.payload_limit}"
            )
        details = payload_details(None, "input", Payload(input, text))
        details["roleArn"] = execution.execution_context["RoleArn"]
        execution.history.add(EventType.EXECUTION_STARTED, details)
        return execution

    def resume(
        self,
        events: list[dict[str, Any]],
        *,
        clock: Clock | None = None,
        real_time: bool = False,
        execution_name: str | None = None,
        seed: int | None = None,
        on_event: Listener | None = None,
        on_record: Recorder | None = None,
        callbacks_from_outside: bool = False,
    ) -> Execution:
        """Continue an execution from its recorded events (each as `on_record` received it); `finish` runs it.

        Give the same execution name and seed as the first start: task tokens handed out before are
        then the same, and complete the resumed execution. See `asl.resume` for what runs again.
        """
        settings = self._settings(clock, real_time, execution_name, seed, callbacks_from_outside, self.mocks)
        return _listened(self._from_history(events, settings, redrive=False), on_event, on_record)

    def redrive(
        self,
        events: list[dict[str, Any]],
        *,
        clock: Clock | None = None,
        real_time: bool = False,
        execution_name: str | None = None,
        seed: int | None = None,
        on_event: Listener | None = None,
        on_record: Recorder | None = None,
        callbacks_from_outside: bool = False,
    ) -> Execution:
        """Redrive an execution that failed, timed out or was aborted (RedriveExecution); `finish` runs it.

        Records ExecutionRedriven, then runs again from where it stopped: the states that completed are
        taken from the history, the ones that did not complete (the failure, and what was running
        beside it) run anew.
        """
        settings = self._settings(clock, real_time, execution_name, seed, callbacks_from_outside, self.mocks)
        execution = _listened(self._from_history(events, settings, redrive=True), on_event, on_record)
        history = execution.history
        recording, history.recording = history.recording, None  # a new event, not one to match
        count = execution.execution_context["RedriveCount"]
        history.add(EventType.EXECUTION_REDRIVEN, {"redriveCount": count}, len(history))
        history.recording = recording
        return execution

    def _from_history(self, events: list[dict[str, Any]], settings: Settings, *, redrive: bool) -> Execution:
        """An execution that continues from `events` (checked first: see `asl.resume`)."""
        from asl import resume

        resume.check(events, redrive=redrive)
        input = resume.value(resume.details(events[0]).get("input", "{}"))
        return Execution(self.definition.machine, input, settings, events, redrive=redrive)

    def _settings(
        self,
        clock: Clock | None,
        real_time: bool,
        execution_name: str | None,
        seed: int | None,
        callbacks_from_outside: bool,
        mocks: dict[str, Any],
    ) -> Settings:
        return Settings(
            clock=clock or (RealClock() if real_time else VirtualClock()),
            registry=self.registry,
            region=self.region,
            account=self.account,
            state_machine_name=self.name,
            execution_name=execution_name or str(uuid.uuid4()),
            payload_limit=self.payload_limit,
            history_limit=self.history_limit,
            rng=random.Random(seed),
            mocks=mocks,
            on_wait=self.on_wait,
            s3_root=self.s3_root,
            callbacks_from_outside=callbacks_from_outside,
            workers=self._worker_pool(),
        )

    async def finish(self, execution: Execution) -> ExecutionResult:
        """Run a started execution to its end: success, failure, timeout, or StopExecution."""
        history = execution.history
        clock = execution.clock
        limit = self._limit()
        lane = Lane(history, len(history))
        frame = Frame({}, lane)
        result = ExecutionResult(
            "RUNNING", execution_arn=execution.arn, start_time=execution.start_time, _execution=execution
        )
        outcome: list[tuple[bool, Any]] = []
        ended = Signal()
        execution._stop_signal = ended

        deadline = execution.timed_from + limit

        async def body() -> None:
            if isinstance(clock, RealClock):
                # An evaluation that never yields cannot be cancelled: it looks at this deadline itself.
                jsonata_bounds.wall_deadline.set(deadline)
            try:
                outcome.append((True, await execution.run_machine(execution.machine, execution.input, frame)))
            except StatesError as err:
                outcome.append((False, err))
            finally:
                ended.set()

        with clock.running():
            async with Group(clock) as group:
                group.start(body)
                if execution.stop_request is None:
                    await clock.wait(ended, deadline, background=True)
                if outcome and not outcome[0][0] and clock.now() >= deadline:
                    outcome.clear()  # it failed only because the deadline passed while it ran: a timeout
                if not outcome:
                    execution.ending = True
                    group.cancel()
        return self._close(execution, result, lane, outcome)

    def _limit(self) -> float:
        """The seconds an execution may run: its TimeoutSeconds, at most `max_duration`."""
        timeout = self.definition.machine.timeout_seconds
        return min(float(timeout), self.max_duration) if timeout else self.max_duration

    def _never_waits(self, execution: Execution) -> bool:
        """True when the run cannot suspend: states that never wait, on the virtual clock, started afresh."""
        return (
            self.definition.machine.never_waits
            and type(execution.clock) is VirtualClock
            and execution.history.recording is None
            and execution.stop_request is None
        )

    def _finish_now(self, execution: Execution) -> ExecutionResult:
        """`finish` for a run that cannot suspend, without an event loop: the same events and result.

        Nothing in such a run waits, so neither the execution's timeout (the virtual clock stands
        still) nor a stop (nothing else runs) can end it first: its own outcome is the execution's.
        """
        from asl.states.common import run_now

        history = execution.history
        lane = Lane(history, len(history))
        result = ExecutionResult(
            "RUNNING", execution_arn=execution.arn, start_time=execution.start_time, _execution=execution
        )
        outcome: list[tuple[bool, Any]] = []
        try:
            outcome.append(
                (True, run_now(execution.run_machine(execution.machine, execution.input, Frame({}, lane))))
            )
        except StatesError as err:
            outcome.append((False, err))
        return self._close(execution, result, lane, outcome)

    def _close(
        self, execution: Execution, result: ExecutionResult, lane: Lane, outcome: list[tuple[bool, Any]]
    ) -> ExecutionResult:
        """Record the closing event of a finished execution and fill in its result."""
        history = execution.history
        clock = execution.clock
        if outcome and outcome[0][0]:
            result.status = "SUCCEEDED"
            result.output = outcome[0][1]
            lane.close(EventType.EXECUTION_SUCCEEDED, payload_details(None, "output", result.output))
        elif outcome:
            err = outcome[0][1]
            result.status = "FAILED"
            result.error = err.error or None
            result.cause = err.cause
            result.failed_state = err.failed_state
            details: dict[str, Any] = {}
            if result.error is not None:
                details["error"] = result.error
            if result.cause is not None:
                details["cause"] = result.cause
            lane.close(EventType.EXECUTION_FAILED, details)
        elif execution.stop_request is not None:
            result.status = "ABORTED"
            error, cause = execution.stop_request
            aborted: dict[str, Any] = {}
            if error is not None:
                aborted["error"] = error
            if cause is not None:
                aborted["cause"] = cause
            history.close(EventType.EXECUTION_ABORTED, aborted)
        else:
            result.status = "TIMED_OUT"
            result.error = "States.Timeout"
            result.cause = f"The execution timed out after {self._limit():g} seconds."
            lane.close(EventType.EXECUTION_TIMED_OUT, {"error": result.error, "cause": result.cause})
        result.transitions = execution.transitions
        result.stop_time = clock.now()
        return result


@contextmanager
def _interruptible() -> Iterator[None]:
    """Let Ctrl-C interrupt at once, also in a loop that never yields to the event loop.

    asyncio's own SIGINT handler only cancels the main task, which a long synchronous stretch (a big
    Map whose iterations never wait) does not notice until it ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _listened(execution: Execution, on_event: Listener | None, on_record: Recorder | None) -> Execution:
    """`execution`, with the caller's event listener and recorder attached."""
    if on_event is not None:
        execution.history.listeners.append(on_event)
    if on_record is not None:
        execution.history.recorders.append(on_record)
    return execution
