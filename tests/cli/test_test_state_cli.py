"""`asl test-state`: TestState offline from the command line; mock checks in `asl run`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli, main

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "samples" / "hello" / "workflow.json"
CFN = ROOT / "tests" / "fixtures" / "templates" / "cfn-multi.yaml"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["test-state", *args])


def test_a_state_of_a_sample_by_name() -> None:
    result = invoke(str(HELLO), "--state", "PickPlan", "--input", '{"welcome": {"age": 12}}')
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "output": '{"welcome":{"age":12}}',
        "nextState": "Junior",
        "status": "SUCCEEDED",
    }


def test_definition_option_with_debug_inspection() -> None:
    result = invoke(
        "--definition",
        '{"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "End": true}',
        "--input",
        '{"x": 0}',
        "--inspection-level",
        "DEBUG",
    )
    assert result.exit_code == 0, result.output
    response = json.loads(result.stdout)
    assert response["inspectionData"]["afterResultPath"] == '{"x":0,"r":{"a":1}}'


def test_a_template_machine_state_with_a_mocked_error_is_retriable_exit_1() -> None:
    mock = '{"errorOutput": {"error": "Lambda.TooManyRequestsException", "cause": "slow down"}}'
    target = f"{ROOT / 'tests' / 'fixtures' / 'templates' / 'cdk-orders' / 'cdk.out'}#OrderFlow"
    result = invoke(target, "--state", "Price order", "--mock", mock, "--inspection-level", "DEBUG")
    assert result.exit_code == 1, result.output
    response = json.loads(result.stdout)
    assert response["status"] == "RETRIABLE"
    assert response["inspectionData"]["errorDetails"] == {"retryBackoffIntervalSeconds": 1, "retryIndex": 1}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "give the state machine as FILE or the state as --definition"),
        (("--definition", '{"Type": "Pass", "Next": 1}'), "InvalidDefinition"),
        ((str(HELLO), "--state", "Nope"), "no state named 'Nope'"),
        (
            (
                "--definition",
                '{"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": true}',
                "--mock",
                '{"result": "{\\"Item\\": []}"}',
            ),
            "Field 'Item' must be an object",
        ),
        ((str(HELLO), "--state", "PickPlan", "--input", "{bad"), "not valid JSON"),
    ],
)
def test_bad_requests_exit_2_with_aws_error_codes(args: tuple[str, ...], fragment: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_run_checks_mock_files_against_the_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = {
        "StartAt": "Get",
        "States": {"Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": True}},
    }
    (tmp_path / "flow.json").write_text(json.dumps(definition))
    mocks = {
        "StateMachines": {"flow": {"TestCases": {"Typo": {"Get": "R"}, "Wrong": {"Get": "W"}}}},
        "MockedResponses": {"R": {"0": {"Return": {"Itme": {}}}}, "W": {"0": {"Return": {"Item": "x"}}}},
    }
    (tmp_path / "mocks.json").write_text(json.dumps(mocks))
    base = [
        "run",
        str(tmp_path / "flow.json"),
        "--mock-config",
        str(tmp_path / "mocks.json"),
        "--output",
        "json",
    ]
    with pytest.raises(SystemExit) as ended:
        main([*base, "--test-case", "Typo"])
    assert ended.value.code == 0  # AWS accepts an unknown field: a warning, not an error
    assert "warning: " in (err := capsys.readouterr().err)
    assert "Field 'Itme' is not part of the API's result; did you mean 'Item'?" in err
    wrong = CliRunner().invoke(cli, [*base, "--test-case", "Wrong"])
    assert wrong.exit_code == 2
    assert "MockedResponses.W.0 for state 'Get'" in wrong.stderr
    assert "Field 'Item' must be an object" in wrong.stderr


@pytest.mark.parametrize("command", ["test-state", "run", "serve"])
def test_mocks_nested_past_500_levels_are_refused_without_a_traceback(tmp_path: Path, command: str) -> None:
    """Mocked results are held to the 500 levels every other input is (asl.jsonvalue.MAX_DEPTH)."""
    deep = "[" * 1000 + "]" * 1000
    flow = tmp_path / "flow.json"
    flow.write_text(
        json.dumps(
            {
                "StartAt": "Get",
                "States": {
                    "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": True}
                },
            }
        )
    )
    mocks = tmp_path / "mocks.json"
    mocks.write_text(
        '{"StateMachines": {"flow": {"TestCases": {"C": {"Get": "R"}}}}, '
        f'"MockedResponses": {{"R": {{"0": {{"Return": {deep}}}}}}}}}'
    )
    arguments = {
        "test-state": ["test-state", str(flow), "--state", "Get", "--mock", json.dumps({"result": deep})],
        "run": ["run", str(flow), "--mock-config", str(mocks), "--test-case", "C"],
        "serve": ["serve", "--port", "0", "--db", str(tmp_path / "db"), "--mock-config", str(mocks)],
    }[command]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code != 0
    assert "more than 500 levels deep" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
