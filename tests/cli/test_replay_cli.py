"""`asl replay`: sample cases and AWS histories from the command line; exit codes and formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from asl import TaskFailed
from asl.testing import run
from cli.main import cli

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

FLOW = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Note"}],
            "Next": "Note",
        },
        "Note": {"Type": "Pass", "Result": "done", "ResultPath": "$.note", "End": True},
    },
}


def replay(*args: str) -> Result:
    return CliRunner().invoke(cli, ["replay", *args])


def copy_sample(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(SAMPLES / name, tmp_path / name))


def test_both_samples_replay() -> None:
    result = replay(str(SAMPLES / "hello"), str(SAMPLES / "order-approval"))
    assert result.exit_code == 0, result.output
    assert result.output.count("MATCHED") == 5
    assert "5 matched" in result.output


def test_a_quoted_glob_finds_the_samples_with_executions() -> None:
    result = replay(str(SAMPLES / "*"), "--format", "json")
    assert result.exit_code == 0, result.output
    cases = {Path(r["case"]).stem for r in json.loads(result.output)}
    assert {"founder", "junior", "Approved", "Rejected", "ProcessorBusyThenOk"} <= cases


def test_a_divergence_names_the_state_field_and_values(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path, "hello")
    workflow = json.loads((folder / "workflow.json").read_text())
    workflow["States"]["Founder"]["Result"] = "pioneer"
    (folder / "workflow.json").write_text(json.dumps(workflow))
    result = replay(str(folder))
    assert result.exit_code == 1
    assert "DIVERGED" in result.output
    assert "state 'Founder' (visit 1), output at $.plan" in result.output
    assert 'expected: "founder"' in result.output
    assert 'got:      "pioneer"' in result.output

    result = replay(str(folder), "--format", "json")
    assert result.exit_code == 1
    founder, junior = json.loads(result.output)
    assert junior["status"] == "matched"
    assert founder["status"] == "diverged"
    assert {k: founder["divergence"][k] for k in ("state", "field", "expected", "got")} == {
        "state": "Founder",
        "field": "output",
        "expected": "founder",
        "got": "pioneer",
    }

    result = replay(str(folder), "--update")
    assert result.exit_code == 0, result.output
    assert "UPDATED" in result.output
    assert replay(str(folder)).exit_code == 0


def test_the_definition_option_replaces_the_samples_workflow(tmp_path: Path) -> None:
    workflow = json.loads((SAMPLES / "order-approval" / "workflow.json").read_text())
    workflow["States"]["ChargeCard"]["Retry"][0]["MaxAttempts"] = 1
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(workflow))
    result = replay(
        str(SAMPLES / "order-approval" / "executions" / "ProcessorBusyThenOk.json"),
        "--definition",
        str(changed),
    )
    assert result.exit_code == 1
    assert "state 'ChargeCard' (visit 1), retries" in result.output


def _history(tmp_path: Path, **extra: Any) -> tuple[Path, Path]:
    calls: list[int] = []

    def call(payload: Any, ctx: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise TaskFailed("Busy", "once")
        raise TaskFailed("Broken", "for good")

    result = run(FLOW, {"id": 7}, handlers={"arn:aws:states:::lambda:invoke": call})
    assert result.output["error"]["Error"] == "Broken"
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"events": result.history}))
    definition = tmp_path / "flow.json"
    definition.write_text(json.dumps({**FLOW, **extra}))
    return history, definition


def test_an_aws_history_replays_against_a_definition(tmp_path: Path) -> None:
    history, definition = _history(tmp_path)
    result = replay(str(history), "--definition", str(definition))
    assert result.exit_code == 0, result.output
    assert "MATCHED" in result.output


def test_an_aws_history_diverges_in_json(tmp_path: Path) -> None:
    changed = json.loads(json.dumps(FLOW))
    changed["States"]["Note"]["Result"] = "finished"
    history, definition = _history(tmp_path, States=changed["States"])
    result = replay(str(history), "--definition", str(definition), "--format", "json")
    assert result.exit_code == 1
    [report] = json.loads(result.output)
    assert report["status"] == "diverged"
    assert report["divergence"]["state"] == "Note"
    assert (report["divergence"]["field"], report["divergence"]["at"]) == ("output", "$.note")


def test_a_history_without_a_definition_is_a_usage_error(tmp_path: Path) -> None:
    history, _ = _history(tmp_path)
    result = replay(str(history))
    assert result.exit_code == 2
    assert "--definition" in result.output
    result = replay(str(history), "--definition", str(tmp_path / "flow.json"), "--update")
    assert result.exit_code == 2
    assert "not AWS histories" in result.output


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"events": [\n  {"id": 1,}\n]}', "invalid JSON at line 2, column 11: trailing comma"),
        ('{"input": {}, "expect": {"status": "SUCCEEDED"}}\n{', "invalid JSON at line 2, column 2"),
        ('{"input": ', "invalid JSON at line 1, column 11"),
    ],
)
def test_malformed_files_exit_2_without_a_traceback(tmp_path: Path, content: str, fragment: str) -> None:
    folder = copy_sample(tmp_path, "hello")
    bad = folder / "executions" / "bad.json"
    bad.write_text(content)
    result = replay(str(bad), "--definition", str(folder / "workflow.json"))
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_paths_exit_2(tmp_path: Path) -> None:
    result = replay(str(tmp_path / "nope"), "--format", "json")
    assert result.exit_code == 2
    [report] = json.loads(result.output)
    assert report["status"] == "error"
    assert "no such file or folder" in report["message"]
    result = replay(str(SAMPLES / "hello"), "--definition", str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert "no such file" in result.output
