"""Distributed Map child executions in worker processes, so that CPU-bound children use every core.

Threads would share one interpreter lock; processes do not. A worker process cannot be handed the
parent's handlers (Python closures), so it builds the same state machine itself from a `Recipe` (a
function named "module:function" and its arguments: the CLI's is the configuration and the workflow
file, whose handlers are "module:function" names too). Each worker then runs the children it is sent.

The results must be exactly those of running the children in the parent, so only children that cannot
tell the difference go to workers (`why_in_process` says why not, and the Map then runs them in the
parent as before):

- their states never wait on the execution's clock (no Wait, no Retry backoff, no task timeout or
  heartbeat, no callback, activity or `.sync` task): every child then starts and ends at the instant the
  Map started, in either process;
- every Task is served by what the recipe rebuilds (not Cognito's user directory or a local state
  machine, which live in the parent), and the execution is neither resumed nor on the real clock.

The parent sends the children's inputs (after ItemSelector) in batches and takes the outcomes in item
order, as running them one after another would: a failure past the tolerated threshold ends the Map at
the same child, and later children's outcomes are dropped (they may have run in a worker meanwhile).
Transitions of the children count in the parent's total. A worker writes `print()` output to stderr.
"""

from __future__ import annotations

import contextvars
import gc
import importlib
import os
import random
import signal
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from asl.model import Machine, MapState, ParallelState, State, TaskState, WaitState, iter_states

if TYPE_CHECKING:  # concurrent.futures and multiprocessing load when a pool starts
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

    from asl.machine import StateMachine
    from asl.runtime import Runtime

#: One child's outcome: (item index, succeeded, output or StatesError, transitions it made).
Outcome: TypeAlias = tuple[int, bool, Any, int]

#: Task resources a worker cannot serve: their handlers hold state that lives in the parent.
_PARENT_ONLY = ("arn:aws:states:::aws-sdk:cognitoidentityprovider:", "arn:asl-runner:cognito:")
_NESTED = "arn:aws:states:::states:startExecution"


class InProcessWarning(UserWarning):
    """Workers were asked for, but a Distributed Map runs its children in this process (the message says why)."""


class WorkerFailedWarning(UserWarning):
    """A worker process failed (it died, or could not build the state machine); the children continue here."""


@dataclass(frozen=True)
class Recipe:
    """How a worker process builds the same state machine: `factory` ("module:function") called with `args`."""

    factory: str
    args: tuple[Any, ...]

    def build(self) -> StateMachine:
        """Call the factory."""
        module, _, name = self.factory.partition(":")
        machine: StateMachine = getattr(importlib.import_module(module), name)(*self.args)
        return machine


def why_in_process(state: MapState, machine: StateMachine) -> str | None:
    """Why this Distributed Map's children cannot run in worker processes, or None when they can."""
    if machine.worker_recipe is None:
        return (
            "the state machine was built in Python, and its task handlers cannot be passed to another "
            "process (asl run builds workers from the configuration's handlers)"
        )
    for inner in iter_states(state.processor):
        reason = _waits(inner) or _parent_only(inner, machine)
        if reason:
            return f"state {inner.name!r} {reason}"
    return None


def _waits(state: State) -> str | None:
    if isinstance(state, WaitState):
        return "is a Wait state (the children's time must pass on the parent's clock)"
    if state.retry:
        return "has a Retry (its backoff waits on the parent's clock)"
    if isinstance(state, TaskState):
        if state.timeout is not None or state.heartbeat is not None:
            return "has a task timeout or heartbeat (they race on the parent's clock)"
        if state.resource.pattern:
            return f"is a .{state.resource.pattern} task (it waits on the parent's clock)"
        if state.resource.is_activity:
            return "runs an activity (its workers poll the parent)"
    return None


def _parent_only(state: State, machine: StateMachine) -> str | None:
    if not isinstance(state, TaskState):
        return None
    arn = state.resource.raw
    if arn.startswith(_PARENT_ONLY):
        return "calls Cognito, whose user directory lives in this process"
    if arn.startswith(_NESTED):
        return "starts a local state machine, which runs in this process"
    if not machine.serves(state):
        return "has no handler (nothing serves it locally)"
    return None


