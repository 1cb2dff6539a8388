"""Behaviours our public corpus does not show, each following the AWS source named in its test.

Histories recorded against AWS (LocalStack's snapshot files, recorded with its AWS_CLOUD target) are
cited by test name; documentation by page.
"""

from __future__ import annotations

from typing import Any

import pytest

from asl import StateMachine, TaskRegistry, VirtualClock
from asl.resources import TaskContext

START = 1_700_000_000.0
LAMBDA = "arn:aws:states:::lambda:invoke"
ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:approve"


def run(definition: dict[str, Any], input: Any = None, registry: TaskRegistry | None = None) -> Any:
    machine = StateMachine(definition, registry=registry)
    return machine.run_sync({} if input is None else input, clock=VirtualClock(START))


def events(result: Any, event_type: str) -> list[dict[str, Any]]:
    return [e for e in result.history if e["type"] == event_type]


def one(result: Any, event_type: str) -> dict[str, Any]:
    (event,) = events(result, event_type)
    return event


def pass_branch(name: str) -> dict[str, Any]:
    return {"StartAt": name, "States": {name: {"Type": "Pass", "End": True}}}


def single(state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": {**state, "End": True}}}


# -- Parallel ----------------------------------------------------------------------------------------


def test_parallel_success_chain() -> None:
    """AWS records ParallelStateSucceeded; it and ParallelStateExited both point at the last branch event.

    Source: a raw GetExecutionHistory of a two-branch Parallel (ids 13, 14 -> 13, 15 -> 13), and the id
    gaps LocalStack's snapshots keep where their normaliser dropped the Succeeded event
    (test_parallel_state: ParallelStateExited id 19, previousEventId 17).
    """
    result = run(single({"Type": "Parallel", "Branches": [pass_branch("A"), pass_branch("B")]}))
    started = one(result, "ParallelStateStarted")
    entered = events(result, "PassStateEntered")
    assert [e["previousEventId"] for e in entered] == [started["id"], started["id"]]
    last_branch_event = events(result, "PassStateExited")[-1]["id"]
    assert one(result, "ParallelStateSucceeded")["previousEventId"] == last_branch_event
    assert one(result, "ParallelStateExited")["previousEventId"] == last_branch_event


def test_a_task_failing_in_a_branch_is_aborted_and_the_parallel_fails_past_it() -> None:
    """LocalStack test_callback.py [SQS_PARALLEL_WAIT_FOR_TASK_TOKEN], recorded against AWS:
    TaskFailed 8/7, TaskStateAborted 9/8, ParallelStateFailed 10/8."""

    async def fail(payload: Any, ctx: TaskContext) -> Any:
        raise RuntimeError("nope")

    registry = TaskRegistry()
    registry.register(LAMBDA, fail)
    branch = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    definition = single(
        {
            "Type": "Parallel",
            "Branches": [branch],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "After"}],
        }
    )
    definition["States"]["S"].pop("End")
    definition["States"]["S"]["Next"] = "After"
    definition["States"]["After"] = {"Type": "Pass", "End": True}
    result = run(definition, registry=registry)
    assert result.status == "SUCCEEDED"
    task_failed = one(result, "TaskFailed")
    assert one(result, "TaskStateAborted")["previousEventId"] == task_failed["id"]
    assert one(result, "ParallelStateFailed")["previousEventId"] == task_failed["id"]
    assert "TaskStateExited" not in result.event_types
    # At the top level a failing Task records no TaskStateAborted.
    top = run(
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}, None, registry
    )
    assert "TaskStateAborted" not in top.event_types


# -- Map ---------------------------------------------------------------------------------------------


def map_state(**fields: Any) -> dict[str, Any]:
    return {"Type": "Map", "ItemProcessor": pass_branch("P"), **fields}


def test_map_with_max_concurrency_1_chains_iterations() -> None:
    """LocalStack test_map_state (AWS, MaxConcurrency 1): MapIterationStarted(i+1) points at iteration i's
    last state event; MapStateSucceeded and MapStateExited both point at the last MapIterationSucceeded."""
    result = run(single(map_state(MaxConcurrency=1)), [1, 2, 3])
    started = events(result, "MapIterationStarted")
    exited = events(result, "PassStateExited")
    assert started[0]["previousEventId"] == one(result, "MapStateStarted")["id"]
    assert [s["previousEventId"] for s in started[1:]] == [e["id"] for e in exited[:-1]]
    last_iteration = events(result, "MapIterationSucceeded")[-1]["id"]
    assert one(result, "MapStateSucceeded")["previousEventId"] == last_iteration
    assert one(result, "MapStateExited")["previousEventId"] == last_iteration


