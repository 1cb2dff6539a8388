"""Distributed Map children in worker processes (asl.workers): when they may go there, and what comes back.

Speed is bench/bench_workers.py's; these check which children stay in this process (and say why), that
outcomes cross the process boundary intact, that a state machine built in Python with importable handlers
can use workers through a Recipe, and that a failing worker hands the rest back to this process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asl import StateMachine, TaskRegistry, VirtualClock
from asl import errors as asl_errors
from asl.model import MapState
from asl.workers import InProcessWarning, Recipe, WorkerFailedWarning, batches, start_method, why_in_process

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:square"


def square(payload: Any, ctx: Any = None) -> Any:
    """A module-level handler a worker process can import."""
    markers = os.environ.get("ASL_TEST_MARKERS")  # read now: a forked worker has this module as imported
    if os.environ.get("ASL_WORKER") and markers:
        Path(markers, f"worker-{os.getpid()}").touch()
    return {"n": payload["n"], "square": payload["n"] ** 2}


async def square_async(payload: Any, ctx: Any = None) -> Any:
    return square(payload, ctx)


def distributed(processor_states: dict[str, Any], start: str = "Work") -> dict[str, Any]:
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": start,
                    "States": processor_states,
                },
                "ToleratedFailurePercentage": 100,
                "End": True,
            }
        },
    }


WORK = {"Work": {"Type": "Task", "Resource": LAMBDA, "End": True}}


def build(workers: int = 1) -> StateMachine:
    """The Recipe's factory: the same machine, with handlers a worker imports by name."""
    registry = TaskRegistry()
    registry.register(LAMBDA, square_async)
    machine = StateMachine(distributed(WORK), registry=registry, workers=workers)
    machine.worker_recipe = Recipe("tests.unit.core.test_workers:build", ())
    return machine


def broken() -> StateMachine:
    raise RuntimeError("this worker cannot build the state machine")


def fan(machine: StateMachine) -> MapState:
    state = machine.definition.machine.states["Fan"]
    assert isinstance(state, MapState)
    return state


@pytest.mark.parametrize(
    ("states", "reason"),
    [
        (WORK, None),
        ({"Work": {"Type": "Wait", "Seconds": 1, "End": True}}, "is a Wait state"),
        ({"Work": {**WORK["Work"], "Retry": [{"ErrorEquals": ["States.ALL"]}]}}, "has a Retry"),
        ({"Work": {**WORK["Work"], "TimeoutSeconds": 5}}, "task timeout or heartbeat"),
        (
            {
                "Work": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "End": True,
                }
            },
            ".waitForTaskToken task",
        ),
        (
            {
                "Work": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:us-east-1:123456789012:activity:a",
                    "End": True,
                }
            },
            "runs an activity",
        ),
        (
            {
                "Work": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminGetUser",
                    "End": True,
                }
            },
            "calls Cognito",
        ),
        (
            {"Work": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution", "End": True}},
            "starts a local state machine",
        ),
        (
            {"Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:nobody", "End": True}},
            "no handler",
        ),
    ],
)
def test_which_children_stay_in_this_process(states: dict[str, Any], reason: str | None) -> None:
    registry = TaskRegistry()
    registry.register(LAMBDA, square_async)
    registry.register("arn:aws:states:::aws-sdk:cognitoidentityprovider:adminGetUser", square_async)
    registry.register("arn:aws:states:::states:startExecution", square_async)
    registry.register("arn:aws:states:::sqs:sendMessage.waitForTaskToken", square_async)
    registry.register("arn:aws:states:us-east-1:123456789012:activity:a", square_async)
    machine = StateMachine(distributed(states), registry=registry)
    machine.worker_recipe = Recipe("tests.unit.core.test_workers:build", ())
    found = why_in_process(fan(machine), machine)
    assert (found is None) if reason is None else (found is not None and reason in found)