def in_process_notes(machine: StateMachine, real_time: bool = False) -> list[str]:
    """For each Distributed Map whose children will stay in this process although workers are asked for: why."""
    if machine.workers <= 1:
        return []
    notes = []
    for state in iter_states(machine.definition.machine):
        if isinstance(state, MapState) and state.distributed:
            reason = why_in_process(state, machine)
            if reason is None and real_time:
                reason = "the execution runs on the real clock (--real-time)"
            if reason is not None:
                notes.append(
                    f"Distributed Map {state.name!r} runs its child executions in this process: {reason}"
                )
    return notes


class Workers:
    """A pool of worker processes for one StateMachine, started when a Distributed Map first needs it."""

    def __init__(self, count: int, machine: StateMachine) -> None:
        self.count = count
        self.machine = machine
        self._pool: ProcessPoolExecutor | None = None
        self._reasons: dict[int, str | None] = {}
        self._warned: set[int] = set()
        #: Set when a worker process failed: every Map's children then stay in this process.
        self._default: str | None = None

    def reason(self, state: MapState) -> str | None:
        """Why this Map's children stay in this process (cached per state), or None."""
        key = id(state)
        if key not in self._reasons:
            self._reasons[key] = self._default or why_in_process(state, self.machine)
        return self._reasons[key]

    def warn_once(self, state: MapState, reason: str) -> None:
        """Say (InProcessWarning), once per Map state, that its children run in this process."""
        if id(state) not in self._warned:
            self._warned.add(id(state))
            warnings.warn(
                f"Distributed Map {state.name!r} runs its child executions in this process: {reason}",
                InProcessWarning,
                stacklevel=3,
            )

    def broken(self, state: MapState, exc: BaseException) -> None:
        """A worker process failed: warn, stop the pool, and keep every later Map in this process."""
        reason = f"a worker process failed ({type(exc).__name__}: {exc})"
        self._reasons = dict.fromkeys(self._reasons, reason)
        self._warned.update(self._reasons)
        self._default = reason
        warnings.warn(
            f"Distributed Map {state.name!r}: {reason}; the children not yet run continue in this process",
            WorkerFailedWarning,
            stacklevel=3,
        )
        self.close()

    def submit(self, job: Job) -> Future[list[Outcome]]:
        """Run `job`'s children in a worker; the future gives their outcomes, in item order."""
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                self.count,
                mp_context=start_method(),
                initializer=_start_worker,
                initargs=(self.machine.worker_recipe,),
            )
        # Outside this task's context: a worker forked here must not inherit the running event loop's marks.
        return contextvars.Context().run(self._pool.submit, _run_job, job)

    def close(self) -> None:
        """Stop the worker processes (children not started are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def start_method() -> BaseContext:
    """How worker processes start: forked where that is safe, else a fresh interpreter (spawn).

    A forked worker has every module this process imported already loaded, so it starts in milliseconds
    where a spawned one starts Python and imports asl again (about half a second, on every core, before
    the first child runs). Forking is safe only on Linux (macOS frameworks are not fork-safe) and while
    this is the only thread (another could hold a lock the fork copies, locked forever); otherwise spawn.
    Either way the worker builds its own state machine from the Recipe.
    """
    import multiprocessing
    import threading

    fork = sys.platform.startswith("linux") and threading.active_count() == 1
    return multiprocessing.get_context("fork" if fork else "spawn")


@dataclass(frozen=True)
class Job:
    """A batch of children for one worker: where the Map is, the parent's context, and the inputs.

    The context object's members (the execution's input among them, which may be large) travel once per
    Map, in a file (`share_context`), not with every batch.
    """

    locator: tuple[tuple[str, int], ...]
    start: float
    settings: dict[str, Any]
    arn: str
    context_file: str
    lane_prefix: str
    items: list[tuple[int, Any]]


def share_context(ex: Runtime) -> str:
    """Write the execution's `$$.Execution` and `$$.StateMachine` for the workers; return the file (remove it after)."""
    import pickle
    import tempfile

    fd, path = tempfile.mkstemp(prefix="asl-context-", suffix=".pickle")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump((ex.execution_context, ex.state_machine_context), handle)
    return path


