"""Continuing an execution from its recorded history, cut at every event (as a crash would cut it)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

import anyio
import pytest

from asl import StateMachine, TaskRegistry, VirtualClock
from asl.resources import TaskContext
from asl.resume import ResumeError

START = 1_700_000_000.0
LAMBDA = "arn:aws:states:::lambda:invoke"
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"

#: Every kind of state and concurrency: a Map with waits and retries, a Parallel, Choice, variables.
WORKFLOW = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Assign": {"greeting": "hello"}, "Next": "Each"},
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 2,
            "ItemProcessor": {
                "StartAt": "Pause",
                "States": {
                    "Pause": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Work"},
                    "Work": {
                        "Type": "Task",
                        "Resource": LAMBDA,
                        "Parameters": {"n.$": "$.n", "attempt.$": "$$.State.RetryCount"},
                        "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 3, "MaxAttempts": 2}],
                        "End": True,
                    },
                },
            },
            "ResultPath": "$.results",
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Short", "States": {"Short": {"Type": "Wait", "Seconds": 4, "End": True}}},
                {
                    "StartAt": "Decide",
                    "States": {
                        "Decide": {
                            "Type": "Choice",
                            "Choices": [
                                {"Variable": "$.results[0]", "NumericGreaterThan": 10, "Next": "Big"}
                            ],
                            "Default": "Small",
                        },
                        "Big": {"Type": "Pass", "Result": "big", "End": True},
                        "Small": {"Type": "Pass", "Result": "small", "End": True},
                    },
                },
            ],
            "ResultPath": "$.both",
            "Next": "Done",
        },
        "Done": {
            "Type": "Pass",
            "Parameters": {"results.$": "$.results", "both.$": "$.both", "greeting.$": "$greeting"},
            "End": True,
        },
    },
}
INPUT = {"items": [{"n": 12, "wait": 5}, {"n": 3, "wait": 1}, {"n": 7, "wait": 2}]}


def registry(calls: dict[int, int]) -> TaskRegistry:
    async def work(payload: Any, ctx: TaskContext) -> Any:
        n = payload["n"]
        calls[n] = calls.get(n, 0) + 1
        await ctx.sleep(n / 10)
        if n == 3 and payload["attempt"] == 0:  # the first attempt at item 3 fails, however often it runs
            raise RuntimeError("Flaky")
        return n

    async def flaky_error(payload: Any, ctx: TaskContext) -> Any:
        try:
            return await work(payload, ctx)
        except RuntimeError:
            from asl.errors import TaskFailed

            raise TaskFailed("Flaky", "try again") from None

    tasks = TaskRegistry()
    tasks.register(LAMBDA, flaky_error)
    return tasks


def record(machine: StateMachine, **kwargs: Any) -> tuple[Any, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    result = machine.run_sync(
        INPUT, clock=VirtualClock(START), execution_name="run", seed=5, on_record=events.append, **kwargs
    )
    return result, events


def lanes(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Event types by lane: the order that is the same however concurrent work interleaves."""
    by_lane: dict[str, list[str]] = defaultdict(list)
    for event in events:
        by_lane[event["lane"]].append(event["type"])
    return dict(by_lane)


def at(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["timestamp"]).timestamp()


def test_a_whole_run_records_lanes_and_next_states() -> None:
    result, events = record(StateMachine(WORKFLOW, registry=registry({})))
    assert result.status == "SUCCEEDED"
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    exited = [e for e in events if e["type"].endswith("StateExited")]
    assert {e["stateExitedEventDetails"]["name"]: e["next"] for e in exited}["Prepare"] == "Each"
    assert len({e["lane"] for e in events}) == 1 + 3 + 2  # top level, three iterations, two branches


