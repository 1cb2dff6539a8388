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

from tests.server import wire
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


def test_a_null_body_is_refused_by_every_action(server: Server) -> None:
    for action in server.backend_actions():
        status, payload, _ = post(server, SFN + action, b"null")
        assert (status, payload["__type"]) == (400, "SerializationException"), action
        assert payload["message"] == "Cannot read the request: expected a JSON object, got null"


@pytest.mark.parametrize(
    ("action", "body", "message"),
    [
        (
            "TagResource",
            {"resourceArn": "arn:aws:states:us-east-1:123456789012:activity:x", "tags": [{"value": "v"}]},
            "Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null",
        ),
        (
            "CreateActivity",
            {"name": "tagged", "tags": [{"key": "a"}, {}]},
            "Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null",
        ),
        (
            "CreateStateMachineAlias",
            {"name": "live", "routingConfiguration": [None]},
            "Value null at 'routingConfiguration.1.member' failed to satisfy constraint: Member must not be null",
        ),
        (
            "UntagResource",
            {"resourceArn": "arn:aws:states:us-east-1:123456789012:activity:x", "tagKeys": ["a", None]},
            "Value null at 'tagKeys.2.member' failed to satisfy constraint: Member must not be null",
        ),
    ],
)
def test_null_members_are_validation_errors(server: Server, action: str, body: Any, message: str) -> None:
    status, payload, _ = post(server, SFN + action, json.dumps(body).encode())
    assert (status, payload["__type"]) == (400, "ValidationException")
    assert message in payload["message"]


def test_the_configured_payload_limit_refuses_an_input_as_aws_does(start_server: Any) -> None:
    from asl.config import Config
    from tests.server.conftest import REPO, create

    sfn = start_server(config=Config(root=REPO, payload_limit=100)).client()
    machine = create(sfn, PASS)
    with pytest.raises(sfn.exceptions.ClientError) as caught:
        sfn.start_execution(stateMachineArn=machine, input=json.dumps({"data": "x" * 200}))
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 100" in caught.value.response["Error"]["Message"]
    assert sfn.list_executions(stateMachineArn=machine)["executions"] == []


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 403),  # DNS rebinding: a name the attacker points at 127.0.0.1
        ("evil.example:{port}", 403),
        ("127.0.0.1:{port}", 200),
        ("localhost:{port}", 200),
        ("sync-localhost:{port}", 200),  # botocore's host prefix for StartSyncExecution
    ],
)
def test_the_api_answers_only_requests_for_its_own_address(server: Server, host: str, status: int) -> None:
    port = urlparse(server.url).port
    answered, payload = wire.post(server.url, "ListStateMachines", {}, host=host.format(port=port))
    assert answered == status
    if status == 403:
        assert payload["__type"] == "AccessDeniedException"
        assert "answers only requests for the address it listens on" in payload["message"]


def test_sdks_reach_the_api_by_localhost(server: Server) -> None:
    port = urlparse(server.url).port
    by_name = Server(f"http://localhost:{port}", server.backend).client()
    assert "stateMachines" in by_name.list_state_machines()


@pytest.mark.parametrize("path", ["/", "/console/state-machines/any/start"])
def test_a_body_shorter_than_its_content_length_is_cut_off(
    server: Server, monkeypatch: Any, path: str
) -> None:
    import socket
    import time

    import asl.server.bodies

    monkeypatch.setattr(asl.server.bodies, "BODY_SECONDS", 0.5)
    address = urlparse(server.url)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nX-Amz-Target: {SFN}ListStateMachines\r\n"
        "Content-Type: application/x-amz-json-1.0\r\nContent-Length: 100\r\n\r\n{}"
    )
    started = time.monotonic()
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(head.encode())
        received = b""
        while chunk := connection.recv(65536):  # the server closes the connection: recv ends
            received += chunk
    assert time.monotonic() - started < 5
    status_line, _, body = received.partition(b"\r\n\r\n")
    assert status_line.startswith(b"HTTP/1.1 408")
    answer = json.loads(body)
    assert answer["__type"] == "RequestTimeoutException"
    assert "did not arrive within 0.5 seconds" in answer["message"]
    assert "stateMachines" in server.client().list_state_machines()  # the server keeps serving
