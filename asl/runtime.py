"""What the executor and the state handlers share: frames, outcomes, settings and task-token waits.

The dependency runs one way: `executor` imports `states`, and both import this module; the state
handlers see the running execution only through the `Runtime` protocol.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from asl.clock import WOKEN_AS_STALLED, WOKEN_BY_SIGNAL, Clock, Signal
from asl.errors import AslError, HeartbeatTimeout, StatesError, StatesTimeout
from asl.history import History, Lane, Payload
from asl.model import Expr, Machine, State
from asl.paths import UNSET
from asl.resources import TaskContext, TaskRegistry


class TaskTokenError(AslError):
    """A callback names a task token that no task is waiting for (AWS's TaskDoesNotExist)."""


@dataclass(slots=True)
class Frame:
    """What one running machine (top level, branch or iteration) carries: variables and its history lane."""

    variables: dict[str, Any]
    history: Lane
    #: Serialised size of each variable this frame holds (for AWS's 10 MiB total).
    variable_sizes: dict[str, int] = field(default_factory=dict)
    #: A Parallel branch (a failing Task there records TaskStateAborted).
    branch: bool = False

    def child(self, lane: Lane, *, branch: bool = False) -> Frame:
        """A branch's or an iteration's frame: a copy of the variables, its own lane."""
        return Frame(dict(self.variables), lane, dict(self.variable_sizes), branch)


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
    #: The local folder standing in for S3 (Distributed Map's ItemReader and ResultWriter).
    s3_root: Path | None = None
    #: Mocked task handlers by state name (they win over the registry).
    mocks: dict[str, Any] = field(default_factory=dict)
    #: Called as `await on_wait(execution, state name, payload, token)` when a `.waitForTaskToken` task
    #: has no handler: something outside (a person at a terminal) completes the token.
    on_wait: Any = None
    #: Callbacks may come from outside the process (a server's SendTask* calls): a task waiting for
    #: its token holds the virtual clock back instead of ending as stalled.
    callbacks_from_outside: bool = False
    #: Worker processes for Distributed Map children (`asl.workers.Workers`), or None.
    workers: Any = None
    #: The last heartbeat acknowledged for a task token before a restart (a server's store): the
    #: resumed task's HeartbeatSeconds run from it, not from the task's start.
    heartbeats: dict[str, float] = field(default_factory=dict)


class TokenWaiter:
    """A `.waitForTaskToken` task waiting for its callback (SendTaskSuccess/Failure/Heartbeat)."""

    def __init__(self, context: TaskContext) -> None:
        self.context = context
        self.output: Any = None
        self.error: StatesError | None = None
        self.done = False
        self._wake = Signal()

    def finish(self, output: Any, error: StatesError | None) -> None:
        """Record the callback's outcome and wake the task."""
        self.output, self.error, self.done = output, error, True
        self._wake.set()

    def heartbeat(self) -> None:
        """Record a heartbeat; the waiting task wakes and sees its new deadline."""
        self.context.heartbeat()
        self._wake.set()

    async def wait(self, *, outside: bool) -> Any:
        """The callback's output, or raise its failure or timeout.

        `outside`: the answer may come from outside the process, so the wait holds the virtual clock
        back from the task's deadline; otherwise a wait that nothing can answer any more ends as
        stalled instead of hanging.
        """
        ctx = self.context
        clock = ctx.clock
        while not self.done:
            self._wake = Signal()
            deadline = ctx.deadline()
            when = deadline[0] if deadline else None
            if outside:
                with clock.hold(when):
                    woken = await clock.wait(self._wake, when)
            else:
                woken = await clock.wait(self._wake, when, stall=True)
            if self.done or woken == WOKEN_BY_SIGNAL:
                continue  # answered, or a heartbeat moved the deadline
            if woken == WOKEN_AS_STALLED:
                raise StatesTimeout(
                    f"No callback arrived for task token {ctx.task_token}: the handler returned without "
                    "calling ctx.execution.send_task_success/send_task_failure, and nothing else can "
                    "complete it locally."
                )
            expired = ctx.deadline()
            if expired is not None and expired[0] <= clock.now():
                raise timeout_error(expired[1])
        if self.error is not None:
            raise self.error
        return self.output


def timeout_error(kind: str) -> StatesError:
    """The error for an expired task deadline: TimeoutSeconds or HeartbeatSeconds."""
    # AWS records task timeouts (TaskTimedOut, LambdaFunctionTimedOut, ActivityTimedOut) with an error
    # and no cause, for TimeoutSeconds and HeartbeatSeconds alike.
    if kind == "States.Timeout":
        return StatesTimeout()
    return HeartbeatTimeout()


class Runtime(Protocol):
    """The running execution, as state handlers see it."""

    settings: Settings
    clock: Clock
    arn: str
    #: The top machine, and the context object's Execution and StateMachine members.
    machine: Machine
    execution_context: dict[str, Any]
    state_machine_context: dict[str, Any]
    history: History
    waiters: dict[str, TokenWaiter]
    #: States entered so far (Map iterations and Parallel branches included).
    transitions: int
    #: True once the execution is ending (stopped, timed out, or failing with States.Runtime).
    ending: bool

    async def run_machine(self, machine: Machine, input: Any, frame: Frame) -> Any:
        """Run a branch or an iteration to its end."""

    def check_size(self, value: Any, state: State, what: str) -> Payload:
        """Enforce the payload limit on a value."""

    def task_token(self, lane: Lane) -> str:
        """A task token for the task about to be scheduled in `lane` (stable across a resume)."""


_last_iso: list[Any] = [None, ""]


def iso(timestamp: float) -> str:
    """An epoch time as AWS prints it in the context object: `2024-01-01T00:00:00.123Z`."""
    if _last_iso[0] == timestamp:
        return str(_last_iso[1])
    text = datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _last_iso[0], _last_iso[1] = timestamp, text
    return text


__all__ = [
    "Frame",
    "Outcome",
    "Runtime",
    "Settings",
    "TaskTokenError",
    "TokenWaiter",
    "iso",
    "timeout_error",
]
