"""The local runner: configuration, Lambda handlers, MockConfigFile mocks, callbacks, nested executions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl import StateMachine, TaskRegistry, VirtualClock
from asl.config import Config, ConfigError, find_config, load_config
from asl.mocks import MockConfigError
from asl.resources import TaskContext
from asl.runner import build_runner


def write(path: Path, content: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


# -- configuration --------------------------------------------------------------------------------


def test_config_from_asl_toml_resolves_paths(tmp_path: Path) -> None:
    write(
        tmp_path / "asl.toml",
        'region = "eu-west-1"\npayload_limit = 0\nmock_config = "m.json"\n[handlers]\nf = "h:f"\n[state_machines]\nChild = "c.json"\n',
    )
    workflow = write(tmp_path / "wf.json", "{}")
    config = load_config(find_config(workflow))  # type: ignore[arg-type]
    assert (config.region, config.payload_limit) == ("eu-west-1", 0)
    assert config.mock_config == (tmp_path / "m.json").resolve()
    assert config.state_machines == {"Child": (tmp_path / "c.json").resolve()}
    assert config.handlers == {"f": "h:f"}


def test_config_from_pyproject_tool_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.asl]\naccount = "111122223333"\n')
    workflow = write(tmp_path / "flows" / "wf.json", "{}")
    found = find_config(workflow)
    assert found == tmp_path / "pyproject.toml"
    assert load_config(found).account == "111122223333"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("regoin = 'x'", "unknown key 'regoin'"),
        ("payload_limit = -1", "payload_limit must be a non-negative integer"),
        ("region = 5", "region must be a string"),
        ("[handlers]\nf = 'no-colon'", "handlers.f must be"),
        ("region = ", "invalid TOML"),
    ],
)
def test_bad_config_names_file_key_and_expectation(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path / "asl.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert fragment in str(info.value)


def test_unimportable_handler_is_a_config_error(tmp_path: Path) -> None:
    config = Config(root=tmp_path, handlers={"f": "no_such_module_xyz:f"})
    with pytest.raises(ConfigError, match="cannot import module 'no_such_module_xyz'"):
        build_runner(config)


# -- Lambda ---------------------------------------------------------------------------------------

HANDLERS = """
class PaymentDeclined(Exception):
    pass

def greet(event, context):
    return {"hello": event["name"], "fn": context.function_name, "ms": context.get_remaining_time_in_millis() > 0}

async def shout(event, context):
    return event["name"].upper()

def decline(event, context):
    raise PaymentDeclined("card 4242 declined")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    module = tmp_path / f"handlers_{tmp_path.name.replace('-', '_')}.py"
    write(module, HANDLERS)
    return tmp_path


def lambda_config(project: Path) -> Config:
    module = next(project.glob("handlers_*.py")).stem
    return Config(
        root=project,
        handlers={"greet": f"{module}:greet", "shout": f"{module}:shout", "decline": f"{module}:decline"},
    )


def run_file(
    project: Path, config: Config, definition: dict[str, Any], input: Any = None, **kwargs: Any
) -> Any:
    runner = build_runner(config, **kwargs)
    machine = runner.load(write(project / "flow.json", definition))
    return machine.run_sync(input if input is not None else {})


def task(resource: str, **fields: Any) -> dict[str, Any]:
    states: dict[str, Any] = {"T": {"Type": "Task", "Resource": resource, "End": True, **fields}}
    if "Catch" in fields:
        states["Caught"] = {"Type": "Pass", "End": True}
    return {"StartAt": "T", "States": states}


def test_lambda_function_arn_returns_the_result(project: Path) -> None:
    result = run_file(
        project,
        lambda_config(project),
        task("arn:aws:lambda:us-east-1:123456789012:function:greet"),
        {"name": "ada"},
    )
    assert result.output == {"hello": "ada", "fn": "greet", "ms": True}


def test_lambda_alias_arn_reaches_the_function(project: Path) -> None:
    result = run_file(
        project,
        lambda_config(project),
        task("arn:aws:lambda:us-east-1:123456789012:function:shout:prod"),
        {"name": "ada"},
    )
    assert result.output == "ADA"


