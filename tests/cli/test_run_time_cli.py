"""`asl run --seed/--start-time`: the virtual clock makes a run reproducible, event for event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli.main import cli

#: Concurrent waits and jittered retries: what varies between runs unless seed, start and name are fixed.
WORKFLOW = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 30, "End": True}}},
                {
                    "StartAt": "Flaky",
                    "States": {
                        "Flaky": {
                            "Type": "Fail",
                            "Error": "Busy",
                        },
                    },
                },
            ],
            "Retry": [
                {"ErrorEquals": ["Busy"], "MaxAttempts": 3, "JitterStrategy": "FULL", "IntervalSeconds": 5}
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": True},
    },
}


def run(tmp_path: Path, *options: str) -> tuple[Any, dict[str, Any]]:
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps(WORKFLOW))
    history = tmp_path / f"history-{len(list(tmp_path.iterdir()))}.json"
    result = CliRunner().invoke(
        cli, ["run", str(workflow), "--output", "json", "--history", str(history), *options]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), json.loads(history.read_text())


def test_seed_start_time_and_name_make_a_run_repeatable(tmp_path: Path) -> None:
    fixed = ("--seed", "4", "--start-time", "2024-01-01T00:00:00Z", "--name", "again")
    first_output, first = run(tmp_path, *fixed)
    second_output, second = run(tmp_path, *fixed)
    assert first == second
    assert first_output == second_output
    # The failing branch ends each attempt at once; jittered backoff moved the clock by less than 3 x 20 s.
    assert first_output["at"].startswith("2024-01-01T00:0")
    other_output, _ = run(tmp_path, "--seed", "5", "--start-time", "2024-01-01T00:00:00Z", "--name", "again")
    assert other_output != first_output  # another seed, other backoff delays


def test_start_time_must_be_a_timestamp_and_virtual(tmp_path: Path) -> None:
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps(WORKFLOW))
    bad = CliRunner().invoke(cli, ["run", str(workflow), "--start-time", "yesterday"])
    assert bad.exit_code == 2
    assert "ISO 8601" in bad.output
    late = CliRunner().invoke(cli, ["run", str(workflow), "--start-time", "9999-12-31T00:00:00Z"])
    assert late.exit_code == 2
    assert "from 1970 to 9998" in late.output
    real = CliRunner().invoke(
        cli, ["run", str(workflow), "--start-time", "2024-01-01T00:00:00Z", "--real-time"]
    )
    assert real.exit_code == 2
    assert "--real-time" in real.output
