"""The wire: AWS JSON 1.0 target dispatch and AWS-shaped errors for anything a client can send.

Error types follow AWS's JSON protocol (Coral): unreadable bodies are SerializationException,
constraint violations ValidationException ("N validation error(s) detected: Value ... at '...'
failed to satisfy constraint: ..."), unknown targets UnknownOperationException; all HTTP 400.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlparse

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import PASS, ROLE, Server, unique

SFN = "AWSStepFunctions."
GOOD = json.dumps({"name": "x", "definition": json.dumps(PASS), "roleArn": ROLE})


def post(server: Server, target: str | None, body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
    address = urlparse(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        headers["X-Amz-Target"] = target
    connection.request("POST", "/", body=body, headers=headers)
    response = connection.getresponse()
    payload = json.loads(response.read())
    return response.status, payload, {k.lower(): v for k, v in response.getheaders()}


@pytest.mark.parametrize(
    ("target", "body", "error", "message"),
    [
        (SFN + "CreateStateMachine", b'{"name": ', "SerializationException", "not valid JSON at line 1"),
        (SFN + "CreateStateMachine", b"\xff\xfe", "SerializationException", "not UTF-8"),
        (
            SFN + "CreateStateMachine",
            b"[1, 2]",
            "SerializationException",
            "expected a JSON object, got an array",
        ),
        (SFN + "CreateStateMachine", b"[" * 100_000, "SerializationException", "too deeply"),
        (
            SFN + "CreateStateMachine",
            json.dumps({"name": 5, "definition": "{}", "roleArn": ROLE}).encode(),
            "SerializationException",
            "Cannot read 'name': expected a string, got an integer",
        ),
        (
            SFN + "ListStateMachines",
            json.dumps({"maxResults": "ten"}).encode(),
            "SerializationException",
            "Cannot read 'maxResults': expected an integer, got a string",
        ),
        (
            SFN + "CreateStateMachine",
            json.dumps({"name": "x", "roleArn": ROLE}).encode(),
            "ValidationException",
            "1 validation error detected: Value null at 'definition' failed to satisfy constraint: "
            "Member must not be null",
        ),
        (
            SFN + "CreateStateMachine",
            b"{}",
            "ValidationException",
            "3 validation errors detected",
        ),
        (
            SFN + "CreateStateMachine",
            json.dumps({"name": "x", "definition": "{}", "roleArn": ROLE, "type": "FAST"}).encode(),
            "ValidationException",
            "Value 'FAST' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]",
        ),
        (
            SFN + "ListStateMachines",
            json.dumps({"maxResults": 5000}).encode(),
            "ValidationException",
            "Value '5000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
        ),
        (
            SFN + "TagResource",
            json.dumps({"resourceArn": "arn:x", "tags": [{"key": ""}]}).encode(),
            "ValidationException",
            "at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        (
            SFN + "Nope",
            GOOD.encode(),
            "UnknownOperationException",
            "Unknown operation: 'AWSStepFunctions.Nope'",
        ),
        (
            "DynamoDB_20120810.ListTables",
            b"{}",
            "UnknownOperationException",
            "Unknown operation",
        ),
        (None, GOOD.encode(), "UnknownOperationException", "no X-Amz-Target header"),
        (
            SFN + "DescribeMapRun",
            b"{}",
            "UnknownOperationException",
            "asl serve does not implement DescribeMapRun",
        ),
    ],
)
def test_bad_requests_get_aws_errors_and_the_server_keeps_serving(
    server: Server, target: str | None, body: bytes, error: str, message: str
) -> None:
    status, payload, headers = post(server, target, body)
    assert status == 400
    assert payload["__type"] == error
    assert message in payload["message"]
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert headers["x-amzn-requestid"]
    assert server.health()["status"] == "ok"


def test_an_unsigned_request_is_served(server: Server) -> None:
    status, payload, _ = post(server, SFN + "ListStateMachines", b"")
    assert status == 200
    assert "stateMachines" in payload


def test_boto3_raises_its_own_exception_classes(sfn: Any) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:does-not-exist"
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as caught:
        sfn.describe_state_machine(stateMachineArn=missing)
    assert caught.value.response["Error"]["Message"] == f"State Machine Does Not Exist: '{missing}'"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_oversized_input_is_refused_with_aws_limit(server: Server, sfn: Any) -> None:
    unchecked = server.client(parameter_validation=False)
    name = unique()
    arn = unchecked.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)[
        "stateMachineArn"
    ]
    big = json.dumps({"data": "é" * 140_000})  # 140,000 characters, 280,000 bytes: over 256 KiB
    with pytest.raises(ClientError) as caught:
        unchecked.start_execution(stateMachineArn=arn, input=big)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert (
        "at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144"
        in str(caught.value)
    )
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []


def test_missing_member_through_boto3_without_client_validation(server: Server) -> None:
    unchecked = server.client(parameter_validation=False)
    with pytest.raises(ClientError) as caught:
        unchecked.describe_execution()
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Value null at 'executionArn'" in caught.value.response["Error"]["Message"]