def test_lambda_invoke_wraps_the_result(project: Path) -> None:
    definition = task(
        "arn:aws:states:::lambda:invoke",
        Parameters={
            "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:shout",
            "Payload": {"name.$": "$.n"},
        },
    )
    output = run_file(project, lambda_config(project), definition, {"n": "bo"}).output
    assert output["Payload"] == "BO"
    assert output["StatusCode"] == 200
    assert output["ExecutedVersion"] == "$LATEST"
    assert (
        output["SdkResponseMetadata"]["RequestId"]
        == output["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"]
    )


def test_lambda_error_shape_and_catch(project: Path) -> None:
    definition = task(
        "arn:aws:lambda:us-east-1:123456789012:function:decline",
        Catch=[{"ErrorEquals": ["PaymentDeclined"], "Next": "Caught"}],
    )
    result = run_file(project, lambda_config(project), definition)
    assert result.output["Error"] == "PaymentDeclined"
    cause = json.loads(result.output["Cause"])
    assert cause["errorMessage"] == "card 4242 declined"
    assert cause["errorType"] == "PaymentDeclined"
    assert isinstance(cause["stackTrace"], list)
    assert cause["requestId"]
    assert "LambdaFunctionFailed" in result.event_types


def test_lambda_invoke_unknown_function(project: Path) -> None:
    definition = task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "nope"})
    result = run_file(project, lambda_config(project), definition)
    assert result.error == "Lambda.ResourceNotFoundException"


# -- mocks ----------------------------------------------------------------------------------------

MOCKS = {
    "StateMachines": {
        "flow": {
            "TestCases": {
                "Retries": {"T": "FlakyThenOk"},
                "Ranges": {"M": "Each"},
                "Missing": {"T": "NotThere"},
                "Unknown": {"Nope": "Ok"},
                "Short": {"T": "Ok"},
                "OnceOnly": {"T": "BusyOnce"},
            }
        }
    },
    "MockedResponses": {
        "FlakyThenOk": {
            "0": {"Throw": {"Error": "Busy", "Cause": "first"}},
            "1-2": {"Throw": {"Error": "Busy", "Cause": "again"}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"ok": 3}}},
        },
        "Each": {"0-1": {"Return": "low"}, "2-99": {"Return": "high"}},
        "Ok": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": True}}}},
        "BusyOnce": {"0": {"Throw": {"Error": "Busy", "Cause": "once"}}},
    },
}


def mock_config(project: Path, case: str) -> Config:
    return Config(root=project, mock_config=write(project / "mocks.json", MOCKS), test_case=case)


def test_mock_retries_consume_invocation_numbers(project: Path) -> None:
    clock = VirtualClock(start=0)
    definition = task("arn:aws:states:::lambda:invoke", Retry=[{"ErrorEquals": ["Busy"], "MaxAttempts": 3}])
    runner = build_runner(mock_config(project, "Retries"))
    machine = runner.load(write(project / "flow.json", definition))
    result = machine.run_sync({}, clock=clock)
    assert result.output == {"StatusCode": 200, "Payload": {"ok": 3}}
    assert clock.sleeps == [1, 2, 4]
    assert [e["taskFailedEventDetails"]["cause"] for e in result.history if e["type"] == "TaskFailed"] == [
        "first",
        "again",
        "again",
    ]


def test_mock_ranges_inside_map_are_deterministic(project: Path) -> None:
    body = {
        "StartAt": "M",
        # A Lambda function ARN: its result is whatever the function returns (lambda:invoke's is an object).
        "States": {
            "M": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:each",
                "End": True,
            }
        },
    }
    definition = {
        "StartAt": "Map",
        "States": {"Map": {"Type": "Map", "MaxConcurrency": 0, "ItemProcessor": body, "End": True}},
    }
    for _ in range(3):
        assert run_file(project, mock_config(project, "Ranges"), definition, [1, 2, 3, 4]).output == [
            "low",
            "low",
            "high",
            "high",
        ]