def test_unbounded_map_starts_every_iteration_from_map_state_started() -> None:
    result = run(single(map_state()), [1, 2, 3])
    map_started = one(result, "MapStateStarted")["id"]
    assert {e["previousEventId"] for e in events(result, "MapIterationStarted")} == {map_started}


def test_distributed_map_exits_from_map_run_started() -> None:
    """LocalStack test_map_item_reader_base_json_max_items_jsonata (AWS, 13-11-2024):
    MapRunStarted 4, MapRunSucceeded 5/4, MapStateSucceeded 6/5, MapStateExited 7/4."""
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, **pass_branch("P")}
    result = run(single({"Type": "Map", "ItemProcessor": processor}), [1, 2])
    run_started = one(result, "MapRunStarted")["id"]
    run_succeeded = one(result, "MapRunSucceeded")
    assert run_succeeded["previousEventId"] == run_started
    assert one(result, "MapStateSucceeded")["previousEventId"] == run_succeeded["id"]
    assert one(result, "MapStateExited")["previousEventId"] == run_started
    assert "MapIterationStarted" not in result.event_types


def test_a_map_over_an_object_iterates_its_key_value_pairs() -> None:
    """AWS's ItemsPath page: an object input runs one iteration per key-value pair. Each pair is
    {"Key", "Value"} and $$.Map.Item.Key is set, as observed on AWS (floci-io/floci#1588)."""
    selector = {"k.$": "$$.Map.Item.Key", "i.$": "$$.Map.Item.Index", "pair.$": "$$.Map.Item.Value"}
    result = run(single(map_state(ItemsPath="$.servers")), {"servers": {"web": 80, "db": 5432}})
    assert result.output == [{"Key": "web", "Value": 80}, {"Key": "db", "Value": 5432}]
    selected = run(single(map_state(ItemsPath="$.servers", ItemSelector=selector)), {"servers": {"web": 80}})
    assert selected.output == [{"k": "web", "i": 0, "pair": {"Key": "web", "Value": 80}}]


def test_jsonata_map_over_a_non_array_input() -> None:
    """LocalStack test_map_state_items_input_types (AWS): 'Map state input must be an array but was: ...',
    an EvaluationFailed without a location, then MapStateFailed."""
    definition = single({"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": pass_branch("P")})
    result = run(definition, {"foo": "bar"})
    assert result.error == "States.QueryEvaluationError"
    assert result.cause.endswith('Map state input must be an array but was: {"foo":"bar"}')
    failed = one(result, "EvaluationFailed")
    assert "location" not in failed["evaluationFailedEventDetails"]
    # EvaluationFailed points where MapStateEntered points (AWS: MapStateEntered 2/0, EvaluationFailed 3/0).
    assert failed["previousEventId"] == one(result, "MapStateEntered")["previousEventId"]
    assert result.event_types[-3:] == ["EvaluationFailed", "MapStateFailed", "ExecutionFailed"]


# -- Wait --------------------------------------------------------------------------------------------


def test_timestamp_waits_truncate_to_whole_seconds() -> None:
    """AWS's Wait state page: "Step Functions considers the time value up to seconds and truncates
    milliseconds"."""
    definition = single({"Type": "Wait", "TimestampPath": "$.at"})
    result = run(definition, {"at": "2023-11-14T22:13:30.999Z"})  # START is 22:13:20
    exited = one(result, "WaitStateExited")
    assert exited["timestamp"].startswith("2023-11-14T22:13:30.000")


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        (-1, "The SecondsPath parameter references a negative value: $.s == -1"),
        (1.5, "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"),
        ("ten", "The SecondsPath parameter cannot be parsed as a long value: $.s == ten"),
        (
            100_000_000,
            "The SecondsPath parameter references a value over the maximum of 99999999: $.s == 100000000",
        ),
    ],
)
def test_seconds_path_must_be_a_whole_number_in_range(value: Any, cause: str) -> None:
    """Causes as LocalStack's interpreter words them after AWS (no AWS recording of these is public); the
    range 0..99999999 is the Wait state page's."""
    result = run(single({"Type": "Wait", "SecondsPath": "$.s"}), {"s": value})
    assert result.error == "States.Runtime"
    assert result.cause.endswith(cause)


