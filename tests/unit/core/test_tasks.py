"""Task state, registry, Retry/Catch rules with the virtual clock, timeouts and heartbeats."""

from __future__ import annotations

from typing import Any

import pytest

from asl import ResourceNotFound, StateMachine, TaskFailed, TaskRegistry, VirtualClock
from asl.errors import StatesRuntime
from asl.model import Retrier
from asl.resources import ArnError, TaskContext, parse_arn
from asl.retry import error_matches, retry_delay

LAMBDA = "arn:aws:states:::lambda:invoke"
SDK = "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminGetUser"


def task_machine(extra: dict[str, Any] | None = None, resource: str = SDK) -> dict[str, Any]:
    state = {"Type": "Task", "Resource": resource, "End": True, **(extra or {})}
    states = {"T": state}
    if "Catch" in state:
        states["Caught"] = {"Type": "Pass", "End": True}
    return {"StartAt": "T", "States": states}


class Flaky:
    """A handler failing with `error` for its first `failures` calls."""

    def __init__(self, failures: int, error: str = "Boom", result: Any = None) -> None:
        self.failures = failures
        self.error = error
        self.calls: list[Any] = []
        self.contexts: list[TaskContext] = []
        self.result = result if result is not None else {"ok": True}

    async def __call__(self, payload: Any, ctx: TaskContext) -> Any:
        self.calls.append(payload)
        self.contexts.append(ctx)
        if len(self.calls) <= self.failures:
            raise TaskFailed(self.error, f"failure {len(self.calls)}")
        return self.result


def run(
    definition: dict[str, Any],
    handler: Any,
    input: Any = None,
    resource: str = SDK,
    clock: VirtualClock | None = None,
) -> Any:
    registry = TaskRegistry()
    registry.register(resource, handler)
    return StateMachine(definition, registry=registry).run_sync(input or {}, clock=clock)


# -- ARNs and the registry ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "resource_type", "resource", "pattern"),
    [
        (SDK, "aws-sdk:cognitoidentityprovider", "adminGetUser", ""),
        (
            SDK + ".waitForTaskToken",
            "aws-sdk:cognitoidentityprovider",
            "adminGetUser.waitForTaskToken",
            "waitForTaskToken",
        ),
        (LAMBDA, "lambda", "invoke", ""),
        ("arn:aws:states:::states:startExecution.sync:2", "states", "startExecution.sync:2", "sync:2"),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", "lambda", "function:f", ""),
    ],
)
def test_parse_arn(arn: str, resource_type: str, resource: str, pattern: str) -> None:
    parsed = parse_arn(arn)
    assert (parsed.resource_type, parsed.resource_name, parsed.pattern) == (resource_type, resource, pattern)


@pytest.mark.parametrize(
    "bad", ["lambda:invoke", "arn:aws:states:::", "arn:aws:states:::aws-sdk:s3", "arn:aws"]
)
def test_parse_arn_rejects_malformed(bad: str) -> None:
    with pytest.raises(ArnError):
        parse_arn(bad)


def test_registry_refuses_duplicates_and_resolves_patterns() -> None:
    registry = TaskRegistry()
    handler = Flaky(0)
    registry.register(SDK, handler)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(SDK, handler)
    assert registry.lookup(parse_arn(SDK + ".waitForTaskToken")) is handler
    assert registry.lookup(parse_arn(LAMBDA)) is None


def test_missing_handler_is_reported_before_running_in_strict_mode() -> None:
    machine = StateMachine(task_machine(), registry=TaskRegistry(), strict_resources=True)
    with pytest.raises(ResourceNotFound) as info:
        machine.run_sync({})
    message = str(info.value)
    assert SDK in message
    assert "'T'" in message
    assert "register" in message
    assert "mocks=" in message
    assert "--mock-config" not in message  # inside Python, the hint speaks Python


# -- events ---------------------------------------------------------------------------------------


def test_task_events_and_result_paths() -> None:
    handler = Flaky(0, result={"User": "ada"})
    definition = task_machine(
        {"Parameters": {"Username.$": "$.name"}, "ResultSelector": {"u.$": "$.User"}, "ResultPath": "$.out"}
    )
    result = run(definition, handler, {"name": "ada"})
    assert result.status == "SUCCEEDED"
    assert result.output == {"name": "ada", "out": {"u": "ada"}}
    assert handler.calls == [{"Username": "ada"}]
    assert result.event_types == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded",
    ]  # fmt: skip
    scheduled = result.history[2]["taskScheduledEventDetails"]
    assert scheduled == {
        "resourceType": "aws-sdk:cognitoidentityprovider",
        "resource": "adminGetUser",
        "region": "us-east-1",
        "parameters": '{"Username":"ada"}',
    }
    assert result.history[4]["taskSucceededEventDetails"]["output"] == '{"User":"ada"}'


