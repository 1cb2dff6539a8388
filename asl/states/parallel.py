"""Parallel: run every branch concurrently; the output is the array of branch outputs.

History, as AWS records it: `ParallelStateStarted`, then each branch's events chained from it
(`previousEventId` follows the branch, whatever the interleaving), then `ParallelStateSucceeded`
pointing at the last branch event, and `ParallelStateExited` pointing at that same event. When a
branch fails, the branches still running are cancelled and record `<Type>StateAborted` pointing at
the failing branch's last event, and `ParallelStateFailed` points at it too.
"""

from __future__ import annotations

from typing import Any

from asl.clock import Group
from asl.errors import StatesError
from asl.history import EventType, Lane
from asl.model import ParallelState
from asl.paths import Scope
from asl.runtime import Frame, Outcome, Runtime
from asl.states.common import finish, run_now, task_input


async def run(ex: Runtime, state: ParallelState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Parallel state: on the first branch failure, cancel the others and fail with its error."""
    branch_input = task_input(state, raw, scope, state.arguments)
    history = frame.history
    history.add(EventType.PARALLEL_STATE_STARTED)
    results: list[Any] = [None] * len(state.branches)
    lanes = [history.fork(index) for index in range(len(state.branches))]
    if all(branch.never_waits for branch in state.branches):
        for index, branch in enumerate(state.branches):
            results[index] = run_now(
                ex.run_machine(branch, branch_input, frame.child(lanes[index], branch=True))
            )
        return _succeeded(state, raw, results, scope, history)

    failures: list[tuple[StatesError, Lane]] = []
    running = set(range(len(state.branches)))

    async def run_branch(index: int) -> None:
        lane = lanes[index]
        try:
            results[index] = await ex.run_machine(
                state.branches[index], branch_input, frame.child(lane, branch=True)
            )
        except StatesError as err:
            running.discard(index)
            if not failures:
                failures.append((err, lane))
                if err.error == "States.Runtime":
                    ex.ending = True  # uncatchable: the execution fails, nothing is recorded as aborted
                for other in running:  # what the cancelled branches record follows this failure
                    lanes[other].last = lane.last
                group.stop()
            return
        running.discard(index)

    async with Group(ex.clock) as group:
        for index in range(len(state.branches)):
            group.start(run_branch, index)
    if failures:
        err, lane = failures[0]
        history.last = lane.last
        raise err
    return _succeeded(state, raw, results, scope, history)


def _succeeded(state: ParallelState, raw: Any, results: list[Any], scope: Scope, history: Lane) -> Outcome:
    history.join()
    history.add_aside(EventType.PARALLEL_STATE_SUCCEEDED)
    return Outcome(finish(state, raw, results, scope), state.next, result=results)
