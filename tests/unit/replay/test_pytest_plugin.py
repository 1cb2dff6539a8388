"""The pytest plugin, driven as users drive it: a pytest run over a test file, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from asl.testing import RunResult, assert_history, assert_output, history_diff, json_diff, load, run

ROOT = Path(__file__).resolve().parents[3]

TESTS = """
import json
from asl.testing import run, assert_output

ONBOARD = {
    "StartAt": "Pool",
    "States": {
        "Pool": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:createUserPool",
            "Parameters": {"PoolName": "p"},
            "ResultSelector": {"pool.$": "$.UserPool.Id"},
            "Next": "Create",
        },
        "Create": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminCreateUser",
            "Parameters": {"UserPoolId.$": "$.pool", "Username": "ada", "MessageAction": "SUPPRESS"},
            "ResultPath": None,
            "Catch": [{"ErrorEquals": ["CognitoIdentityProvider.UsernameExistsException"], "Next": "Exists"}],
            "Next": "Notify",
        },
        "Exists": {"Type": "Fail", "Error": "Exists"},
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"Message": "hi"},
            "ResultPath": "$.notified",
            "End": True,
        },
    },
}

def test_machine_with_cognito_and_mocks(state_machine, cognito_directory):
    machine = state_machine(ONBOARD, mocks={"Notify": [{"MessageId": "m-1"}]})
    result = run(machine, {})
    pool = result.output["pool"]
    assert_output(result, {"pool": pool, "notified": {"MessageId": "m-1"}})
    assert cognito_directory.find_user(cognito_directory.pool(pool), "ada") is not None

def test_history_diff_is_readable(state_machine):
    machine = state_machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    first, second = run(machine, {}), run(machine, {"x": 1})
    assert first.history == second.history[:1] + [dict(second.history[1], type="PassStateExited")]

def test_server(asl_server):
    import boto3
    client = boto3.client("stepfunctions", endpoint_url=asl_server, region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    assert client.list_state_machines()["stateMachines"] == []
"""


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_flows.py").write_text(textwrap.dedent(TESTS))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(tmp_path / "test_flows.py"),
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_plugin_fixtures_diffs_and_coverage(tmp_path: Path) -> None:
    done = _pytest(tmp_path, "--asl-coverage", str(tmp_path / "cov"), "--asl-coverage-fail-under", "10")
    out = done.stdout
    assert "2 passed, 1 failed" in out or "1 failed, 2 passed" in out, out
    assert "the histories differ:" in out
    assert "≠ PassStateEntered" in out
    assert "asl coverage: " in out
    assert "workflow elements" in out
    assert list((tmp_path / "cov").glob("*.json"))


def test_fail_under_fails_the_session(tmp_path: Path) -> None:
    done = _pytest(
        tmp_path, "-k", "server", "--asl-coverage", str(tmp_path / "cov"), "--asl-coverage-fail-under", "50"
    )
    # the only test run records no execution: the folder is empty, so nothing can be judged
    assert "asl coverage: " in done.stdout
    done = _pytest(
        tmp_path,
        "-k",
        "cognito",
        "--asl-coverage",
        str(tmp_path / "cov2"),
        "--asl-coverage-fail-under",
        "100",
    )
    assert done.returncode == 1
    assert "FAIL" in done.stdout


def test_json_diff_lists_paths() -> None:
    assert json_diff({"a": {"b": [1, 2]}, "c": 1}, {"a": {"b": [1, 3]}, "d": 2}) == [
        "$.a.b[1]: expected 2, got 3",
        "$.c: expected 1, missing",
        "$.d: not expected, got 2",
    ]


def test_assert_output_and_history() -> None:
    result: RunResult = run(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"v": 1}, "End": True}}}, {}
    )
    assert_output(result, {"v": 1})
    with pytest.raises(AssertionError, match=r"\$\.v: expected 2, got 1"):
        assert_output(result, {"v": 2})
    assert_history(result, ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"])
    with pytest.raises(AssertionError, match="≠ TaskStateEntered"):
        assert_history(
            result, ["ExecutionStarted", "TaskStateEntered", "PassStateExited", "ExecutionSucceeded"]
        )
    lines = history_diff(
        result.history, [*result.history[:2], dict(result.history[2], id=99), *result.history[3:]]
    )
    assert lines[-1] == "  $.id: expected 3, got 99"


def test_load_checks_mocks_against_the_api() -> None:
    flow = {
        "StartAt": "Get",
        "States": {"Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": True}},
    }
    with pytest.raises(ValueError, match="Field 'Item' must be an object"):
        load(flow, mocks={"Get": [{"Item": []}]})
    assert load(flow, mocks={"Get": [{"Item": []}]}, mock_validation="NONE") is not None
    with pytest.warns(UserWarning, match="did you mean 'Item'"):
        load(flow, mocks={"Get": {"Itme": {}}})
