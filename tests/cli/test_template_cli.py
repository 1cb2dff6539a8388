"""`asl run`, `asl validate` and `asl graph` on SAM/CloudFormation/CDK templates and YAML; `--watch`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "templates"

HANDLERS = """
def check(event, context):
    return {"stock_price": event["price"]}

def buy(event, context):
    return {"id": "t-1", "type": "buy", "price": str(event["stock_price"]), "qty": "3", "timestamp": "now"}

def sell(event, context):
    return {"id": "t-2", "type": "sell", "price": str(event["stock_price"]), "qty": "1", "timestamp": "now"}
"""

MOCKS = {
    "StateMachines": {"StockTradingStateMachine": {"TestCases": {"Happy": {"Record Transaction": "Saved"}}}},
    "MockedResponses": {"Saved": {"0": {"Return": {}}}},
}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def sam_project(tmp_path: Path) -> Path:
    project = tmp_path / "stock"
    shutil.copytree(FIXTURES / "sam-stock-trader", project)
    (project / "stock_handlers.py").write_text(HANDLERS)
    (project / "mocks.json").write_text(json.dumps(MOCKS))
    (project / "asl.toml").write_text(
        'mock_config = "mocks.json"\ntest_case = "Happy"\n'
        "[handlers]\n"
        'StockCheckerFunction = "stock_handlers:check"\n'
        'StockBuyerFunction = "stock_handlers:buy"\n'
        'StockSellerFunction = "stock_handlers:sell"\n'
    )
    return project


@pytest.mark.parametrize(("price", "kind"), [(20, "buy"), (80, "sell")])
def test_a_sam_template_runs_with_handlers_named_by_logical_id(
    sam_project: Path, price: int, kind: str
) -> None:
    result = invoke("run", str(sam_project / "template.yaml"), "--input", json.dumps({"price": price}))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {}  # Record Transaction's mocked putItem result


def test_history_names_the_resolved_function_arns(sam_project: Path, tmp_path: Path) -> None:
    history = tmp_path / "h.json"
    result = invoke(
        "run", str(sam_project / "template.yaml"), "--input", '{"price": 5}', "--history", str(history)
    )
    assert result.exit_code == 0, result.output
    scheduled = [e for e in json.loads(history.read_text())["events"] if e["type"] == "TaskScheduled"]
    parameters = json.loads(scheduled[0]["taskScheduledEventDetails"]["parameters"])
    assert parameters["FunctionName"] == "arn:aws:lambda:us-east-1:123456789012:function:StockCheckerFunction"


def test_an_unresolved_placeholder_stops_run_with_exit_2_and_the_flag_to_use() -> None:
    result = invoke("run", f"{FIXTURES / 'cfn-multi.yaml'}#Checkout")
    assert result.exit_code == 2
    assert "line 44, column 43" in result.stderr
    assert "--sub NotifyTopicArn=VALUE" in result.stderr
    assert "[substitutions] in asl.toml" in result.stderr


def test_substitutions_from_flags_and_asl_toml(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "cfn-multi.yaml", tmp_path / "t.yaml")
    (tmp_path / "asl.toml").write_text(
        '[substitutions]\nNotifyTopicArn = "arn:aws:sns:us-east-1:1:from-toml"\n'
    )
    ok = invoke("validate", str(tmp_path / "t.yaml"))
    assert ok.exit_code == 0, ok.output
    graph = invoke("graph", f"{tmp_path / 't.yaml'}#Checkout", "--sub", "NotifyTopicArn=x")
    assert graph.exit_code == 0, graph.output
    assert "s_Notify" in graph.stdout


def test_validate_lists_each_machine_of_a_template_with_its_line() -> None:
    result = invoke("validate", str(FIXTURES / "cfn-multi.yaml"), "--format", "json")
    assert result.exit_code == 1
    assert "UNRESOLVED_PLACEHOLDER" in result.stdout
    text = invoke("validate", str(FIXTURES / "cfn-multi.yaml"))
    assert "cfn-multi.yaml#Checkout:44:43: error UNRESOLVED_PLACEHOLDER" in text.stdout


@pytest.mark.parametrize(
    "target",
    [
        "sam-stock-trader/template.yaml",
        "cdk-orders/cdk.out",
        "cdk-orders/cdk.out#OrderFlow",
        "cdk-orders/cdk.out/OrderStack.template.json#Cleanup",
    ],
)
def test_real_sam_and_cdk_output_validates(target: str) -> None:
    result = invoke("validate", str(FIXTURES / target))
    assert result.exit_code == 0, result.output


def test_a_missing_machine_or_file_is_a_usage_error() -> None:
    assert invoke("run", str(FIXTURES / "nope.yaml")).exit_code == 2
    several = invoke("run", str(FIXTURES / "cfn-multi.yaml"))
    assert several.exit_code == 2
    assert "pick one as" in several.stderr


def _watch(args: list[str], folder: Path, change: Any, expect: str) -> str:
    """Run `asl ARGS --watch`, wait for its first run, make a change, wait for the re-run, stop it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", *args, "--watch"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = ""
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        changed = False
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            seen += line
            if "watching for changes" in line and not changed:
                time.sleep(0.3)  # let the watcher settle before saving
                change()
                changed = True
            elif changed and expect in seen and "watching for changes" in line:
                return seen
        raise AssertionError(f"no re-run within 30 s; output so far:\n{seen}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_validate_watch_reruns_on_save(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text("StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n")
    output = _watch(
        ["validate", str(path)],
        tmp_path,
        lambda: path.write_text("StartAt: A\nStates:\n  A: {Type: Pass, Next: Gone}\n"),
        "MISSING_TRANSITION_TARGET",
    )
    assert "1 file valid" in output
    assert "changed: flow.yaml" in output


def test_run_watch_reruns_on_save(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}}))
    output = _watch(
        ["run", str(path), "--output", "json"],
        tmp_path,
        lambda: path.write_text(
            json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 2, "End": True}}})
        ),
        "\n2\n",
    )
    assert output.startswith("1\n")


#: Nine levels of nine aliases each: 387 million values once expanded.
BOMB = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)
)


def test_the_cli_reports_yaml_bombs_and_cycles_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(
        BOMB + "StartAt: P\nStates:\n  P: {Type: Pass, Result: *l8, End: true}\n"
    )
    (tmp_path / "rec.yaml").write_text("StartAt: P\nStates:\n  P: &p\n    Type: Pass\n    Result: *p\n")
    for command in ("validate", "run", "graph"):
        for name in ("bomb.yaml", "rec.yaml"):
            result = CliRunner().invoke(cli, [command, str(tmp_path / name)])
            assert result.exit_code in (1, 2), (command, name, result.output)
            assert "Traceback" not in result.output
            assert "please report" not in result.output
            assert "aliases expand" in result.output.lower() or "inside its own anchor" in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{\n "StartAt": "A",\n "States": {"A": {"Type": "Pass", "Next": "Nope"}}\n}\n',
            ":3:35: error MISSING_TRANSITION_TARGET",
        ),
        ('{\n "StartAt": "A",\n ', ":3:2: error UNREADABLE_FILE Malformed JSON"),
    ],
    ids=["invalid-definition", "malformed-json"],
)
def test_validate_places_problems_of_a_definition_uri_file_in_that_file(
    tmp_path: Path, content: str, expected: str
) -> None:
    """Lines and columns of the file DefinitionUri names are reported against it, not the template."""
    (tmp_path / "flow.json").write_text(content)
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  F:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: flow.json\n"
    )
    result = CliRunner().invoke(cli, ["validate", str(template)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'flow.json'}{expected}" in result.output