def test_a_registry_of_closures_stays_in_this_process_with_a_warning() -> None:
    registry = TaskRegistry()
    registry.register(LAMBDA, lambda payload, ctx: square_async(payload))
    items = {"items": [{"n": n} for n in range(12)]}
    alone = StateMachine(distributed(WORK), registry=registry).run_sync(items, execution_name="e")
    machine = StateMachine(distributed(WORK), registry=registry, workers=2)
    with pytest.warns(InProcessWarning, match="built in Python"):
        result = machine.run_sync(items, execution_name="e")
    assert (result.status, result.output) == (alone.status, alone.output)


@pytest.mark.parametrize(
    "error",
    [
        asl_errors.TaskFailed("Custom.Error", "why"),
        asl_errors.StatesRuntime("a path matched nothing"),
        asl_errors.StatesTimeout(),
        asl_errors.QueryEvaluationError("bad", location="Output"),
        asl_errors.ExceedToleratedFailureThreshold("too many"),
    ],
)
def test_outcomes_cross_processes_intact(error: asl_errors.StatesError) -> None:
    error.failed_state = "Inner"
    error.scoped_to = "Inner"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert vars(copy) == vars(error)
    assert str(copy) == str(error)


@contextlib.contextmanager
def another_thread() -> Iterator[None]:
    """While this runs, another thread is alive (so workers cannot be forked)."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize(
    ("threaded", "method"), [(False, "fork"), (True, "spawn")], ids=["forked", "spawned"]
)
def test_workers_fork_only_while_this_is_the_only_thread(threaded: bool, method: str) -> None:
    with another_thread() if threaded else contextlib.nullcontext():
        assert start_method().get_start_method() == method


@pytest.mark.parametrize("threaded", [False, True], ids=["forked", "spawned"])
def test_a_python_recipe_runs_children_in_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    monkeypatch.setenv("ASL_TEST_MARKERS", str(tmp_path))
    items = {"items": [{"n": n} for n in range(20)]}
    alone = build(1).run_sync(items, clock=VirtualClock(0), execution_name="e")
    machine = build(2)
    try:
        with another_thread() if threaded else contextlib.nullcontext():
            result = machine.run_sync(items, clock=VirtualClock(0), execution_name="e")
    finally:
        machine.close()
    assert list(tmp_path.glob("worker-*")), "no child ran in a worker process"
    assert result.output == alone.output == [{"n": n, "square": n * n} for n in range(20)]
    assert result.history == alone.history
    assert result.transitions == alone.transitions


def test_a_worker_that_cannot_start_hands_the_children_back() -> None:
    items = {"items": [{"n": n} for n in range(20)]}
    alone = build(1).run_sync(items, clock=VirtualClock(0), execution_name="e")
    machine = build(2)
    machine.worker_recipe = Recipe("tests.unit.core.test_workers:broken", ())
    try:
        with pytest.warns(WorkerFailedWarning, match="worker process failed"):
            result = machine.run_sync(items, clock=VirtualClock(0), execution_name="e")
    finally:
        machine.close()
    assert result.output == alone.output
    assert result.history == alone.history


@pytest.mark.parametrize(("count", "workers"), [(1, 2), (8, 2), (40, 2), (400, 2), (10_000, 4), (7, 16)])
def test_batches_cover_every_child_once_shrinking_to_single_children(count: int, workers: int) -> None:
    sizes = [len(part) for part in batches(count, workers)]
    assert [index for part in batches(count, workers) for index in part] == list(range(count))
    assert sizes == sorted(sizes, reverse=True)
    assert max(sizes) <= 64
    assert sizes[-1] == 1


def test_child_executions_see_the_time_their_map_started() -> None:
    """A child's `$$.State.EnteredTime` is its own clock's: after a 5 s Wait, 5 s past the start.

    (Each child records into its own history; the entered time once came from the parent's history,
    read at the child's event number: the execution's start.)
    """
    definition = distributed(
        {"Work": {"Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": True}}
    )
    definition["States"] = {
        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Fan"},
        **definition["States"],
    }
    definition["StartAt"] = "Pause"
    result = StateMachine(definition).run_sync({"items": [1, 2]}, clock=VirtualClock(0))
    assert result.output == [{"at": "1970-01-01T00:00:05.000Z"}] * 2