def test_lambda_function_arn_records_lambda_events() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:hello"
    result = run(task_machine(resource=arn), Flaky(0), resource=arn)
    assert result.event_types[2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]


def test_handler_exception_becomes_task_failure() -> None:
    async def broken(payload: Any, ctx: TaskContext) -> Any:
        raise KeyError("missing")

    result = run(task_machine(), broken)
    assert (result.status, result.error, result.cause) == ("FAILED", "KeyError", "'missing'")
    assert result.failed_state == "T"
    assert result.event_types[-2:] == ["TaskFailed", "ExecutionFailed"]


# -- Retry ----------------------------------------------------------------------------------------


def test_retry_backoff_on_the_virtual_clock() -> None:
    clock = VirtualClock(start=0)
    handler = Flaky(3)
    retry = [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}]
    result = run(task_machine({"Retry": retry}), handler, clock=clock)
    assert result.status == "SUCCEEDED"
    assert clock.sleeps == [1, 2, 4]
    assert [c.context["State"]["RetryCount"] for c in handler.contexts] == [0, 1, 2, 3]
    assert result.event_types.count("TaskStateEntered") == 1
    assert result.event_types.count("TaskFailed") == 3


def test_retry_defaults_interval_1_attempts_3_backoff_2() -> None:
    clock = VirtualClock(start=0)
    result = run(task_machine({"Retry": [{"ErrorEquals": ["States.ALL"]}]}), Flaky(10), clock=clock)
    assert result.status == "FAILED"
    assert clock.sleeps == [1, 2, 4]


def test_max_delay_seconds_caps_backoff() -> None:
    clock = VirtualClock(start=0)
    retry = [
        {
            "ErrorEquals": ["Boom"],
            "IntervalSeconds": 3,
            "MaxAttempts": 4,
            "BackoffRate": 3,
            "MaxDelaySeconds": 10,
        }
    ]
    run(task_machine({"Retry": retry}), Flaky(10), clock=clock)
    assert clock.sleeps == [3, 9, 10, 10]


