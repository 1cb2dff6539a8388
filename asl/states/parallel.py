"""Parallel: run every branch concurrently; the output is the array of branch outputs."""

from __future__ import annotations

from typing import Any

import anyio

from asl.errors import StatesError
from asl.executor import Execution, ExecutionTimedOut, Frame, Outcome, finish, run_now, task_input
from asl.history import EventType
from asl.model import ParallelState
from asl.paths import Scope


async def run(ex: Execution, state: ParallelState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Parallel state: on the first branch failure, cancel the others and fail with its error."""
    branch_input = task_input(state, raw, scope, state.arguments)
    frame.history.add(EventType.PARALLEL_STATE_STARTED)
    results: list[Any] = [None] * len(state.branches)
    failures: list[BaseException] = []
    if all(branch.never_waits for branch in state.branches):
        for index, branch in enumerate(state.branches):
            results[index] = run_now(
                ex.run_machine(
                    branch,
                    branch_input,
                    Frame(dict(frame.variables), frame.history.fork(), dict(frame.variable_sizes)),
                )
            )
        frame.history.join()
        frame.history.add(EventType.PARALLEL_STATE_SUCCEEDED)
        return Outcome(finish(state, raw, results, scope), state.next, result=results)

    async with anyio.create_task_group() as tg:
        for index, branch in enumerate(state.branches):

            async def run_branch(index: int = index, branch: Any = branch) -> None:
                child = Frame(dict(frame.variables), frame.history.fork(), dict(frame.variable_sizes))
                try:
                    results[index] = await ex.run_machine(branch, branch_input, child)
                except (StatesError, ExecutionTimedOut) as err:
                    if not failures:
                        failures.append(err)
                    tg.cancel_scope.cancel()

            tg.start_soon(run_branch)
    if failures:
        frame.history.join()
        raise failures[0]
    frame.history.join()
    frame.history.add(EventType.PARALLEL_STATE_SUCCEEDED)
    return Outcome(finish(state, raw, results, scope), state.next, result=results)
