"""The virtual clock is a discrete-event scheduler: concurrent waits overlap, deadlines race results."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import anyio
import pytest

from asl import StateMachine, TaskRegistry, VirtualClock
from asl.clock import WOKEN_BY_DEADLINE, WOKEN_BY_SIGNAL, Group, Signal
from asl.resources import TaskContext

START = 1_700_000_000.0
LAMBDA = "arn:aws:states:::lambda:invoke"
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def wait(seconds: int, **fields: Any) -> dict[str, Any]:
    return {"Type": "Wait", "Seconds": seconds, "End": True, **fields}


def map_of(states: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A one-Map definition whose processor starts at the first of `states`."""
    processor = {"StartAt": next(iter(states)), "States": states}
    return {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}},
    }


def run(definition: dict[str, Any], input: Any = None, registry: TaskRegistry | None = None, **kwargs: Any):
    clock = VirtualClock(START)
    machine = StateMachine(definition, registry=registry)
    return machine.run_sync(input if input is not None else {}, clock=clock, **kwargs), clock


def when(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["timestamp"]).timestamp() - START


def entered_times(result: Any, event_type: str) -> list[float]:
    return [when(e) for e in result.history if e["type"] == event_type]


# -- concurrency takes the time of the longest path ------------------------------------------------


def test_map_iterations_wait_at_the_same_time() -> None:
    """MaxConcurrency 0 over waits of 10, 5 and 1 s takes 10 s, not 16 s; every iteration starts at 0."""
    definition = map_of({"W": {"Type": "Wait", "SecondsPath": "$", "End": True}}, MaxConcurrency=0)
    result, clock = run(definition, [10, 5, 1])
    assert result.status == "SUCCEEDED"
    assert clock.now() - START == 10
    assert entered_times(result, "WaitStateEntered") == [0, 0, 0]
    assert entered_times(result, "WaitStateExited") == [1, 5, 10]
    assert entered_times(result, "MapStateExited") == [10]


def test_map_with_max_concurrency_queues_iterations() -> None:
    """Two workers over waits of 4, 4, 4: the third starts when the first slot frees, at 4 s; ends at 8 s."""
    result, clock = run(map_of({"W": wait(4)}, MaxConcurrency=2), [1, 2, 3])
    assert clock.now() - START == 8
    assert entered_times(result, "WaitStateEntered") == [0, 0, 4]


def test_parallel_branches_overlap() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "A",
                        "States": {"A": {"Type": "Wait", "Seconds": 3, "Next": "A2"}, "A2": wait(3)},
                    },
                    {"StartAt": "B", "States": {"B": wait(5)}},
                ],
                "End": True,
            }
        },
    }
    result, clock = run(definition)
    assert result.status == "SUCCEEDED"
    assert clock.now() - START == 6
    assert sorted(entered_times(result, "WaitStateEntered")) == [0, 0, 3]


def test_a_failing_branch_fails_the_parallel_at_once() -> None:
    """One branch waits 10 s, the other fails at once: the execution fails at 0 s, the Wait aborted."""
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Slow", "States": {"Slow": wait(10)}},
                    {
                        "StartAt": "Boom",
                        "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "now"}},
                    },
                ],
                "End": True,
            }
        },
    }
    result, clock = run(definition)
    assert (result.status, result.error) == ("FAILED", "Boom")
    assert clock.now() == START
    assert result.stop_time == START
    types = result.event_types
    assert "WaitStateAborted" in types
    assert types.index("WaitStateAborted") < types.index("ParallelStateFailed")
    # The aborted Wait and ParallelStateFailed both point at the failing branch's last event.
    by_type = {e["type"]: e for e in result.history}
    fail_entered = by_type["FailStateEntered"]["id"]
    assert by_type["WaitStateAborted"]["previousEventId"] == fail_entered
    assert by_type["ParallelStateFailed"]["previousEventId"] == fail_entered


def test_execution_timeout_is_measured_across_branches() -> None:
    definition = {
        "TimeoutSeconds": 5,
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": wait(10)}},
                    {"StartAt": "B", "States": {"B": wait(20)}},
                ],
                "End": True,
            }
        },
    }
    result, clock = run(definition)
    assert (result.status, result.error) == ("TIMED_OUT", "States.Timeout")
    assert clock.now() - START == 5
    assert result.event_types[-1] == "ExecutionTimedOut"
    assert "WaitStateAborted" not in result.event_types