def test_mock_without_answer_for_an_invocation(project: Path) -> None:
    definition = task("arn:aws:states:::lambda:invoke", Retry=[{"ErrorEquals": ["Busy"], "MaxAttempts": 1}])
    result = run_file(project, mock_config(project, "OnceOnly"), definition)
    assert result.status == "FAILED"
    assert "has no answer for invocation 1 of state 'T'" in result.cause


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("Missing", "'NotThere', which is not in MockedResponses"),
        ("Unknown", "Nope, which is not a state"),
        ("NoSuchCase", "no test case 'NoSuchCase'"),
    ],
)
def test_mock_configuration_errors_before_the_run(project: Path, case: str, fragment: str) -> None:
    with pytest.raises(MockConfigError, match=fragment):
        run_file(project, mock_config(project, case), task("arn:aws:states:::lambda:invoke"))


def test_a_mock_file_nested_past_500_levels_is_refused_with_its_place(project: Path) -> None:
    """A Return nested 1,000 levels is held to the 500 levels every other input is (asl.jsonvalue)."""
    deep = {**MOCKS, "MockedResponses": {**MOCKS["MockedResponses"], "Ok": {"0": {"Return": "DEEP"}}}}
    text = json.dumps(deep).replace('"DEEP"', "[" * 1000 + "]" * 1000)
    config = Config(root=project, mock_config=write(project / "mocks.json", text), test_case="Short")
    with pytest.raises(
        MockConfigError, match=r"mocks\.json: .*more than 500 levels deep \(line 1, column \d+\)"
    ):
        build_runner(config)


def test_unmocked_task_falls_back_to_its_handler(project: Path) -> None:
    config = mock_config(project, "Short")
    config.handlers = lambda_config(project).handlers
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "G"},
            "G": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet",
                "Parameters": {"name": "x"},
                "End": True,
            },
        },
    }
    assert run_file(project, config, definition).output["hello"] == "x"


# -- callbacks ------------------------------------------------------------------------------------

WAIT = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def callback_machine(**fields: Any) -> dict[str, Any]:
    return task(WAIT, Parameters={"token.$": "$$.Task.Token"}, **fields)


@pytest.mark.parametrize(("approve", "status"), [(True, "SUCCEEDED"), (False, "FAILED")])
def test_callback_through_the_python_api(approve: bool, status: str) -> None:
    async def send(payload: Any, ctx: TaskContext) -> None:
        await ctx.sleep(5)
        assert payload["token"] == ctx.task_token
        ctx.execution.send_task_heartbeat(ctx.task_token)
        if approve:
            ctx.execution.send_task_success(ctx.task_token, {"approved": True})
        else:
            ctx.execution.send_task_failure(ctx.task_token, "Rejected", "no budget")

    registry = TaskRegistry()
    registry.register(WAIT, send)
    result = StateMachine(callback_machine(), registry=registry).run_sync({})
    assert result.status == status
    if approve:
        assert result.output == {"approved": True}
    else:
        assert (result.error, result.cause) == ("Rejected", "no budget")


def test_callback_never_sent_times_out_on_the_virtual_clock() -> None:
    async def send(payload: Any, ctx: TaskContext) -> None:
        return None

    registry = TaskRegistry()
    registry.register(WAIT, send)
    clock = VirtualClock(start=0)
    result = StateMachine(callback_machine(TimeoutSeconds=300), registry=registry).run_sync({}, clock=clock)
    assert result.error == "States.Timeout"
    assert clock.now() == 300
    no_timeout = StateMachine(callback_machine(), registry=registry).run_sync({})
    assert no_timeout.error == "States.Timeout"
    assert "send_task_success" in no_timeout.cause


def test_callback_heartbeat_timeout() -> None:
    async def send(payload: Any, ctx: TaskContext) -> None:
        await ctx.sleep(20)
        ctx.execution.send_task_success(ctx.task_token, {})

    registry = TaskRegistry()
    registry.register(WAIT, send)
    clock = VirtualClock(start=0)
    machine = StateMachine(callback_machine(HeartbeatSeconds=10), registry=registry)
    result = machine.run_sync({}, clock=clock)
    assert result.error == "States.Timeout"  # the ASL specification's name for a heartbeat timeout
    assert clock.now() == 10


def test_callback_by_on_wait_hook() -> None:
    async def approve(execution: Any, state: str, payload: Any, token: str) -> None:
        execution.send_task_success(token, {"by": state})

    result = StateMachine(callback_machine(), on_wait=approve).run_sync({})
    assert result.output == {"by": "T"}


