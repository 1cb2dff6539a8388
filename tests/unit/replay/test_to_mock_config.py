"""`asl replay HISTORY --to-mock-config OUT`: a recorded execution becomes a MockConfigFile test case."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from replay_workflow import write

from asl.replay.steps import Answer
from asl.replay.tomock import responses
from asl.testing import RunResult, load, run
from cli.main import cli


def test_identical_answers_collapse_into_ranges() -> None:
    answers = (
        [Answer(False, error="Busy", cause="x")] * 2
        + [Answer(True, {"ok": 1})] * 3
        + [Answer(False, timed_out=True)]
    )
    assert responses(answers) == {
        "0-1": {"Throw": {"Error": "Busy", "Cause": "x"}},
        "2-4": {"Return": {"ok": 1}},
        "5": {"Throw": {"Error": "States.Timeout", "Cause": ""}},
    }


def test_a_recorded_history_becomes_a_test_case_that_reproduces_it(
    recorded: RunResult, definition_file: Path, tmp_path: Path
) -> None:
    history = write(tmp_path / "history.json", json.dumps({"events": recorded.history}))
    out = tmp_path / "mocks.json"
    out.write_text(
        json.dumps({"StateMachines": {"other": {"TestCases": {"Keep": {}}}}, "MockedResponses": {}})
    )
    result = CliRunner().invoke(
        cli,
        [
            "replay",
            str(history),
            "--definition",
            str(definition_file),
            "--to-mock-config",
            str(out),
            "--test-case",
            "Prod",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "--mock-config" in result.stderr
    data = json.loads(out.read_text())
    name = definition_file.parent.name  # workflow.json is named after its folder, as `asl run` names it
    assert set(data["StateMachines"]) == {"other", name}  # added beside what was there
    case = data["StateMachines"][name]["TestCases"]["Prod"]
    assert set(case) == {"Fetch", "Charge", "Send"}
    fetch = data["MockedResponses"][case["Fetch"]]  # two Busy failures (retried), then the result
    assert [next(iter(answer)) for answer in fetch.values()] == ["Throw", "Throw", "Return"]
    assert fetch["0"]["Throw"]["Error"] == "Busy"
    again = run(
        load(definition_file, mock_config=out, test_case="Prod", config=False),
        json.loads(recorded.history[0]["executionStartedEventDetails"]["input"]),
        execution_name="prod-1",
    )
    assert again.path == recorded.path
    assert again.output == recorded.output


def test_the_machine_name_comes_from_the_history_without_a_definition(
    recorded: RunResult, tmp_path: Path
) -> None:
    events = json.loads(json.dumps(recorded.history))
    events[0]["executionStartedEventDetails"]["stateMachineVersionArn"] = (
        "arn:aws:states:us-east-1:123456789012:stateMachine:orders:3"
    )
    history = write(tmp_path / "history.json", json.dumps({"events": events}))
    out = tmp_path / "mocks.json"
    assert CliRunner().invoke(cli, ["replay", str(history), "--to-mock-config", str(out)]).exit_code == 0
    assert list(json.loads(out.read_text())["StateMachines"]["orders"]["TestCases"]) == ["Recorded"]
    bare = write(tmp_path / "bare.json", json.dumps({"events": recorded.history}))
    refused = CliRunner().invoke(cli, ["replay", str(bare), "--to-mock-config", str(out)])
    assert refused.exit_code == 2
    assert "give --definition" in refused.stderr
