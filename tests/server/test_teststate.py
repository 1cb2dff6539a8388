"""TestState through boto3: `asl.teststate` behind AWS's request and response shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest


def test_a_pass_state_with_its_inspection_data(sfn: Any) -> None:
    definition = {"Type": "Pass", "Result": {"b": 2}, "ResultPath": "$.r", "Next": "After"}
    response = sfn.test_state(definition=json.dumps(definition), input='{"a": 1}', inspectionLevel="DEBUG")
    assert (response["status"], json.loads(response["output"]), response["nextState"]) == (
        "SUCCEEDED",
        {"a": 1, "r": {"b": 2}},
        "After",
    )
    assert json.loads(response["inspectionData"]["afterResultPath"]) == {"a": 1, "r": {"b": 2}}


def test_a_mocked_error_caught(sfn: Any) -> None:
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"},
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
        "End": True,
    }
    response = sfn.test_state(
        definition=json.dumps(definition),
        input="{}",
        inspectionLevel="DEBUG",
        mock={"errorOutput": {"error": "Boom", "cause": "bad"}},
    )
    assert (response["status"], response["error"], response["nextState"]) == (
        "CAUGHT_ERROR",
        "Boom",
        "Handle",
    )
    assert response["inspectionData"]["errorDetails"]["catchIndex"] == 0


def test_what_aws_refuses_is_refused_with_its_error(sfn: Any) -> None:
    definition = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    with pytest.raises(sfn.exceptions.ValidationException) as caught:
        sfn.test_state(definition=json.dumps(definition), input="[]")
    assert "only with a mock" in caught.value.response["Error"]["Message"]
