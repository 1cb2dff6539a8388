"""asl.test_state: AWS's TestState offline, with AWS's request and response shapes.

Expected responses for the documented examples come from the Step Functions developer guide's
"Using TestState API to test a state" (Pass with InputPath/Parameters/ResultPath/OutputPath at DEBUG)
and the AWS News Blog post introducing TestState mocks (a mocked Lambda result and error at DEBUG).
The statuses RETRIABLE and CAUGHT_ERROR and `errorDetails` follow the API reference (InspectionErrorDetails)
and TestState responses recorded against AWS (errorDetails.retryIndex/retryBackoffIntervalSeconds for a
retrier, catchIndex with nextState and the catcher's output for a catcher).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

import asl
from asl import TaskRegistry, TestStateError, test_state
from asl.mockcheck import MockFieldWarning
from asl.replay import sample_cases

ROOT = Path(__file__).resolve().parents[3]
LAMBDA_TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "process-order"},
    "End": True,
}
#: A value nested 1,000 levels: held to the 500 levels every other input is (asl.jsonvalue.MAX_DEPTH).
DEEP: Any = []
for _ in range(999):
    DEEP = [DEEP]


def test_the_documented_pass_example() -> None:
    definition = {
        "Type": "Pass",
        "InputPath": "$.payload",
        "Parameters": {"data": 1},
        "ResultPath": "$.result",
        "OutputPath": "$.result.data",
        "Next": "Another State",
    }
    response = test_state(
        {
            "definition": json.dumps(definition),
            "input": '{"payload": {"foo": "bar"}}',
            "inspectionLevel": "DEBUG",
        }
    )
    assert response == {
        "output": "1",
        "inspectionData": {
            "input": '{"payload": {"foo": "bar"}}',
            "afterInputPath": '{"foo":"bar"}',
            "afterParameters": '{"data":1}',
            "afterResultSelector": '{"data":1}',
            "afterResultPath": '{"payload":{"foo":"bar"},"result":{"data":1}}',
        },
        "nextState": "Another State",
        "status": "SUCCEEDED",
    }


def test_the_documented_mocked_lambda_result_and_error() -> None:
    ok = test_state(
        {
            "definition": json.dumps(LAMBDA_TASK),
            "mock": {"result": '{"StatusCode": 200, "Payload": {"orderId": "12345"}}'},
            "inspectionLevel": "DEBUG",
        }
    )
    assert ok["status"] == "SUCCEEDED"
    assert ok["inspectionData"]["result"] == '{"StatusCode":200,"Payload":{"orderId":"12345"}}'
    assert "nextState" not in ok
    failed = test_state(
        {
            "definition": json.dumps(LAMBDA_TASK),
            "mock": {"errorOutput": {"error": "Lambda.ServiceException", "cause": "Function failed"}},
            "inspectionLevel": "DEBUG",
        }
    )
    assert failed == {
        "error": "Lambda.ServiceException",
        "cause": "Function failed",
        "inspectionData": {
            "input": "{}",
            "afterInputPath": "{}",
            "afterParameters": '{"FunctionName":"process-order"}',
        },
        "status": "FAILED",
    }


RETRY = [{"ErrorEquals": ["Busy"], "IntervalSeconds": 3, "BackoffRate": 2, "MaxAttempts": 2}]
CATCH = [
    {"ErrorEquals": ["Nope"], "Next": "Other"},
    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handle"},
]


@pytest.mark.parametrize(
    ("error", "retries", "expected"),
    [
        (
            "Busy",
            0,
            {"status": "RETRIABLE", "errorDetails": {"retryBackoffIntervalSeconds": 3, "retryIndex": 0}},
        ),
        (
            "Busy",
            1,
            {"status": "RETRIABLE", "errorDetails": {"retryBackoffIntervalSeconds": 6, "retryIndex": 0}},
        ),
        ("Busy", 2, {"status": "CAUGHT_ERROR", "errorDetails": {"catchIndex": 1}, "nextState": "Handle"}),
        ("Other", 0, {"status": "CAUGHT_ERROR", "errorDetails": {"catchIndex": 1}, "nextState": "Handle"}),
    ],
    ids=["first-retry", "backoff", "retries-exhausted-then-caught", "not-retried-caught"],
)
def test_retry_and_catch_decisions(error: str, retries: int, expected: dict[str, Any]) -> None:
    definition = {**LAMBDA_TASK, "Retry": RETRY, "Catch": CATCH}
    response = test_state(
        {
            "definition": definition,
            "input": {"id": 7},
            "mock": {"errorOutput": {"error": error, "cause": "why"}},
            "stateConfiguration": {"retrierRetryCount": retries},
            "inspectionLevel": "DEBUG",
        }
    )
    assert response["status"] == expected["status"]
    assert response["inspectionData"]["errorDetails"] == expected["errorDetails"]
    assert (response["error"], response["cause"]) == (error, "why")
    assert response.get("nextState") == expected.get("nextState")
    if expected["status"] == "CAUGHT_ERROR":
        assert json.loads(response["output"]) == {"id": 7, "err": {"Error": error, "Cause": "why"}}
    else:
        assert "output" not in response


def test_info_level_has_no_inspection_data() -> None:
    response = test_state({"definition": {"Type": "Pass", "End": True}, "input": {"a": 1}})
    assert response == {"output": '{"a":1}', "status": "SUCCEEDED"}


def test_a_state_of_a_whole_definition_with_variables_and_context() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "Parameters": {"who.$": "$who", "run.$": "$$.Execution.Name"},
                "Assign": {"seen.$": "$.who"},
                "Next": "B",
            },
            "B": {"Type": "Succeed"},
        },
    }
    response = test_state(
        {
            "definition": json.dumps(definition),
            "stateName": "A",
            "variables": '{"who": "ada"}',
            "context": '{"Execution": {"Name": "nightly"}}',
            "inspectionLevel": "DEBUG",
        }
    )
    assert json.loads(response["output"]) == {"who": "ada", "run": "nightly"}
    assert response["nextState"] == "B"
    assert json.loads(response["inspectionData"]["variables"]) == {"who": "ada", "seen": "ada"}


def test_jsonata_task_with_a_handler_from_the_registry() -> None:
    registry = TaskRegistry()

    async def double(payload: Any, ctx: Any) -> Any:
        return {"n": payload["n"] * 2}

    registry.register("arn:aws:lambda:us-east-1:123456789012:function:double", double)
    definition = {
        "Type": "Task",
        "QueryLanguage": "JSONata",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
        "Arguments": {"n": "{% $states.input.n + 1 %}"},
        "Output": "{% $states.result.n %}",
        "End": True,
    }
    response = test_state(
        {"definition": definition, "input": {"n": 2}, "inspectionLevel": "DEBUG"}, registry=registry
    )
    assert response["output"] == "6"
    assert response["inspectionData"]["afterArguments"] == '{"n":3}'
    assert response["inspectionData"]["result"] == '{"n":6}'


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (
            {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}],
                "Default": "Small",
            },
            ("SUCCEEDED", "Big"),
        ),
        ({"Type": "Wait", "Seconds": 3600, "Next": "After"}, ("SUCCEEDED", "After")),
        ({"Type": "Succeed"}, ("SUCCEEDED", None)),
        ({"Type": "Fail", "Error": "Boom", "Cause": "it broke"}, ("FAILED", None)),
        (
            {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 9, "Next": "Big"}]},
            ("FAILED", None),
        ),
    ],
    ids=["choice", "wait-does-not-wait", "succeed", "fail", "no-choice-matched"],
)
def test_other_state_types(definition: dict[str, Any], expected: tuple[str, str | None]) -> None:
    response = test_state({"definition": definition, "input": {"n": 2}})
    assert (response["status"], response.get("nextState")) == expected


@pytest.mark.parametrize(
    ("request_", "code", "fragment"),
    [
        ({}, "ValidationException", "'definition' field is required"),
        ({"definition": "{nope"}, "ValidationException", "not valid JSON"),
        (
            {"definition": {"Type": "Pass", "End": True}, "input": "{bad"},
            "InvalidExecutionInput",
            "not valid JSON",
        ),
        (
            {"definition": {"Type": "Pass", "Next": 3}},
            "InvalidDefinition",
            "Invalid State Machine Definition",
        ),
        (
            {"definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}},
            "ValidationException",
            "stateName",
        ),
        (
            {"definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, "stateName": "B"},
            "ValidationException",
            "no state named 'B'",
        ),
        (
            {"definition": {**LAMBDA_TASK, "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken"}},
            "ValidationException",
            "only with a mock",
        ),
        (
            {"definition": {"Type": "Pass", "End": True}, "mock": {"result": "{}"}},
            "ValidationException",
            "not to a Pass state",
        ),
        ({"definition": LAMBDA_TASK}, "ValidationException", "Nothing serves"),
        (
            {"definition": LAMBDA_TASK, "mock": {"result": "{}", "errorOutput": {}}},
            "ValidationException",
            "exactly one",
        ),
        ({"definition": LAMBDA_TASK, "inspectionLevel": "LOUD"}, "ValidationException", "inspectionLevel"),
        (
            {"definition": LAMBDA_TASK, "mock": {"result": "[" * 1000 + "]" * 1000}},
            "ValidationException",
            "The mock result is not valid JSON: the JSON nests objects and arrays more than 500 levels deep",
        ),
        (
            {"definition": LAMBDA_TASK, "mock": {"result": DEEP}},
            "ValidationException",
            "The mock result is not valid JSON: the value nests objects and arrays more than 500 levels deep",
        ),
        (
            {"definition": {"Type": "Pass", "End": True}, "input": "{" * 1000},
            "InvalidExecutionInput",
            "more than 500 levels deep",
        ),
        ({"definition": LAMBDA_TASK, "colour": 1}, "ValidationException", "Unknown request field"),
        (
            {
                "definition": LAMBDA_TASK,
                "mock": {"result": "{}"},
                "stateConfiguration": {"mapItemReaderData": "[]"},
            },
            "ValidationException",
            "not supported locally",
        ),
    ],
)
def test_requests_aws_refuses(request_: dict[str, Any], code: str, fragment: str) -> None:
    with pytest.raises(TestStateError) as caught:
        test_state(request_)
    assert caught.value.code == code
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("resource", "result", "mode", "message"),
    [
        ("arn:aws:states:::states:startExecution", {}, "STRICT", "Required field 'ExecutionArn' is missing"),
        (
            "arn:aws:states:::states:startExecution",
            {"ExecutionArn": "a", "StartDate": True},
            "STRICT",
            "Field 'StartDate' must be a string",
        ),
        (
            "arn:aws:states:::events:putEvents",
            {"Entries": "x"},
            "PRESENT",
            "Field 'Entries' must be an array",
        ),
        (
            "arn:aws:states:::lambda:invoke",
            {"StatusCode": "200"},
            "STRICT",
            "Field 'StatusCode' must be a number",
        ),
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            {"StorageClass": "Papyrus"},
            "STRICT",
            "Field 'StorageClass' is not an expected value",
        ),
    ],
)
def test_a_mocked_result_that_breaks_the_api_model_is_refused(
    resource: str, result: Any, mode: str, message: str
) -> None:
    with pytest.raises(TestStateError) as caught:
        test_state(
            {
                "definition": {"Type": "Task", "Resource": resource, "End": True},
                "mock": {"result": json.dumps(result), "fieldValidationMode": mode},
            }
        )
    assert caught.value.message == f"Mock result schema validation error: {message}"


@pytest.mark.parametrize(("mode", "passes"), [("STRICT", False), ("PRESENT", True), ("NONE", True)])
def test_field_validation_modes(mode: str, passes: bool) -> None:
    request = {
        "definition": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution", "End": True},
        "mock": {"result": "{}", "fieldValidationMode": mode},
    }
    if passes:
        assert test_state(request)["status"] == "SUCCEEDED"
    else:
        with pytest.raises(TestStateError, match="Required field"):
            test_state(request)


def test_a_misspelt_field_is_a_warning_with_the_real_name() -> None:
    request = {
        "definition": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": True},
        "mock": {"result": '{"Itme": {"id": {"S": "1"}}}'},
    }
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert test_state(request)["status"] == "SUCCEEDED"  # AWS accepts fields the API does not have
    assert [str(w.message) for w in seen if w.category is MockFieldWarning] == [
        "mock.result: Field 'Itme' is not part of the API's result; did you mean 'Item'? (at $.Itme)"
    ]


def test_map_and_parallel_take_a_mocked_result() -> None:
    map_state = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    response = test_state(
        {"definition": map_state, "input": "[1, 2]", "mock": {"result": "[3, 4]"}, "inspectionLevel": "DEBUG"}
    )
    assert response["output"] == "[3,4]"
    assert response["inspectionData"]["maxConcurrency"] == 0
    with pytest.raises(TestStateError, match="only with a mock"):
        test_state({"definition": map_state})


def test_public_api_exports() -> None:
    assert asl.test_state is test_state


def _comparable_steps() -> list[Any]:
    """(definition, state, input, output, next) of recorded sample visits of states that read no `$$` or variables."""
    found = []
    from asl.templates import read_any

    for folder in sorted((ROOT / "samples").glob("*/executions")):
        workflow = folder.parent / "workflow.json"
        definition = read_any(workflow if workflow.exists() else folder.parent / "template.yaml").definition
        if "Assign" in json.dumps(definition):
            continue  # variables come from earlier states
        states = definition["States"]
        for case in sample_cases(folder.parent):
            steps = json.loads(case.read_text())["steps"]
            for step, following in zip(steps, [*steps[1:], None], strict=True):
                raw = states.get(step["state"])
                text = json.dumps(raw)
                if (
                    raw is None
                    or step["type"] not in ("Pass", "Choice")
                    or "$$" in text
                    or "$states.context" in text
                ):
                    continue
                if "output" not in step:
                    continue
                found.append(
                    (
                        definition,
                        step["state"],
                        step["input"],
                        step["output"],
                        following and following["state"],
                    )
                )
    return found


@pytest.mark.parametrize(("definition", "state", "input_", "output", "next_"), _comparable_steps())
def test_recorded_sample_visits_give_the_same_output_and_next_state(
    definition: dict[str, Any], state: str, input_: Any, output: Any, next_: str | None
) -> None:
    response = test_state({"definition": definition, "stateName": state, "input": input_})
    assert json.loads(response["output"]) == output
    assert response.get("nextState") == next_