# -- deadlines race results -----------------------------------------------------------------------


def task_machine(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}}}


def sleeper(seconds: float) -> TaskRegistry:
    async def handler(payload: Any, ctx: TaskContext) -> Any:
        await ctx.sleep(seconds)
        return {"slept": seconds}

    registry = TaskRegistry()
    registry.register(LAMBDA, handler)
    return registry


@pytest.mark.parametrize(
    ("seconds", "status", "ended"),
    [(4, "SUCCEEDED", 4), (5, "FAILED", 5), (6, "FAILED", 5)],
)
def test_timeout_races_the_result(seconds: float, status: str, ended: float) -> None:
    """A task must finish within TimeoutSeconds: at a tie the deadline wins."""
    result, clock = run(task_machine(TimeoutSeconds=5), registry=sleeper(seconds))
    assert result.status == status
    assert clock.now() - START == ended
    if status == "FAILED":
        assert result.error == "States.Timeout"
        timed_out = next(e for e in result.history if e["type"] == "TaskTimedOut")
        assert when(timed_out) == 5


def test_heartbeats_move_the_deadline_and_silence_ends_the_task() -> None:
    async def handler(payload: Any, ctx: TaskContext) -> Any:
        for _ in range(4):
            await ctx.sleep(2)
            ctx.heartbeat()
        await ctx.sleep(payload["then"])
        return {}

    registry = TaskRegistry()
    registry.register(LAMBDA, handler)
    ok, _ = run(task_machine(HeartbeatSeconds=3), {"then": 2}, registry)
    assert ok.status == "SUCCEEDED"
    late, clock = run(task_machine(HeartbeatSeconds=3), {"then": 10}, registry)
    assert (late.status, late.error) == ("FAILED", "States.Timeout")
    assert clock.now() - START == 8 + 3  # the last heartbeat at 8 s, then 3 s of silence