def job(
    ex: Runtime, state: MapState, context_file: str, lane_prefix: str, items: list[tuple[int, Any]]
) -> Job:
    """A Job for children of `state` in the running execution `ex`."""
    settings = ex.settings
    fields = ("region", "account", "state_machine_name", "execution_name", "role_arn", "payload_limit")
    return Job(
        locator=_locator(ex.machine, state),
        start=ex.clock.now(),
        settings={name: getattr(settings, name) for name in (*fields, "history_limit", "s3_root")},
        arn=ex.arn,
        context_file=context_file,
        lane_prefix=lane_prefix,
        items=items,
    )


def _locator(machine: Machine, target: MapState) -> tuple[tuple[str, int], ...]:
    """The way from the top machine to `target`: (state name, branch index or -1 for a Map's processor)."""
    found = _find(machine, target)
    if found is None:
        raise ValueError(f"Map state {target.name!r} is not in the definition")
    return tuple(found)


def _find(machine: Machine, target: MapState) -> list[tuple[str, int]] | None:
    for name, state in machine.states.items():
        if state is target:
            return [(name, -1)]
        inner: list[tuple[int, Machine]] = []
        if isinstance(state, ParallelState):
            inner = list(enumerate(state.branches))
        elif isinstance(state, MapState):
            inner = [(-1, state.processor)]
        for index, sub in inner:
            path = _find(sub, target)
            if path is not None:
                return [(name, index), *path]
    return None


def _locate(machine: Machine, locator: tuple[tuple[str, int], ...]) -> MapState:
    for name, index in locator[:-1]:
        state = machine.states[name]
        machine = state.branches[index] if isinstance(state, ParallelState) else state.processor  # type: ignore[attr-defined]
    found = machine.states[locator[-1][0]]
    assert isinstance(found, MapState)
    return found


# -- in the worker process --------------------------------------------------------------------------

_machine: Any = None
#: The context members last read (file name, (execution context, state machine context)).
_context: tuple[str, Any] = ("", None)


def _start_worker(recipe: Recipe) -> None:
    """Build the state machine once per worker process."""
    global _machine
    sys.stdout = sys.stderr  # a handler's print() must not mix with the parent's output JSON
    signal.signal(signal.SIGINT, signal.default_int_handler)  # not the parent event loop's (forked)
    os.environ.setdefault("ASL_WORKER", "1")
    _machine = recipe.build()
    # What exists now (the modules, the machine, in a forked worker the parent's objects too) lives as
    # long as the worker: the collector need not walk it again each time the children's garbage is swept.
    gc.freeze()


def _run_job(job: Job) -> list[Outcome]:
    """Run a batch of children one after another; return their outcomes in item order."""
    from asl.states.common import run_now

    global _context
    if _context[0] != job.context_file:
        import pickle

        with open(job.context_file, "rb") as handle:
            _context = (job.context_file, pickle.load(handle))
    machine = _machine
    state = _locate(machine.definition.machine, job.locator)
    if state.processor.never_waits:
        return [run_now(_child(machine, state, job, index, item)) for index, item in job.items]
    import anyio

    async def all_children() -> list[Outcome]:
        return [await _child(machine, state, job, index, item) for index, item in job.items]

    return anyio.run(all_children)


async def _child(machine: Any, state: MapState, job: Job, index: int, item: Any) -> Outcome:
    from asl.clock import VirtualClock
    from asl.errors import StatesError
    from asl.executor import Execution
    from asl.history import History, Lane
    from asl.runtime import Frame, Settings

    settings = Settings(
        clock=VirtualClock(job.start),
        registry=machine.registry,
        rng=random.Random(0),
        mocks=machine.mocks,
        **job.settings,
    )
    execution = Execution(machine.definition.machine, None, settings)
    execution.arn = job.arn
    execution.execution_context, execution.state_machine_context = _context[1]
    lane = Lane(History(settings.clock, settings.history_limit), 0, f"{job.lane_prefix}{index}")
    try:
        output = await execution.run_machine(state.processor, item, Frame({}, lane))
    except StatesError as err:
        return index, False, err, execution.transitions
    return index, True, output, execution.transitions


def batches(count: int, workers: int) -> Iterator[range]:
    """Item ranges to send: large enough to amortise the messages, shrinking so the workers end together.

    Each is a quarter of a worker's share of what is left (at most 64 children), so the last ones are
    single children: no worker idles long while another finishes a large batch.
    """
    start = 0
    while start < count:
        size = max(1, min(64, (count - start) // (workers * 4)))
        yield range(start, min(count, start + size))
        start += size
