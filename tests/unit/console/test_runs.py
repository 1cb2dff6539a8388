"""Reading a history for the console: each state's runs, outcomes, lanes, the failure."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl import StateMachine
from asl.console.runs import Analysis, analyse, lane_groups
from asl.errors import TaskFailed
from asl.resources import TaskRegistry

FLAKY = "arn:aws:lambda:us-east-1:123456789012:function:flaky"
BROKEN = "arn:aws:lambda:us-east-1:123456789012:function:broken"
OK = "arn:aws:lambda:us-east-1:123456789012:function:ok"


def registry() -> TaskRegistry:
    calls: list[int] = []

    async def flaky(payload: Any, ctx: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise TaskFailed("Flaky", "first call fails")
        return {"ok": True}

    async def broken(payload: Any, ctx: Any) -> Any:
        raise TaskFailed("Broken", "it <always> fails")

    async def ok(payload: Any, ctx: Any) -> Any:
        return payload

    found = TaskRegistry()
    for arn, handler in ((FLAKY, flaky), (BROKEN, broken), (OK, ok)):
        found.register(arn, handler)
    return found


def task(resource: str, **more: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, **more}


def run(definition: dict[str, Any], value: Any = None) -> tuple[Analysis, str]:
    machine = StateMachine(definition, registry=registry())
    events: list[dict[str, Any]] = []
    result = machine.run_sync(value or {}, on_record=events.append)
    types = {name: (state_type, "") for name, state_type in _types(definition).items()}
    return analyse(events, types, result.status), result.status


def _types(definition: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, state in definition["States"].items():
        found[name] = state["Type"]
        for branch in state.get("Branches", []):
            found.update(_types(branch))
        if "ItemProcessor" in state:
            found.update(_types(state["ItemProcessor"]))
    return found


RETRY = [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2}]
CATCH = [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        pytest.param(
            {"A": task(OK, End=True)},
            {"A": "succeeded"},
            id="succeeded",
        ),
        pytest.param(
            {"A": task(FLAKY, Retry=RETRY, End=True)},
            {"A": "retried"},
            id="retried then succeeded",
        ),
        pytest.param(
            {"A": task(BROKEN, Catch=CATCH, Next="Recover"), "Recover": {"Type": "Pass", "End": True}},
            {"A": "caught", "Recover": "succeeded"},
            id="caught",
        ),
        pytest.param(
            {"A": task(BROKEN, End=True)},
            {"A": "failed"},
            id="failed",
        ),
        pytest.param(
            {"A": {"Type": "Pass", "Next": "Stop"}, "Stop": {"Type": "Fail", "Error": "E", "Cause": "C"}},
            {"A": "succeeded", "Stop": "failed"},
            id="fail state",
        ),
    ],
)
def test_outcome_of_each_state(states: dict[str, Any], expected: dict[str, str]) -> None:
    analysis, _ = run({"StartAt": next(iter(states)), "States": states})
    assert analysis.outcomes == expected


def test_a_failed_task_carries_its_error_and_cause_and_is_the_failing_run() -> None:
    analysis, status = run({"StartAt": "A", "States": {"A": task(BROKEN, End=True)}})
    assert status == "FAILED"
    failed = analysis.failed_run
    assert failed is not None
    assert (failed.name, failed.error, failed.cause) == ("A", "Broken", "it <always> fails")
    assert [e.type for e in analysis.events if e.failure] == ["LambdaFunctionFailed", "ExecutionFailed"]


def test_retries_count_attempts() -> None:
    analysis, _ = run({"StartAt": "A", "States": {"A": task(FLAKY, Retry=RETRY, End=True)}})
    assert [run.attempts for run in analysis.runs] == [2]


PARALLEL_IN_MAP = {
    "StartAt": "M",
    "States": {
        "M": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "P",
                "States": {
                    "P": {
                        "Type": "Parallel",
                        "End": True,
                        "Branches": [
                            {"StartAt": "L", "States": {"L": {"Type": "Pass", "End": True}}},
                            {"StartAt": "R", "States": {"R": {"Type": "Pass", "End": True}}},
                        ],
                    }
                },
            },
            "End": True,
        }
    },
}


def test_map_iterations_and_parallel_branches_are_lanes_with_paths() -> None:
    analysis, _ = run(PARALLEL_IN_MAP, {"items": [10, 20]})
    paths = sorted({analysis.lane_path(r.lane) for r in analysis.runs if r.name in ("L", "R")})
    assert paths == [
        "M › Iteration 0 › P › Branch 1",
        "M › Iteration 0 › P › Branch 2",
        "M › Iteration 1 › P › Branch 1",
        "M › Iteration 1 › P › Branch 2",
    ]
    groups = lane_groups(analysis)
    assert [(g.owner, g.where, g.noun, len(g.lanes)) for g in groups] == [
        ("M", "", "iteration", 2),
        ("P", "M › Iteration 0", "branch", 2),
        ("P", "M › Iteration 1", "branch", 2),
    ]
    assert all(lane.status == "succeeded" for lane in analysis.lanes.values())
    inside = lane_groups(analysis, groups[0].lanes[1].key)
    assert [(g.owner, g.where) for g in inside] == [("P", "M › Iteration 1")]


def test_each_run_keeps_its_input_and_output() -> None:
    analysis, _ = run(PARALLEL_IN_MAP, {"items": [10, 20]})
    left = [(r.input, r.output) for r in analysis.runs if r.name == "L"]
    assert left == [("10", "10"), ("20", "20")]


def test_events_name_their_step_and_time_since_the_start() -> None:
    analysis, _ = run(PARALLEL_IN_MAP, {"items": [1]})
    steps = [(e.type, e.step) for e in analysis.events]
    assert ("MapIterationStarted", "M") in steps
    assert ("ParallelStateStarted", "P") in steps
    assert ("PassStateEntered", "L") in steps
    assert analysis.events[0].after_ms == 0
    assert all(e.after_ms >= 0 for e in analysis.events)


@pytest.mark.parametrize(
    ("status", "expected"),
    [("RUNNING", "running"), ("FAILED", "failed"), ("TIMED_OUT", "failed"), ("ABORTED", "aborted")],
)
def test_a_state_entered_and_not_exited_takes_the_executions_status(status: str, expected: str) -> None:
    events = [
        {"id": 1, "type": "ExecutionStarted", "timestamp": 10.0, "previousEventId": 0, "lane": ""},
        {
            "id": 2,
            "type": "TaskStateEntered",
            "timestamp": 10.5,
            "previousEventId": 1,
            "lane": "",
            "stateEnteredEventDetails": {"name": "Wait", "input": "{}"},
        },
    ]
    analysis = analyse(events, {"Wait": ("Task", "arn:x")}, status)
    assert analysis.outcomes == {"Wait": expected}
    assert analysis.events[1].resource == "arn:x"
    assert analysis.events[1].after_ms == 500
    assert (analysis.failed_run is not None) == (expected == "failed")


def test_documents_are_indented_and_long_ones_cut() -> None:
    from asl.console.runs import pretty

    assert pretty('{"a":[1,2]}') == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    assert pretty("not json <b>") == "not json <b>"
    assert pretty(None) == ""
    long = json.dumps({"text": "x" * 500})
    cut = pretty(long, limit=100)
    assert cut.startswith(long[:100])
    assert f"cut here: {len(long):,} characters in all" in cut
    compact = json.dumps({"a": list(range(20))}, separators=(",", ":"))
    assert pretty(compact, limit=len(compact) + 10) == compact  # whole rather than indented and cut
