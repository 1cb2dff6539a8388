"""`asl run`: inputs, output modes, history file, exit codes, and no tracebacks on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "samples" / "hello" / "workflow.json"


def invoke(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, ["run", *args], input=input)


def write(tmp_path: Path, definition: Any, name: str = "wf.json") -> str:
    path = tmp_path / name
    path.write_text(definition if isinstance(definition, str) else json.dumps(definition))
    return str(path)


def test_sample_runs_and_prints_output_json() -> None:
    result = invoke(str(HELLO), "--input", file_uri(HELLO.parent / "input.json"))
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["message"] == "Hello, Ada!"
    assert output["plan"] == "founder"


def file_uri(path: Path) -> str:
    return f"file://{path}"


@pytest.mark.parametrize("how", ["inline", "file", "stdin"])
def test_input_forms(tmp_path: Path, how: str) -> None:
    data = '{"name": "Bo", "age": 12}'
    if how == "inline":
        result = invoke(str(HELLO), "--input", data)
    elif how == "file":
        result = invoke(str(HELLO), "--input", file_uri(Path(write(tmp_path, data, "in.json"))))
    else:
        result = invoke(str(HELLO), "--input", "-", input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["plan"] == "junior"


def test_no_input_means_empty_object(tmp_path: Path) -> None:
    wf = write(tmp_path, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    result = invoke(wf)
    assert (result.exit_code, json.loads(result.stdout)) == (0, {})


def test_failed_execution_exits_1_with_error_on_stderr(tmp_path: Path) -> None:
    wf = write(
        tmp_path, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "because"}}}
    )
    result = invoke(wf)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(result.stderr) == {
        "status": "FAILED",
        "error": "Oops",
        "cause": "because",
        "state": "F",
    }


def test_text_output_shows_summary(tmp_path: Path) -> None:
    wf = write(
        tmp_path, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "because"}}}
    )
    result = invoke(wf, "--output", "text")
    assert result.exit_code == 1
    for fragment in ("FAILED", "1 transitions", "state: F", "error: Oops", "cause: because"):
        assert fragment in result.stdout


def test_timed_out_exits_1(tmp_path: Path) -> None:
    wf = write(
        tmp_path,
        {"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}},
    )
    result = invoke(wf)
    assert result.exit_code == 1
    assert json.loads(result.stderr)["status"] == "TIMED_OUT"


def test_history_file_is_aws_shaped(tmp_path: Path) -> None:
    history = tmp_path / "out" / "history.json"
    result = invoke(str(HELLO), "--input", '{"name": "Ada", "age": 3}', "--history", str(history))
    assert result.exit_code == 0
    events = json.loads(history.read_text())["events"]
    assert events[0]["type"] == "ExecutionStarted"
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert {"timestamp", "type", "id", "previousEventId"} <= set(events[1])
    assert not list(history.parent.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("content", "args", "fragment"),
    [
        ('{"StartAt": "A",\n "States": }', (), "line 2"),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}, (), "/States/A/Next"),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            ("--input", "{bad"),
            "not valid JSON",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            ("--input", "file:///does/not/exist"),
            "cannot read",
        ),
        (
            {
                "StartAt": "A",
                "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}},
            },
            ("--strict-resources",),
            "no local handler",
        ),
    ],
)
def test_user_errors_exit_2_without_traceback(
    tmp_path: Path, content: Any, args: tuple[str, ...], fragment: str
) -> None:
    result = invoke(write(tmp_path, content), *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_payload_limit_option(tmp_path: Path) -> None:
    wf = write(tmp_path, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    big = json.dumps({"x": "y" * 2000})
    assert invoke(wf, "--input", big, "--payload-limit", "1000").exit_code == 2
    assert invoke(wf, "--input", big, "--payload-limit", "0").exit_code == 0


def test_help_documents_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert result.exit_code == 0
    assert "Exit codes" in result.output


def test_ctrl_c_aborts_and_still_writes_history(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    # A first state tells the test the run is under way (start-up takes seconds on a loaded machine).
    started = tmp_path / "started"
    (tmp_path / "ctrl_c_marker.py").write_text(
        f"def mark(event, context):\n    open({str(started)!r}, 'w').close()\n    return event\n"
    )
    mark = "arn:aws:lambda:us-east-1:123456789012:function:mark"
    wf = write(
        tmp_path,
        {
            "StartAt": "Mark",
            "States": {
                "Mark": {"Type": "Task", "Resource": mark, "Next": "W"},
                "W": {"Type": "Wait", "Seconds": 60, "End": True},
            },
        },
    )
    history = tmp_path / "h.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli.main import main; main()",
            "run",
            wf,
            "--real-time",
            "--handler",
            "mark=ctrl_c_marker:mark",
            "--history",
            str(history),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # into the Wait
    proc.send_signal(signal.SIGINT)
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.returncode == 1, proc.stderr.read() if proc.stderr else ""
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    types = [e["type"] for e in json.loads(history.read_text())["events"]]
    assert types[-3:] == ["WaitStateEntered", "WaitStateAborted", "ExecutionAborted"]


def test_help_keeps_examples_on_their_own_lines() -> None:
    result = CliRunner().invoke(cli, ["run", "--help"])
    lines = result.output.splitlines()
    assert '    asl run samples/hello/workflow.json --input \'{"name": "Ada", "age": 36}\'' in [
        line.rstrip() for line in lines
    ]
    assert "\\b" not in result.output


def test_history_limit_option(tmp_path: Path) -> None:
    loop = {
        "Loop": {"Type": "Pass", "Next": "Again"},
        "Again": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.stop", "IsPresent": False, "Next": "Loop"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    }
    wf = write(tmp_path, {"StartAt": "Loop", "States": loop})
    result = invoke(wf, "--history-limit", "50")
    assert result.exit_code == 1
    failure = json.loads(result.stderr)
    assert failure["error"] == "States.Runtime"
    assert failure["cause"] == "The execution reached the maximum number of history events (50)."