def test_unknown_token_is_an_error() -> None:
    from asl.executor import TaskTokenError

    async def send(payload: Any, ctx: TaskContext) -> None:
        with pytest.raises(TaskTokenError):
            ctx.execution.send_task_success("not-a-token", {})
        ctx.execution.send_task_success(ctx.task_token, {"ok": 1})

    registry = TaskRegistry()
    registry.register(WAIT, send)
    assert StateMachine(callback_machine(), registry=registry).run_sync({}).output == {"ok": 1}


# -- nested executions ----------------------------------------------------------------------------

CHILD = {
    "StartAt": "C",
    "States": {
        "C": {
            "Type": "Pass",
            "Parameters": {
                "doubled.$": "States.MathAdd($.n, $.n)",
                "by.$": "$.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID",
            },
            "End": True,
        }
    },
}
FAILING = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "ChildError", "Cause": "child broke"}}}


def nested_config(project: Path) -> Config:
    return Config(
        root=project,
        state_machines={
            "Child": write(project / "child.json", CHILD),
            "Failing": write(project / "failing.json", FAILING),
        },
    )


def start(resource: str, machine: str, **fields: Any) -> dict[str, Any]:
    params = {
        "StateMachineArn": machine,
        "Input": {"n.$": "$.n", "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"},
    }
    return task(resource, Parameters=params, **fields)


def test_start_execution_sync_returns_describe_output(project: Path) -> None:
    result = run_file(
        project,
        nested_config(project),
        start(
            "arn:aws:states:::states:startExecution.sync",
            "arn:aws:states:us-east-1:123456789012:stateMachine:Child",
        ),
        {"n": 21},
    )
    output = result.output
    assert output["Status"] == "SUCCEEDED"
    child_output = json.loads(output["Output"])
    assert child_output["doubled"] == 42
    assert child_output["by"].startswith("arn:aws:states:us-east-1:123456789012:execution:flow:")
    assert json.loads(output["Input"])["n"] == 21
    assert output["StateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:Child"


def test_start_execution_sync2_returns_json_values(project: Path) -> None:
    output = run_file(
        project,
        nested_config(project),
        start("arn:aws:states:::states:startExecution.sync:2", "Child"),
        {"n": 1},
    ).output
    assert output["Output"]["doubled"] == 2
    assert output["Input"]["n"] == 1


def test_start_execution_without_sync(project: Path) -> None:
    output = run_file(
        project, nested_config(project), start("arn:aws:states:::states:startExecution", "Child"), {"n": 1}
    ).output
    assert set(output) == {"ExecutionArn", "StartDate"}
    assert ":execution:Child:" in output["ExecutionArn"]


def test_failed_child_fails_the_parent_task(project: Path) -> None:
    definition = start(
        "arn:aws:states:::states:startExecution.sync",
        "Failing",
        Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}],
    )
    output = run_file(project, nested_config(project), definition, {"n": 1}).output
    assert output["Error"] == "States.TaskFailed"
    cause = json.loads(output["Cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "ChildError", "child broke")


def test_unknown_child_state_machine(project: Path) -> None:
    result = run_file(
        project,
        nested_config(project),
        start("arn:aws:states:::states:startExecution.sync", "Nope"),
        {"n": 1},
    )
    assert result.error == "StepFunctions.StateMachineDoesNotExistException"


def test_activity_maps_to_a_local_handler(project: Path) -> None:
    module = next(project.glob("handlers_*.py")).stem
    arn = "arn:aws:states:us-east-1:123456789012:activity:greeter"
    config = Config(root=project, handlers={arn: f"{module}:greet"})
    assert run_file(project, config, task(arn), {"name": "z"}).output["hello"] == "z"


def test_sample_runs_through_the_runner() -> None:
    root = Path(__file__).resolve().parents[3] / "samples" / "order-approval"
    config = load_config(root / "asl.toml")
    config.test_case = "ProcessorBusyThenOk"
    runner = build_runner(config)
    machine = runner.load(root / "workflow.json")
    result = machine.run_sync(json.loads((root / "input.json").read_text()))
    assert result.output == {"orderId": "o-1001", "status": "SHIPPED", "chargeId": "ch_002"}
