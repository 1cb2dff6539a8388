"""Parallel and Map: ordering, bounded concurrency, failure and cancellation, tolerated failures."""

from __future__ import annotations

import tracemalloc
from typing import Any

import anyio
import pytest

from asl import StateMachine, TaskFailed, TaskRegistry, VirtualClock
from asl.resources import TaskContext

ARN = "arn:aws:states:::lambda:invoke"


class Tracker:
    """A handler that records how many calls run at once; fails for items listed in `fail`."""

    def __init__(self, fail: set[int] | None = None, delay: float = 0.001) -> None:
        self.running = 0
        self.peak = 0
        self.cancelled = 0
        self.fail = fail or set()
        self.delay = delay

    async def __call__(self, payload: Any, ctx: TaskContext) -> Any:
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await anyio.sleep(self.delay * (1 + payload % 3))
            if payload in self.fail:
                raise TaskFailed("ItemFailed", f"item {payload}")
            return payload * 10
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        finally:
            self.running -= 1


def map_machine(items_path: str = "$.items", **fields: Any) -> dict[str, Any]:
    body = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": ARN, "End": True}}}
    state = {"Type": "Map", "ItemsPath": items_path, "ItemProcessor": body, "End": True, **fields}
    return {"StartAt": "M", "States": {"M": state}}


def run(definition: dict[str, Any], handler: Any, input: Any) -> Any:
    registry = TaskRegistry()
    registry.register(ARN, handler)
    return StateMachine(definition, registry=registry).run_sync(input)


@pytest.mark.parametrize(("limit", "expected_peak"), [(1, 1), (3, 3), (10, 10), (0, 40)])
def test_map_concurrency_never_exceeds_max_concurrency(limit: int, expected_peak: int) -> None:
    tracker = Tracker()
    result = run(map_machine(MaxConcurrency=limit), tracker, {"items": list(range(60))})
    assert result.status == "SUCCEEDED"
    assert result.output == [i * 10 for i in range(60)]
    assert tracker.peak == expected_peak


def test_map_results_keep_item_order_and_events() -> None:
    result = run(map_machine(MaxConcurrency=5), Tracker(), {"items": [3, 1, 2]})
    assert result.output == [30, 10, 20]
    types = result.event_types
    assert types[:4] == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted"]
    assert types.count("MapIterationSucceeded") == 3
    assert types[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    started = next(e for e in result.history if e["type"] == "MapStateStarted")
    assert started["mapStateStartedEventDetails"] == {"length": 3}
    iteration = next(e for e in result.history if e["type"] == "MapIterationStarted")
    assert set(iteration["mapIterationStartedEventDetails"]) == {"name", "index"}


def test_failing_iteration_cancels_the_others() -> None:
    tracker = Tracker(fail={0}, delay=0.05)
    result = run(map_machine(MaxConcurrency=0), tracker, {"items": list(range(20))})
    assert (result.status, result.error, result.cause) == ("FAILED", "ItemFailed", "item 0")
    assert tracker.cancelled > 0
    assert tracker.running == 0
    assert result.event_types[-2:] == ["MapStateFailed", "ExecutionFailed"]


def test_tolerated_failure_count() -> None:
    tracker = Tracker(fail={1, 4})
    ok = run(map_machine(MaxConcurrency=1, ToleratedFailureCount=2), tracker, {"items": list(range(6))})
    assert ok.status == "SUCCEEDED"
    assert ok.output[1] == {"Error": "ItemFailed", "Cause": "item 1"}
    over = run(
        map_machine(MaxConcurrency=1, ToleratedFailureCount=1),
        Tracker(fail={1, 4}),
        {"items": list(range(6))},
    )
    assert (over.status, over.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")


def test_tolerated_failure_percentage_path() -> None:
    definition = map_machine(MaxConcurrency=1, ToleratedFailurePercentagePath="$.pct")
    items = list(range(10))
    assert run(definition, Tracker(fail={2}), {"items": items, "pct": 10}).status == "SUCCEEDED"
    assert (
        run(definition, Tracker(fail={2, 3}), {"items": items, "pct": 10}).error
        == "States.ExceedToleratedFailureThreshold"
    )


def test_max_concurrency_path() -> None:
    tracker = Tracker()
    run(map_machine(MaxConcurrencyPath="$.c"), tracker, {"items": list(range(12)), "c": 4})
    assert tracker.peak == 4


def test_item_selector_sees_map_item_context() -> None:
    selector = {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "tag.$": "$.tag"}
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": selector,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    result = StateMachine(definition).run_sync({"items": ["a", "b"], "tag": "t"})
    assert result.output == [{"value": "a", "index": 0, "tag": "t"}, {"value": "b", "index": 1, "tag": "t"}]


def test_map_over_100k_items_keeps_memory_bounded() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 0,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "ResultPath": None,
                "End": True,
            }
        },
    }
    machine = StateMachine(definition, payload_limit=0, history_limit=0)
    items = list(range(100_000))
    tracemalloc.start()
    result = machine.run_sync(items)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.status == "SUCCEEDED"
    assert result.transitions == 100_001
    # The history keeps ~6 small events per item; workers are a fixed pool of 40, not 100k tasks.
    assert peak < 400 * 1024 * 1024


def parallel_machine(branches: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": branches, "End": True, **fields}},
    }