@pytest.mark.parametrize(("expression", "kind"), [("{% 1.5 %}", "number"), ("{% 'x' %}", "string")])
def test_jsonata_seconds_must_be_an_integer(expression: str, kind: str) -> None:
    """The Wait state page: in JSONata states Seconds "must evaluate to an integer" from 0 to 99999999."""
    result = run(single({"Type": "Wait", "QueryLanguage": "JSONata", "Seconds": expression}))
    assert result.error == "States.QueryEvaluationError"
    assert f"Expected 'integer', but was '{kind}'" in result.cause


def test_a_very_long_wait_ends_with_the_execution_quota() -> None:
    """A Standard execution runs at most one year (Step Functions quotas); a wait past it times out
    there, and a wait to the year 9999 does not break the calendar."""
    result = run(single({"Type": "Wait", "Timestamp": "9999-12-31T00:00:00Z"}))
    assert (result.status, result.error) == ("TIMED_OUT", "States.Timeout")
    assert result.stop_time - START == 365 * 24 * 3600


# -- Activities --------------------------------------------------------------------------------------


def test_activity_tasks_record_activity_events() -> None:
    """LocalStack test_activities (AWS): ActivityScheduled {input, resource, timeoutInSeconds,
    heartbeatInSeconds}, ActivityStarted, ActivitySucceeded; ActivityTimedOut {error} with no cause."""

    async def worker(payload: Any, ctx: TaskContext) -> Any:
        await ctx.sleep(payload["takes"])
        return {"ok": True}

    registry = TaskRegistry()
    registry.register(ACTIVITY, worker)
    definition = single({"Type": "Task", "Resource": ACTIVITY, "TimeoutSeconds": 10, "HeartbeatSeconds": 5})
    done = run(definition, {"takes": 1}, registry)
    assert done.event_types[2:6] == [
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
    ]
    scheduled = one(done, "ActivityScheduled")["activityScheduledEventDetails"]
    assert scheduled["resource"] == ACTIVITY
    assert (scheduled["timeoutInSeconds"], scheduled["heartbeatInSeconds"]) == (10, 5)
    late = run(definition, {"takes": 30}, registry)
    assert one(late, "ActivityTimedOut")["activityTimedOutEventDetails"] == {"error": "States.Timeout"}


# -- Task fields read from the input -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["TimeoutSecondsPath", "HeartbeatSecondsPath"])
def test_a_seconds_path_that_matches_nothing(field: str) -> None:
    """LocalStack test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH] (AWS, 02-01-2025):
    States.Runtime right after TaskStateEntered, nothing scheduled."""

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        return {}

    registry = TaskRegistry()
    registry.register(LAMBDA, handler)
    result = run(single({"Type": "Task", "Resource": LAMBDA, field: "$.NoSuchSeconds"}), {}, registry)
    assert result.error == "States.Runtime"
    assert result.cause.endswith("Invalid path '$.NoSuchSeconds' : No results for path: $['NoSuchSeconds']")
    assert result.event_types[-2:] == ["TaskStateEntered", "ExecutionFailed"]


def test_an_input_that_is_not_json_is_refused() -> None:
    """NaN is not JSON: AWS refuses such an input before the execution starts."""
    from asl.errors import InputError

    with pytest.raises(InputError, match="not valid JSON"):
        StateMachine(single({"Type": "Pass"})).run_sync({"x": float("nan")})


def test_a_distributed_map_child_that_loops_forever_is_stopped_by_its_history_limit() -> None:
    """Each child execution has AWS's 25,000-event quota of its own (issue 17: a looping child used to
    grow without bound); the child fails with States.Runtime and so does the Map."""
    loop = {
        "StartAt": "Again",
        "States": {
            "Again": {"Type": "Pass", "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
                "Default": "Again",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, **loop}
    machine = StateMachine(single({"Type": "Map", "ItemProcessor": processor}), history_limit=500)
    result = machine.run_sync([{}], clock=VirtualClock(START))
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "maximum number of history events (500)" in (result.cause or "")
    assert len(result.history) < 20  # the child's events stay in the child


def test_a_distributed_map_child_keeps_its_own_clock_readings() -> None:
    """A child execution's $$.State.EnteredTime comes from its own history, not its parent's."""
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Pause",
        "States": {
            "Pause": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "When"},
            "When": {"Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": True},
        },
    }
    result = run(single({"Type": "Map", "ItemProcessor": processor}), [{"wait": 5}, {"wait": 7}])
    assert result.output == [{"at": "2023-11-14T22:13:25.000Z"}, {"at": "2023-11-14T22:13:27.000Z"}]