def test_a_callback_sent_by_another_branch_beats_the_timeout() -> None:
    """Branch A waits for a token (TimeoutSeconds 30); branch B waits 10 s, then sends it."""
    tokens: list[str] = []

    async def publish(payload: Any, ctx: TaskContext) -> None:
        tokens.append(ctx.task_token or "")

    async def approve(payload: Any, ctx: TaskContext) -> Any:
        ctx.execution.send_task_success(tokens[0], {"approved": True})
        return {}

    registry = TaskRegistry()
    registry.register(CALLBACK, publish)
    registry.register(LAMBDA, approve)
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Ask",
                        "States": {
                            "Ask": {"Type": "Task", "Resource": CALLBACK, "TimeoutSeconds": 30, "End": True}
                        },
                    },
                    {
                        "StartAt": "Later",
                        "States": {
                            "Later": {"Type": "Wait", "Seconds": 10, "Next": "Answer"},
                            "Answer": {"Type": "Task", "Resource": LAMBDA, "End": True},
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    result, clock = run(definition, registry=registry)
    assert result.status == "SUCCEEDED"
    assert result.output[0] == {"approved": True}
    assert clock.now() - START == 10


# -- reproducible -----------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_history() -> None:
    """Jittered backoff and concurrent waits: two runs with one seed record identical histories."""
    calls: dict[int, int] = {}

    async def flaky(payload: Any, ctx: TaskContext) -> Any:
        calls[payload] = calls.get(payload, 0) + 1
        await ctx.sleep(payload)
        if calls[payload] % 3:
            raise RuntimeError("busy")
        return payload

    registry = TaskRegistry()
    registry.register(LAMBDA, flaky)
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {
                        "T": {
                            "Type": "Task",
                            "Resource": LAMBDA,
                            "Retry": [
                                {"ErrorEquals": ["States.ALL"], "MaxAttempts": 3, "JitterStrategy": "FULL"}
                            ],
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }

    def once() -> list[dict[str, Any]]:
        calls.clear()
        result, _ = run(definition, [3, 1, 2], registry, execution_name="same", seed=7)
        assert result.status == "SUCCEEDED"
        return result.history

    first, second = once(), once()
    assert first == second
    assert len({e["timestamp"] for e in first}) > 3  # time really moved, at several distinct moments


def test_a_failing_lambda_functions_request_id_repeats_with_the_run() -> None:
    """AWS puts the invocation's requestId in a Lambda error's cause: with one seed and name it repeats."""
    from asl import lambdas

    def handler(event: Any, context: Any) -> Any:
        raise ValueError("no")

    def cause(name: str) -> str:
        registry = TaskRegistry()
        registry.register(LAMBDA, lambdas.function_handler(handler, "work", LAMBDA))
        definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
        result, _ = run(definition, {}, registry, execution_name=name, seed=3)
        assert result.error == "ValueError"
        request_id: str = json.loads(result.cause)["requestId"]
        return request_id

    assert cause("same") == cause("same")
    assert cause("same") != cause("other")


# -- the scheduler itself ---------------------------------------------------------------------------


def test_ties_wake_in_registration_order() -> None:
    clock = VirtualClock(0)
    woke: list[str] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append(name)

    async def main() -> None:
        with clock.running():
            async with Group(clock) as group:
                for name, seconds in [("a", 5), ("b", 3), ("c", 5), ("d", 3)]:
                    group.start(sleeper, name, seconds)

    anyio.run(main)
    assert woke == ["b", "d", "a", "c"]
    assert clock.now() == 5


def test_a_hold_keeps_the_clock_before_its_deadline() -> None:
    """While an outside answer may still come, the clock does not reach the answer's deadline."""
    clock = VirtualClock(0)
    seen: list[tuple[str, float]] = []
    answer = Signal()

    async def other_work() -> None:
        await clock.sleep(20)
        seen.append(("slept", clock.now()))
        await clock.sleep(100)
        seen.append(("slept again", clock.now()))

    async def outside() -> None:
        await anyio.sleep(0.05)  # real time passes; the virtual clock may only move up to 60
        seen.append(("answered", clock.now()))
        answer.set()

    async def main() -> None:
        with clock.running():
            async with anyio.create_task_group() as tg:
                tg.start_soon(outside)  # not counted: it is outside the execution
                async with Group(clock) as group:
                    group.start(other_work)
                    with clock.hold(60):
                        woken = await clock.wait(answer, 60)
                    seen.append((woken, clock.now()))

    anyio.run(main)
    assert seen == [("slept", 20), ("answered", 20), (WOKEN_BY_SIGNAL, 20), ("slept again", 120)]


def test_a_wait_nobody_can_answer_stalls() -> None:
    clock = VirtualClock(0)
    results: list[str] = []

    async def main() -> None:
        with clock.running():
            results.append(await clock.wait(Signal(), stall=True))
            results.append(await clock.wait(Signal(), 30))

    anyio.run(main)
    assert results == ["stalled", WOKEN_BY_DEADLINE]
    assert clock.now() == 30


def test_stop_execution_aborts_a_waiting_execution() -> None:
    """StopExecution while a task waits for a callback that may come from outside (as in a server)."""

    async def publish(payload: Any, ctx: TaskContext) -> None:
        return None

    registry = TaskRegistry()
    registry.register(CALLBACK, publish)
    definition = {"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": CALLBACK, "End": True}}}
    machine = StateMachine(definition, registry=registry)
    execution = machine.start({}, clock=VirtualClock(START), callbacks_from_outside=True)

    async def main() -> Any:
        async def stopper() -> None:
            await anyio.sleep(0.01)
            assert len(execution.waiters) == 1  # still waiting: the clock did not give up on the callback
            execution.stop("Manual", "the operator stopped it")

        async with anyio.create_task_group() as tg:
            tg.start_soon(stopper)
            return await machine.finish(execution)

    result = anyio.run(main)
    assert result.status == "ABORTED"
    aborted = result.history[-1]
    assert aborted["type"] == "ExecutionAborted"
    assert aborted["executionAbortedEventDetails"] == {"error": "Manual", "cause": "the operator stopped it"}
    assert "TaskStateAborted" not in result.event_types


def test_a_handler_busy_for_real_cannot_outlast_its_timeout() -> None:
    """Real work stops the virtual clock; TimeoutSeconds then runs in real seconds (an HTTP call that
    never answers must not hang a run)."""
    import time

    async def stuck(payload: Any, ctx: TaskContext) -> Any:
        await anyio.sleep(30)  # real time, as a network call that never answers
        return {}

    registry = TaskRegistry()
    registry.register(LAMBDA, stuck)
    started = time.monotonic()
    result, _ = run(task_machine(TimeoutSeconds=1), registry=registry)
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert time.monotonic() - started < 10