def branch(*states: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    names = [n for n, _ in states]
    body = {}
    for i, (name, state) in enumerate(states):
        nxt = (
            {"Next": names[i + 1]}
            if i + 1 < len(names)
            else ({"End": True} if state["Type"] not in ("Fail", "Succeed") else {})
        )
        body[name] = {**state, **nxt}
    return {"StartAt": names[0], "States": body}


def test_parallel_outputs_in_branch_order() -> None:
    branches = [branch((f"B{i}", {"Type": "Pass", "Result": i})) for i in range(5)]
    result = StateMachine(parallel_machine(branches)).run_sync({})
    assert result.output == [0, 1, 2, 3, 4]
    assert result.event_types[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert result.event_types[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_parallel_branch_failure_cancels_others_and_can_be_caught() -> None:
    tracker = Tracker(delay=0.2)
    slow = branch(("Slow", {"Type": "Task", "Resource": ARN}))
    failing = branch(("Boom", {"Type": "Fail", "Error": "BranchBoom", "Cause": "no"}))
    definition = parallel_machine(
        [slow, failing], Parameters={"n": 1}, Catch=[{"ErrorEquals": ["BranchBoom"], "Next": "Handled"}]
    )
    definition["States"]["Handled"] = {"Type": "Pass", "End": True}
    del definition["States"]["P"]["End"]
    definition["States"]["P"]["Next"] = "Handled"
    registry = TaskRegistry()

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        return await tracker(1, ctx)

    registry.register(ARN, handler)
    result = StateMachine(definition, registry=registry).run_sync({})
    assert result.status == "SUCCEEDED"
    assert result.output == {"Error": "BranchBoom", "Cause": "no"}
    assert tracker.cancelled == 1
    assert "ParallelStateFailed" in result.event_types


def test_parallel_retry_reruns_all_branches() -> None:
    clock = VirtualClock(start=0)
    failing = branch(("Boom", {"Type": "Fail", "Error": "E"}))
    result = StateMachine(
        parallel_machine([failing], Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 2}])
    ).run_sync({}, clock=clock)
    assert result.status == "FAILED"
    assert clock.sleeps == [1, 2]
    assert result.event_types.count("ParallelStateStarted") == 3
    assert result.event_types.count("ParallelStateFailed") == 1


def test_execution_timeout_cancels_branches() -> None:
    definition = parallel_machine(
        [branch(("W1", {"Type": "Wait", "Seconds": 100})), branch(("W2", {"Type": "Wait", "Seconds": 100}))]
    )
    definition["TimeoutSeconds"] = 10
    clock = VirtualClock(start=0)
    result = StateMachine(definition).run_sync({}, clock=clock)
    assert (result.status, result.error) == ("TIMED_OUT", "States.Timeout")
    assert result.event_types[-1] == "ExecutionTimedOut"
    assert clock.now() == 10


def test_previous_event_ids_follow_each_branch() -> None:
    tracker = Tracker(delay=0.001)
    branches = [
        branch(("A1", {"Type": "Task", "Resource": ARN}), ("A2", {"Type": "Pass"})),
        branch(("B1", {"Type": "Task", "Resource": ARN})),
    ]
    registry = TaskRegistry()

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        return await tracker(1, ctx)

    registry.register(ARN, handler)
    events = StateMachine(parallel_machine(branches), registry=registry).run_sync({}).history
    by_id = {e["id"]: e for e in events}
    started = next(e["id"] for e in events if e["type"] == "ParallelStateStarted")
    firsts = [e for e in events if e["type"] == "TaskStateEntered"]
    assert [e["previousEventId"] for e in firsts] == [started, started]
    follows = {
        "TaskScheduled": "TaskStateEntered",
        "TaskStarted": "TaskScheduled",
        "TaskSucceeded": "TaskStarted",
    }
    for event in events:
        if event["type"] in follows:
            assert by_id[event["previousEventId"]]["type"] == follows[event["type"]]
    a2 = next(e for e in events if e["type"] == "PassStateEntered")
    assert by_id[a2["previousEventId"]]["stateExitedEventDetails"]["name"] == "A1"
    succeeded = next(e for e in events if e["type"] == "ParallelStateSucceeded")
    assert succeeded["previousEventId"] == succeeded["id"] - 1


def test_history_limit_fails_like_aws_and_can_be_lifted() -> None:
    definition = {
        "StartAt": "Loop",
        "States": {
            "Loop": {"Type": "Pass", "Next": "Again"},
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": False, "Next": "Loop"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    result = StateMachine(definition).run_sync({})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    # AWS's wording (quoted from an execution in loads/ardere#86), and the failure is event 25,000
    # (https://docs.aws.amazon.com/step-functions/latest/dg/bp-history-limit.html).
    assert result.cause == "The execution reached the maximum number of history events (25000)."
    assert len(result.history) == 25_000
    assert result.event_types[-1] == "ExecutionFailed"
    items = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    assert StateMachine(items, history_limit=100).run_sync(list(range(50))).error == "States.Runtime"
    assert StateMachine(items, history_limit=0).run_sync(list(range(50))).status == "SUCCEEDED"


def test_cancelled_iterations_and_tasks_are_recorded_as_aborted() -> None:
    tracker = Tracker(fail={0}, delay=0.05)
    result = run(map_machine(MaxConcurrency=3), tracker, {"items": [0, 1, 2]})
    types = result.event_types
    assert types.count("MapIterationFailed") == 1
    assert types.count("MapIterationAborted") == 2
    assert types.count("TaskStateAborted") == 2
    assert types.index("MapIterationAborted") < types.index("MapStateFailed")