def test_resuming_from_every_point_ends_as_the_uninterrupted_run() -> None:
    calls: dict[int, int] = {}
    machine = StateMachine(WORKFLOW, registry=registry(calls))
    expected, events = record(machine)
    assert expected.status == "SUCCEEDED"
    for cut in range(1, len(events) - 1):
        calls.clear()
        recorded = events[:cut]
        new: list[dict[str, Any]] = []
        execution = machine.resume(
            recorded, clock=VirtualClock(at(recorded[-1])), execution_name="run", seed=5, on_record=new.append
        )
        result = anyio.run(machine.finish, execution)
        assert (result.status, result.output) == (expected.status, expected.output), cut
        # A task that was running is invoked again when the execution resumes, so what follows it may
        # happen later than in the uninterrupted run; the events, lane by lane, are the same.
        assert lanes(recorded + new) == lanes(events), cut
        assert [e["id"] for e in new] == list(range(cut + 1, len(events) + 1)), cut
        finished = sum(e["type"] in ("TaskSucceeded", "TaskFailed") for e in recorded)
        assert sum(calls.values()) <= 4 - finished, cut  # an attempt whose end is recorded is not made again


def test_a_handed_out_token_still_completes_the_resumed_execution() -> None:
    async def publish(payload: Any, ctx: TaskContext) -> None:
        return None

    tasks = TaskRegistry()
    tasks.register(CALLBACK, publish)
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": CALLBACK,
                "Parameters": {"token.$": "$$.Task.Token"},
                "End": True,
            }
        },
    }
    machine = StateMachine(definition, registry=tasks)
    events: list[dict[str, Any]] = []
    first = machine.start({}, clock=VirtualClock(START), execution_name="cb", seed=9, on_record=events.append)

    async def until_waiting() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(machine.finish, first)
            while not first.waiters:
                await anyio.sleep(0)
            first.ending = True  # the process dies while the task waits: nothing more is recorded
            tg.cancel_scope.cancel()

    first.settings.callbacks_from_outside = True
    anyio.run(until_waiting)
    assert events[-1]["type"] == "TaskStarted"
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
    token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["token"]

    resumed = machine.resume(
        events, clock=VirtualClock(START + 60), execution_name="cb", seed=9, callbacks_from_outside=True
    )

    async def answer() -> Any:
        async with anyio.create_task_group() as tg:

            async def send() -> None:
                while token not in resumed.waiters:
                    await anyio.sleep(0)
                resumed.send_task_success(token, {"approved": True})

            tg.start_soon(send)
            return await machine.finish(resumed)

    result = anyio.run(answer)
    assert (result.status, result.output) == ("SUCCEEDED", {"approved": True})
    assert [e["type"] for e in result.history].count("TaskScheduled") == 1


def test_a_wait_continues_for_its_remaining_time() -> None:
    machine = StateMachine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}})
    _, events = record(machine)
    entered = next(e for e in events if e["type"] == "WaitStateEntered")
    clock = VirtualClock(at(entered) + 30)  # the server comes back 30 s into the wait
    execution = machine.resume(events[:2], clock=clock, execution_name="run", seed=5)
    result = anyio.run(machine.finish, execution)
    assert result.status == "SUCCEEDED"
    assert clock.sleeps == [70]
    assert clock.now() == at(entered) + 100


