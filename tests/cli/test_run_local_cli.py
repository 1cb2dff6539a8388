"""`asl run` with the local runner's options: config, mocks, handlers, callbacks by prompt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "order-approval"
INPUT = f"file://{SAMPLE / 'input.json'}"


def run(*args: str, input: str | None = None) -> object:
    return CliRunner().invoke(
        cli, ["run", str(SAMPLE / "workflow.json"), "--input", INPUT, *args], input=input
    )


@pytest.mark.parametrize(
    ("case", "code", "expected"),
    [
        ("Approved", 0, {"orderId": "o-1001", "status": "SHIPPED", "chargeId": "ch_001"}),
        ("ProcessorBusyThenOk", 0, {"orderId": "o-1001", "status": "SHIPPED", "chargeId": "ch_002"}),
        ("Rejected", 1, None),
    ],
)
def test_sample_test_cases(case: str, code: int, expected: object) -> None:
    result = run("--test-case", case)
    assert result.exit_code == code, result.output  # type: ignore[attr-defined]
    if expected is not None:
        assert json.loads(result.stdout) == expected  # type: ignore[attr-defined]
    else:
        assert json.loads(result.stderr)["error"] == "OrderRejected"  # type: ignore[attr-defined]


def test_terminal_prompt_approves_a_callback() -> None:
    result = run("--test-case", "ManualApproval", "--prompt", input='approve\n{"approved": true}\n')
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    # with --output json (not a terminal), the question goes to stderr so stdout carries only the output
    assert "WaitForApproval" in result.stderr  # type: ignore[attr-defined]
    assert "task token" in result.stderr  # type: ignore[attr-defined]
    assert json.loads(result.stdout)["status"] == "SHIPPED"  # type: ignore[attr-defined]


def test_terminal_prompt_fails_a_callback() -> None:
    result = run("--test-case", "ManualApproval", "--prompt", input="fail\nTooExpensive\nover budget\n")
    assert result.exit_code == 1
    failure = json.loads(result.stderr.strip().splitlines()[-1])  # type: ignore[attr-defined]
    assert (failure["error"], failure["cause"], failure["state"]) == (
        "TooExpensive",
        "over budget",
        "WaitForApproval",
    )


def test_without_prompt_a_waiting_task_with_no_handler_is_reported() -> None:
    result = run("--test-case", "ManualApproval", "--no-prompt")
    assert result.exit_code == 1  # it is reached: it fails as AWS fails a resource that does not exist
    assert "warning: nothing serves these Task states locally" in result.stderr  # type: ignore[attr-defined]
    assert "sqs:sendMessage.waitForTaskToken" in result.stderr  # type: ignore[attr-defined]
    failure = json.loads(result.stderr.strip().splitlines()[-1])  # type: ignore[attr-defined]
    assert failure["error"] == "SQS.ResourceNotFoundException"
    strict = run("--test-case", "ManualApproval", "--no-prompt", "--strict-resources")
    assert strict.exit_code == 2
    assert "no local handler" in strict.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--test-case", "Nope"), "no test case 'Nope'"),
        (("--handler", "novalue"), "must look like KEY=VALUE"),
        (("--mock-config", "/no/such/mocks.json", "--test-case", "Approved"), "cannot read the mock file"),
        (("--config", "/no/such/asl.toml"), "cannot read the configuration file"),
    ],
)
def test_configuration_errors_exit_2(args: tuple[str, ...], fragment: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert fragment in result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


def test_handler_and_state_machine_flags(tmp_path: Path) -> None:
    (tmp_path / "cli_flag_handlers.py").write_text(
        "def hi(event, context):\n    return {'hi': event['who']}\n"
    )
    child = tmp_path / "child.json"
    child.write_text(
        json.dumps({"StartAt": "C", "States": {"C": {"Type": "Pass", "Result": "child", "End": True}}})
    )
    flow = tmp_path / "flow.json"
    flow.write_text(
        json.dumps(
            {
                "StartAt": "L",
                "States": {
                    "L": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:hi",
                        "ResultPath": "$.l",
                        "Next": "N",
                    },
                    "N": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::states:startExecution.sync:2",
                        "Parameters": {"StateMachineArn": "Child"},
                        "ResultSelector": {"o.$": "$.Output"},
                        "ResultPath": "$.n",
                        "End": True,
                    },
                },
            }
        )
    )
    (tmp_path / "asl.toml").write_text("# flags below complete this configuration\n")
    args = [
        "run",
        str(flow),
        "--input",
        '{"who": "ada"}',
        "--handler",
        "hi=cli_flag_handlers:hi",
        "--state-machine",
        f"Child={child}",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"who": "ada", "l": {"hi": "ada"}, "n": {"o": "child"}}
