"""`asl run` on what users get wrong: a clear message and exit code instead of a traceback, and output that
tells the truth (final states, retries, Ctrl-C, handler prints kept off stdout)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def invoke(*args: str, input: str | bytes | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input)


def write(tmp_path: Path, value: Any, name: str = "wf.json") -> str:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return str(path)


def handlers(tmp_path: Path, source: str) -> str:
    """A module of handler functions under a name no other test uses; returns the module name."""
    name = f"handlers_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(source)
    (tmp_path / "asl.toml").write_text("")
    return name


def no_traceback(result: Any) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("how", "fragment"),
    [("file", "is not UTF-8 text (byte 7 is 0xff)"), ("stdin", "stdin is not UTF-8 text (byte 0 is 0xff)")],
)
def test_input_that_is_not_utf8_is_a_usage_error(tmp_path: Path, how: str, fragment: str) -> None:
    data = b'{"a": "\xff\xfe"}' if how == "file" else b"\xff\xfe{}"
    (tmp_path / "in.json").write_bytes(data)
    wf = write(tmp_path, PASS)
    if how == "file":
        result = invoke("run", wf, "--input", f"file://{tmp_path / 'in.json'}")
    else:
        result = invoke("run", wf, "--input", "-", input=data)
    assert result.exit_code == 2
    assert fragment in result.stderr
    no_traceback(result)


def test_a_file_name_given_as_input_suggests_file_uri(tmp_path: Path) -> None:
    write(tmp_path, {"a": 1}, "in.json")
    wf = write(tmp_path, PASS)
    result = invoke("run", wf, "--input", str(tmp_path / "in.json"))
    assert result.exit_code == 2
    assert f"write --input file://{tmp_path / 'in.json'}" in result.stderr


@pytest.mark.parametrize("option", ["--history", "--users"])
def test_an_unwritable_path_is_refused_before_running(tmp_path: Path, option: str) -> None:
    (tmp_path / "run.json").write_text("{}")
    wf = write(tmp_path, PASS)
    result = invoke("run", wf, option, str(tmp_path / "run.json" / "out.json"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'run.json'} is a file, not a folder" in result.stderr
    assert result.stdout == ""
    no_traceback(result)


def test_when_the_history_cannot_be_saved_the_output_is_still_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cli.run

    monkeypatch.setattr(cli.run, "write_problem", lambda path: None)  # it breaks after the check
    (tmp_path / "run.json").write_text("{}")
    wf = write(tmp_path, PASS)
    result = invoke(
        "run", wf, "--input", '{"kept": true}', "--history", str(tmp_path / "run.json" / "h.json")
    )
    assert json.loads(result.stdout) == {"kept": True}
    assert "the history was not saved: cannot write" in result.stderr
    assert result.exit_code == 2
    no_traceback(result)


def test_cognito_init_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text("{}")
    result = invoke("cognito", "init", "--users", str(tmp_path / "run.json" / "users.json"))
    assert result.exit_code == 2
    assert "is a file, not a folder" in result.stderr
    no_traceback(result)


def test_a_misspelled_command_gets_a_suggestion() -> None:
    result = invoke("runn", "wf.json")
    assert result.exit_code == 2
    assert "Did you mean 'run'?" in result.stderr


def one_task(tmp_path: Path, body: str) -> tuple[str, str]:
    """A one-Task workflow whose Lambda function `f` runs `body`; returns (workflow, --handler value)."""
    module = handlers(tmp_path, f"def f(event, context):\n{body}")
    lam = "arn:aws:lambda:us-east-1:123456789012:function:f"
    wf = write(tmp_path, {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": lam, "End": True}}})
    return wf, f"f={module}:f"


def test_a_handlers_print_goes_to_stderr_in_json_mode(tmp_path: Path) -> None:
    wf, handler = one_task(tmp_path, "    print('chatty handler')\n    return {'ok': 1}\n")
    result = invoke("run", wf, "--handler", handler, "--output", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"ok": 1}
    assert "chatty handler" in result.stderr


def test_ctrl_c_prints_no_null_fields(tmp_path: Path) -> None:
    wf, handler = one_task(tmp_path, "    raise KeyboardInterrupt\n")
    as_json = invoke("run", wf, "--handler", handler, "--output", "json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stderr) == {"status": "ABORTED"}
    as_text = invoke("run", wf, "--handler", handler, "--output", "text")
    assert "ABORTED" in as_text.stdout
    assert "None" not in as_text.stdout
    assert "aborted" in as_text.stdout


RETRY_CATCH = {
    "StartAt": "T",
    "States": {
        "T": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "P"}],
            "Next": "Done",
        },
        "P": {
            "Type": "Parallel",
            "Branches": [{"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E"}}}],
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
            "End": True,
        },
        "Done": {"Type": "Succeed"},
    },
}


def table_rows(stdout: str) -> dict[str, list[str]]:
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) == 5 and cells[0] in ("T", "P", "Boom"):
            rows[cells[0]] = cells[1:]
    return rows


def test_the_final_table_shows_how_each_state_ended_and_its_retries(tmp_path: Path) -> None:
    module = handlers(tmp_path, "def f(event, context):\n    raise RuntimeError('boom')\n")
    wf = write(tmp_path, RETRY_CATCH)
    result = invoke("run", wf, "--handler", f"f={module}:f", "--output", "text")
    assert result.exit_code == 1
    assert table_rows(result.stdout) == {
        "T": ["Task", "1", "2", "caught"],
        "P": ["Parallel", "1", "1", "failed"],
        "Boom": ["Fail", "2", "", "failed"],
    }
    assert "running" not in result.stdout
    assert result.stdout.count("states") == 1  # the final table is printed once


def test_map_progress_is_shown_as_done_over_total(tmp_path: Path) -> None:
    body = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    wf = write(
        tmp_path, {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": body, "End": True}}}
    )
    result = invoke("run", wf, "--input", json.dumps(list(range(1234))), "--output", "text")
    assert result.exit_code == 0, result.output
    assert "succeeded 1,234/1,234" in result.stdout


def test_no_table_is_printed_before_a_pre_run_error(tmp_path: Path) -> None:
    wf = write(tmp_path, {"StartAt": "Nowhere", "States": {"P": {"Type": "Pass", "End": True}}})
    result = invoke("run", wf, "--output", "text")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_durations_are_rounded(tmp_path: Path) -> None:
    wf = write(tmp_path, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 7384, "End": True}}})
    result = invoke("run", wf, "--output", "text")
    assert "2 h 03 min on the execution clock" in result.stdout
    assert " ms (" in result.stdout


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.0004, "0.40 ms"), (0.25, "250 ms"), (2.12557, "2.13 s"), (125, "2 min 05 s"), (7384, "2 h 03 min")],
)
def test_duration_format(seconds: float, shown: str) -> None:
    from cli.view import duration

    assert duration(seconds) == shown


def test_the_payload_limit_error_names_the_option(tmp_path: Path) -> None:
    wf = write(
        tmp_path, {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "x" * 300, "End": True}}}
    )
    result = invoke("run", wf, "--payload-limit", "100")
    assert result.exit_code == 1
    assert "--payload-limit" in json.loads(result.stderr)["hint"]
    as_text = invoke("run", wf, "--payload-limit", "100", "--output", "text")
    assert "hint: the local limit is --payload-limit" in as_text.stdout


def test_the_history_limit_on_a_plain_loop_does_not_suggest_a_map(tmp_path: Path) -> None:
    loop = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Out"}],
                "Default": "A",
            },
            "Out": {"Type": "Succeed"},
        },
    }
    result = invoke("run", write(tmp_path, loop), "--history-limit", "50")
    assert result.exit_code == 1
    hint = json.loads(result.stderr)["hint"]
    assert "Distributed Map" not in hint
    assert "loop that never ends" in hint
    assert "--history-limit" in hint


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("StartAt: P\nStates:\n  P:\n    Type: Pass\n    End: true\n", "looks like YAML"),
        ('{\n  "StartAt": "P",\n  "States": {"P": {"Type": "Pass", "End": true}},\n}\n', "line 3, column"),
    ],
)
def test_definition_syntax_errors_say_what_and_where(tmp_path: Path, text: str, fragment: str) -> None:
    result = invoke("run", write(tmp_path, text))
    assert result.exit_code == 2
    assert fragment in result.stderr
    if "trailing" in text or "}," in text:
        assert "trailing comma" in result.stderr


def test_a_history_written_by_run_replays_without_diverging_on_the_execution_name(tmp_path: Path) -> None:
    context = {"id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name"}
    wf = write(
        tmp_path, {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": context, "End": True}}}
    )
    history = tmp_path / "h.json"
    assert invoke("run", wf, "--history", str(history)).exit_code == 0
    result = invoke("replay", str(history), "--definition", wf)
    assert result.exit_code == 0, result.output
    assert "matched" in result.stdout
    document = json.loads(history.read_text())
    del document["executionArn"]  # an AWS history says no name: the replay says how to give it
    history.write_text(json.dumps(document))
    result = invoke("replay", str(history), "--definition", wf)
    assert result.exit_code == 1
    assert "--name" in result.stdout


def test_severity_help_shows_choices_and_default_alike() -> None:
    result = invoke("validate", "--help")
    assert "[error|warning]" in result.stdout
    assert "[default: error]" in " ".join(result.stdout.split())