def test_a_changed_definition_cannot_resume() -> None:
    machine = StateMachine(WORKFLOW, registry=registry({}))
    _, events = record(machine)
    changed = json.loads(json.dumps(WORKFLOW))
    changed["States"]["Prepare"] = {"Type": "Wait", "Seconds": 1, "Next": "Each"}
    other = StateMachine(changed, registry=registry({}))
    execution = other.resume(events[:3], clock=VirtualClock(START), execution_name="run", seed=5)
    result = anyio.run(other.finish, execution)
    assert result.error == "States.Runtime"
    assert "cannot resume" in (result.cause or "")


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([], "must begin with its ExecutionStarted"),
        ([{"id": 1, "type": "ExecutionStarted", "previousEventId": 0, "timestamp": START}], "lacks lane"),
    ],
)
def test_unusable_histories_are_refused(events: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StateMachine(WORKFLOW).resume(events)


def test_resume_error_is_a_runtime_error() -> None:
    assert ResumeError("x").error == "States.Runtime"


# -- RedriveExecution ---------------------------------------------------------------------------------


def test_a_redrive_runs_again_only_what_did_not_succeed() -> None:
    """AWS's redrive: "restarts the execution from the unsuccessful step", keeping what succeeded; the
    history gains ExecutionRedriven and $$.Execution.RedriveCount counts the redrives."""
    broken = {"on": True}
    calls: dict[Any, int] = defaultdict(int)

    async def work(payload: Any, ctx: TaskContext) -> Any:
        calls[payload["item"]] += 1
        if broken["on"] and payload["item"] == 2:
            from asl.errors import TaskFailed

            raise TaskFailed("Broken", "item 2 needs a fix")
        return payload["item"] * 10

    tasks = TaskRegistry()
    tasks.register(LAMBDA, work)
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": [1, 2, 3], "Next": "Each"},
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemSelector": {"item.$": "$$.Map.Item.Value"},
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "Resource": LAMBDA, "End": True}},
                },
                "Next": "Done",
            },
            "Done": {
                "Type": "Pass",
                "Parameters": {"results.$": "$", "redrives.$": "$$.Execution.RedriveCount"},
                "End": True,
            },
        },
    }
    machine = StateMachine(definition, registry=tasks)
    events: list[dict[str, Any]] = []
    failed = machine.run_sync(
        {}, clock=VirtualClock(START), execution_name="r", seed=1, on_record=events.append
    )
    assert (failed.status, failed.error) == ("FAILED", "Broken")
    assert dict(calls) == {1: 1, 2: 1}
    broken["on"] = False
    new: list[dict[str, Any]] = []
    execution = machine.redrive(
        events, clock=VirtualClock(START + 600), execution_name="r", seed=1, on_record=new.append
    )
    result = anyio.run(machine.finish, execution)
    assert (result.status, result.output) == ("SUCCEEDED", {"results": [10, 20, 30], "redrives": 1})
    assert dict(calls) == {1: 1, 2: 2, 3: 1}  # item 1 succeeded before: not run again
    assert new[0]["type"] == "ExecutionRedriven"
    assert new[0]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert new[0]["id"] == len(events) + 1
    assert [e["type"] for e in events + new].count("PassStateEntered") == 2  # Prepare once, Done once


def test_only_an_ended_unsuccessful_execution_can_be_redriven() -> None:
    machine = StateMachine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    events: list[dict[str, Any]] = []
    machine.run_sync({}, clock=VirtualClock(START), on_record=events.append)
    with pytest.raises(ValueError, match="failed, timed out or was aborted"):
        machine.redrive(events)
    with pytest.raises(ValueError, match="failed, timed out or was aborted"):
        machine.redrive(events[:-1])


#: Parallel inside a Map, waits and a retried task inside branches, a loop with a variable at the top.
NESTED = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Assign": {"round": 0}, "Next": "Each"},
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Both",
                "States": {
                    "Both": {
                        "Type": "Parallel",
                        "Branches": [
                            {
                                "StartAt": "Nap",
                                "States": {"Nap": {"Type": "Wait", "SecondsPath": "$.wait", "End": True}},
                            },
                            {
                                "StartAt": "Work",
                                "States": {
                                    "Work": {
                                        "Type": "Task",
                                        "Resource": LAMBDA,
                                        "Parameters": {"n.$": "$.n", "attempt.$": "$$.State.RetryCount"},
                                        "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2}],
                                        "End": True,
                                    }
                                },
                            },
                        ],
                        "ResultSelector": {"n.$": "$[1]"},
                        "End": True,
                    }
                },
            },
            "ResultPath": "$.results",
            "Next": "Again",
        },
        "Again": {"Type": "Pass", "Assign": {"round.$": "States.MathAdd($round, 1)"}, "Next": "Enough"},
        "Enough": {
            "Type": "Choice",
            "Choices": [{"Variable": "$round", "NumericLessThan": 2, "Next": "Each"}],
            "Default": "Done",
        },
        "Done": {"Type": "Pass", "Parameters": {"results.$": "$.results", "round.$": "$round"}, "End": True},
    },
}


