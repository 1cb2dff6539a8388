"""The AWS CLI against `asl serve` with `--endpoint-url`, as the README shows it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.server.conftest import PASS, ROLE, Server, unique


def aws(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    command = [
        sys.executable,
        "-m",
        "awscli",
        "stepfunctions",
        *args,
        "--endpoint-url",
        server.url,
        "--output",
        "json",
    ]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


def test_create_start_describe_with_the_aws_cli(server: Server) -> None:
    name = unique()
    created = aws(
        server, "create-state-machine", "--name", name, "--definition", json.dumps(PASS), "--role-arn", ROLE
    )
    assert created.returncode == 0, created.stderr
    arn = json.loads(created.stdout)["stateMachineArn"]
    started = aws(server, "start-execution", "--state-machine-arn", arn, "--input", '{"a": 1}')
    assert started.returncode == 0, started.stderr
    execution = json.loads(started.stdout)["executionArn"]
    described: dict[str, Any] = {"status": "RUNNING"}
    for _ in range(50):
        described = json.loads(aws(server, "describe-execution", "--execution-arn", execution).stdout)
        if described["status"] != "RUNNING":
            break
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"a": 1}


def test_errors_reach_the_aws_cli_as_aws_errors(server: Server) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nope"
    result = aws(server, "describe-state-machine", "--state-machine-arn", missing)
    assert result.returncode == 255  # AWS CLI v1: 255 for a service error
    assert (
        "An error occurred (StateMachineDoesNotExist) when calling the DescribeStateMachine operation"
        in result.stderr
    )


def test_start_sync_execution_needs_host_prefix_injection_off(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """StartSyncExecution's endpoint is `sync-<host>` on AWS; locally the CLI must not add that prefix."""
    name = unique()
    created = aws(
        server,
        "create-state-machine",
        "--name",
        name,
        "--definition",
        json.dumps(PASS),
        "--role-arn",
        ROLE,
        "--type",
        "EXPRESS",
    )
    arn = json.loads(created.stdout)["stateMachineArn"]
    monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    result = aws(server, "start-sync-execution", "--state-machine-arn", arn, "--input", '{"b": 2}')
    assert result.returncode == 0, result.stderr
    assert json.loads(json.loads(result.stdout)["output"]) == {"b": 2}