def test_max_attempts_zero_never_retries() -> None:
    handler = Flaky(1)
    result = run(task_machine({"Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 0}]}), handler)
    assert result.status == "FAILED"
    assert len(handler.calls) == 1


def test_first_matching_retrier_wins_even_when_exhausted() -> None:
    clock = VirtualClock(start=0)
    retry = [
        {"ErrorEquals": ["Boom"], "MaxAttempts": 1, "IntervalSeconds": 5},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5, "IntervalSeconds": 1},
    ]
    handler = Flaky(10)
    run(task_machine({"Retry": retry}), handler, clock=clock)
    assert clock.sleeps == [5]
    assert len(handler.calls) == 2


def test_full_jitter_stays_within_the_backoff() -> None:
    import random

    retrier = Retrier(("X",), interval_seconds=4, backoff_rate=2.0, jitter="FULL")
    rng = random.Random(7)
    delays = [retry_delay(retrier, n, rng) for n in range(3)]
    assert all(0 <= d <= 4 * 2**n for n, d in enumerate(delays))
    assert delays != [4, 8, 16]


# -- Catch and the matching rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "equals", "matches"),
    [
        ("Boom", ["Boom"], True),
        ("Boom", ["boom"], False),
        ("Boom", ["States.ALL"], True),
        ("Boom", ["States.TaskFailed"], True),
        ("CognitoIdentityProvider.UserNotFoundException", ["States.TaskFailed"], True),
        ("States.Timeout", ["States.TaskFailed"], False),
        ("States.Timeout", ["States.ALL"], True),
        ("States.Runtime", ["States.ALL"], False),
        ("States.Runtime", ["States.Runtime"], False),
        ("States.DataLimitExceeded", ["States.ALL"], False),
        ("States.DataLimitExceeded", ["States.DataLimitExceeded"], True),
    ],
)
def test_error_matching_rules(error: str, equals: list[str], matches: bool) -> None:
    assert error_matches(error, equals) is matches


def test_catch_routes_with_error_output_at_result_path() -> None:
    catch = [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Caught"}]
    definition = task_machine({"Catch": catch})
    result = run(definition, Flaky(5, error="CognitoIdentityProvider.UserNotFoundException"), {"a": 1})
    assert result.status == "SUCCEEDED"
    assert result.output == {
        "a": 1,
        "error": {"Error": "CognitoIdentityProvider.UserNotFoundException", "Cause": "failure 1"},
    }
    assert result.event_types[-5:] == [
        "TaskFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_retry_then_catch() -> None:
    clock = VirtualClock(start=0)
    definition = task_machine(
        {
            "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
        }
    )
    handler = Flaky(10)
    result = run(definition, handler, clock=clock)
    assert result.status == "SUCCEEDED"
    assert len(handler.calls) == 3
    assert clock.sleeps == [1, 2]
    assert result.output == {"Error": "Boom", "Cause": "failure 3"}


def test_states_runtime_is_never_caught() -> None:
    definition = task_machine(
        {
            "Parameters": {"Username.$": "$.missing"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
        }
    )
    result = run(definition, Flaky(0))
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert result.cause.startswith(
        "An error occurred while executing the state 'T' (entered at the event id #2)."
    )


def test_timeout_on_the_virtual_clock() -> None:
    async def slow(payload: Any, ctx: TaskContext) -> Any:
        await ctx.sleep(100)
        return {}

    clock = VirtualClock(start=0)
    result = run(task_machine({"TimeoutSeconds": 5}), slow, clock=clock)
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert clock.sleeps == [100]  # the handler asked for 100 s; the timeout ended the task at 5 s
    assert clock.now() == 5
    assert "TaskTimedOut" in result.event_types


def test_timeout_is_not_caught_by_task_failed_but_by_all() -> None:
    async def slow(payload: Any, ctx: TaskContext) -> Any:
        await ctx.sleep(100)

    catch = [
        {"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"},
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "Caught"},
    ]
    result = run(task_machine({"TimeoutSeconds": 1, "Catch": catch}), slow)
    # AWS records task timeouts with an error and no cause (TaskTimedOut {"error": "States.Timeout"}).
    assert result.output == {"e": {"Error": "States.Timeout", "Cause": ""}}


def test_heartbeat_timeout_and_heartbeats_keep_alive() -> None:
    async def beating(payload: Any, ctx: TaskContext) -> Any:
        for _ in range(5):
            await ctx.sleep(2)
            ctx.heartbeat()
        if payload.get("stop"):
            await ctx.sleep(10)
        return {"done": True}

    ok = run(task_machine({"HeartbeatSeconds": 3, "TimeoutSeconds": 60}), beating, {})
    assert ok.status == "SUCCEEDED"
    late = run(task_machine({"HeartbeatSeconds": 3, "TimeoutSeconds": 60}), beating, {"stop": True})
    # A heartbeat timeout is States.Timeout: the ASL specification defines States.Timeout as "a Task
    # State either ran longer than TimeoutSeconds, or failed to heartbeat for a time longer than
    # HeartbeatSeconds" (https://states-language.net/spec.html#appendix-a).
    assert (late.status, late.error) == ("FAILED", "States.Timeout")
    assert late.cause is None
    timed_out = next(e for e in late.history if e["type"].endswith("TimedOut"))
    assert set(timed_out[next(k for k in timed_out if k.endswith("EventDetails"))]) <= {
        "error",
        "resource",
        "resourceType",
    }


def test_timeout_seconds_path() -> None:
    async def slow(payload: Any, ctx: TaskContext) -> Any:
        await ctx.sleep(30)
        return {}

    assert run(task_machine({"TimeoutSecondsPath": "$.t"}), slow, {"t": 10}).error == "States.Timeout"
    assert run(task_machine({"TimeoutSecondsPath": "$.t"}), slow, {"t": 100}).status == "SUCCEEDED"


def test_real_clock_timeout_cancels_the_handler() -> None:
    import anyio

    cancelled: list[bool] = []

    async def hangs(payload: Any, ctx: TaskContext) -> Any:
        try:
            await anyio.sleep(30)
        except BaseException:
            cancelled.append(True)
            raise

    registry = TaskRegistry()
    registry.register(SDK, hangs)
    result = StateMachine(task_machine({"TimeoutSeconds": 1}), registry=registry).run_sync({}, real_time=True)
    assert result.error == "States.Timeout"
    assert cancelled == [True]


def test_wait_for_task_token_puts_token_in_context() -> None:
    seen: list[str | None] = []

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        seen.append(ctx.task_token)
        ctx.execution.send_task_success(ctx.task_token, payload)

    send = "arn:aws:states:::sqs:sendMessage"
    definition = task_machine(
        {"Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}}}, resource=send + ".waitForTaskToken"
    )
    registry = TaskRegistry()
    registry.register(send, handler)
    result = StateMachine(definition, registry=registry).run_sync({})
    assert seen[0]
    assert result.output == {"MessageBody": {"token": seen[0]}}


def test_runtime_error_class_is_states_runtime() -> None:
    assert StatesRuntime("x").error == "States.Runtime"