def test_nested_concurrency_resumes_from_every_point() -> None:
    calls: dict[int, int] = {}
    machine = StateMachine(NESTED, registry=registry(calls))
    input_ = {"items": [{"n": 3, "wait": 4}, {"n": 12, "wait": 1}]}
    events: list[dict[str, Any]] = []
    expected = machine.run_sync(
        input_, clock=VirtualClock(START), execution_name="n", seed=2, on_record=events.append
    )
    assert expected.status == "SUCCEEDED"
    assert expected.output == {"results": [{"n": 3}, {"n": 12}], "round": 2}
    for cut in range(1, len(events) - 1):
        recorded = events[:cut]
        new: list[dict[str, Any]] = []
        execution = machine.resume(
            recorded, clock=VirtualClock(at(recorded[-1])), execution_name="n", seed=2, on_record=new.append
        )
        result = anyio.run(machine.finish, execution)
        assert (result.status, result.output) == (expected.status, expected.output), cut
        assert lanes(recorded + new) == lanes(events), cut


def test_a_crash_during_a_redrive_resumes_the_redrive() -> None:
    """The events before ExecutionRedriven are what that redrive kept: resuming does not replay the failure."""
    broken = {"on": True}

    async def work(payload: Any, ctx: TaskContext) -> Any:
        if broken["on"]:
            from asl.errors import TaskFailed

            raise TaskFailed("Broken", "first attempt")
        await ctx.sleep(1)
        return "fixed"

    tasks = TaskRegistry()
    tasks.register(LAMBDA, work)
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": LAMBDA, "Next": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": 5, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }
    machine = StateMachine(definition, registry=tasks)
    events: list[dict[str, Any]] = []
    machine.run_sync({}, clock=VirtualClock(START), execution_name="c", seed=3, on_record=events.append)
    broken["on"] = False
    after: list[dict[str, Any]] = []
    redrive = machine.redrive(
        events, clock=VirtualClock(START + 60), execution_name="c", seed=3, on_record=after.append
    )
    expected = anyio.run(machine.finish, redrive)
    assert (expected.status, expected.output) == ("SUCCEEDED", "fixed")
    whole = events + after
    for cut in range(len(events) + 1, len(whole) - 1):
        recorded = whole[:cut]
        execution = machine.resume(recorded, clock=VirtualClock(at(recorded[-1])), execution_name="c", seed=3)
        result = anyio.run(machine.finish, execution)
        assert (result.status, result.output) == ("SUCCEEDED", "fixed"), cut
        assert execution.execution_context["RedriveCount"] == 1, cut


def test_a_jittered_backoff_resumes_with_the_same_delay() -> None:
    async def flaky(payload: Any, ctx: TaskContext) -> Any:
        if ctx.context["State"]["RetryCount"] < 2:
            from asl.errors import TaskFailed

            raise TaskFailed("Busy", "later")
        return "done"

    tasks = TaskRegistry()
    tasks.register(LAMBDA, flaky)
    retry = [{"ErrorEquals": ["Busy"], "IntervalSeconds": 10, "MaxAttempts": 3, "JitterStrategy": "FULL"}]
    definition = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": LAMBDA, "Retry": retry, "End": True}},
    }
    machine = StateMachine(definition, registry=tasks)
    events: list[dict[str, Any]] = []
    machine.run_sync({}, clock=VirtualClock(START), execution_name="j", seed=4, on_record=events.append)
    scheduled = [at(e) for e in events if e["type"] == "TaskScheduled"]
    assert len(scheduled) == 3
    first_failure = next(i for i, e in enumerate(events) if e["type"] == "TaskFailed")
    recorded = events[: first_failure + 1]  # the process stopped during the first backoff
    new: list[dict[str, Any]] = []
    execution = machine.resume(
        recorded, clock=VirtualClock(at(recorded[-1])), execution_name="j", seed=4, on_record=new.append
    )
    anyio.run(machine.finish, execution)
    again = [at(e) for e in recorded + new if e["type"] == "TaskScheduled"]
    assert again == scheduled


def test_the_virtual_clock_takes_an_aware_datetime() -> None:
    from datetime import UTC, datetime

    assert VirtualClock(datetime(2024, 1, 1, tzinfo=UTC)).now() == 1_704_067_200.0
    with pytest.raises(ValueError, match="time zone"):
        VirtualClock(datetime(2024, 1, 1))
    with pytest.raises(TypeError, match="epoch seconds"):
        VirtualClock("2024")  # type: ignore[arg-type]
