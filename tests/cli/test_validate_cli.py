"""`asl validate`: exit codes, globs, every output format, and no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli

GOOD = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
BAD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Nxet": "B", "End": True}}}
WARN = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x.$": "$"}, "End": True}}}


def invoke(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, ["validate", *args], input=input)


def write(tmp_path: Path, name: str, definition: Any) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        definition if isinstance(definition, str) else json.dumps(definition, indent=2), encoding="utf-8"
    )
    return str(path)


def test_valid_file_exits_0(tmp_path: Path) -> None:
    result = invoke(write(tmp_path, "ok.json", GOOD))
    assert result.exit_code == 0, result.output
    assert "1 file valid" in result.output


def test_invalid_file_exits_1_and_shows_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", BAD)
    result = invoke(path)
    assert result.exit_code == 1
    assert f"{path}:6:7: error SCHEMA_VALIDATION_FAILED Unknown field 'Nxet'" in result.output
    assert '"Nxet": "B",' in result.output
    assert "^" in result.output


def test_many_files_fail_if_any_fails(tmp_path: Path) -> None:
    result = invoke(write(tmp_path, "ok.json", GOOD), write(tmp_path, "bad.json", BAD))
    assert result.exit_code == 1
    assert "1 of 2 files failed validation" in result.output


def test_glob_is_expanded(tmp_path: Path) -> None:
    write(tmp_path, "flows/a.asl.json", GOOD)
    write(tmp_path, "flows/nested/b.asl.json", GOOD)
    write(tmp_path, "flows/notes.txt", "not json")
    result = invoke(str(tmp_path / "flows" / "**" / "*.asl.json"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(Path(r["file"]).name for r in json.loads(result.stdout)) == ["a.asl.json", "b.asl.json"]


def test_file_name_with_glob_characters(tmp_path: Path) -> None:
    result = invoke(write(tmp_path, "flow[1].json", GOOD))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.json"], "does not exist"),
        (["nothing/*.json"], "no files match"),
        (["."], "is a directory"),
    ],
)
def test_usage_problems_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_no_arguments_is_a_usage_error() -> None:
    assert invoke().exit_code == 2


@pytest.mark.parametrize("content", ["", "{", '{"StartAt": 1,}', "\x00\x01"])
def test_malformed_files_are_diagnostics_not_crashes(tmp_path: Path, content: str) -> None:
    result = invoke(write(tmp_path, "broken.json", content))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_unreadable_bytes_are_a_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"Comment": "caf\xe9"}')
    result = invoke(str(path), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["diagnostics"][0]["code"] == "UNREADABLE_FILE"


def test_stdin(tmp_path: Path) -> None:
    result = invoke("-", "--format", "json", input=json.dumps(BAD))
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["file"] == "<stdin>"


def test_json_format(tmp_path: Path) -> None:
    result = invoke(write(tmp_path, "bad.json", BAD), "--format", "json")
    assert result.exit_code == 1
    [report] = json.loads(result.stdout)
    assert report["result"] == "FAIL"
    assert report["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert report["diagnostics"][0]["location"] == "/States/A"  # AWS places an unsupported field at its state
    assert report["diagnostics"][0]["pointer"] == "/States/A/Nxet"


def test_github_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "wf/bad.json", BAD)
    result = invoke("wf/bad.json", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        "::error file=wf/bad.json,line=6,col=7,title=SCHEMA_VALIDATION_FAILED::Unknown field 'Nxet'"
    )


def test_sarif_format(tmp_path: Path) -> None:
    result = invoke(write(tmp_path, "bad.json", BAD), "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    assert log["runs"][0]["results"][0]["ruleId"] == "SCHEMA_VALIDATION_FAILED"


def test_text_format_is_the_default_and_explicit(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", BAD)
    assert invoke(path).output == invoke(path, "--format", "text").output


def test_warnings_fail_only_with_severity_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "warn.json", WARN)
    assert invoke(path).exit_code == 0
    assert invoke(path, "--severity", "WARNING").exit_code == 1
    assert invoke(path, "--severity", "warning", "--format", "json").exit_code == 1
    assert json.loads(invoke(path, "--severity", "WARNING", "--format", "json").stdout)[0]["result"] == "FAIL"


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    assert invoke(write(tmp_path, "ok.json", GOOD), "--format", "xml").exit_code == 2


def test_help_lists_exit_codes() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Exit codes" in result.output


def test_local_warns_about_resources_nothing_serves_locally(tmp_path: Path) -> None:
    flow = tmp_path / "flow.json"
    flow.write_text(
        json.dumps(
            {
                "StartAt": "Greet",
                "States": {
                    "Greet": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet",
                        "Next": "Charge",
                    },
                    "Charge": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": "charge"},
                        "Next": "Ship",
                    },
                    "Ship": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage",
                        "Parameters": {"QueueUrl": "q", "MessageBody": "m"},
                        "End": True,
                    },
                },
            }
        )
    )
    (tmp_path / "local_validate_handlers.py").write_text("def greet(event, context):\n    return event\n")
    (tmp_path / "mocks.json").write_text(
        json.dumps(
            {
                "StateMachines": {"flow": {"TestCases": {"T": {"Charge": "Ok"}}}},
                "MockedResponses": {"Ok": {"0": {"Return": {}}}},
            }
        )
    )
    (tmp_path / "asl.toml").write_text(
        'mock_config = "mocks.json"\n[handlers]\n"greet" = "local_validate_handlers:greet"\n'
    )
    plain = CliRunner().invoke(cli, ["validate", str(flow), "--format", "json"])
    assert "NO_LOCAL_HANDLER" not in plain.output
    local = CliRunner().invoke(cli, ["validate", str(flow), "--local", "--format", "json"])
    assert local.exit_code == 0, local.output
    warned = [
        d for r in json.loads(local.output) for d in r["diagnostics"] if d["code"] == "NO_LOCAL_HANDLER"
    ]
    assert [d["location"] for d in warned] == ["/States/Ship/Resource"]
    assert "sqs:sendMessage" in warned[0]["message"]


def test_local_with_a_broken_config_exits_2(tmp_path: Path) -> None:
    flow = tmp_path / "flow.json"
    flow.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    (tmp_path / "asl.toml").write_text("regoin = 'x'\n")
    result = CliRunner().invoke(cli, ["validate", str(flow), "--local"])
    assert result.exit_code == 2
    assert "unknown key 'regoin'" in result.output


def _sized(size: int) -> dict[str, Any]:
    """A valid definition whose compact JSON is exactly `size` bytes."""
    definition: dict[str, Any] = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Comment": "", "End": True}},
    }
    base = len(json.dumps(definition, separators=(",", ":")))
    definition["States"]["P"]["Comment"] = "x" * (size - base)
    return definition


def _write_sized(tmp_path: Path, kind: str, size: int) -> Path:
    definition = _sized(size)
    if kind == "json":
        path = tmp_path / "flow.json"
        path.write_text(json.dumps(definition, separators=(",", ":")))
    elif kind == "yaml":
        path = tmp_path / "flow.yaml"
        path.write_text(json.dumps(definition))  # JSON is YAML; measured as compact JSON
    else:
        path = tmp_path / "template.json"
        machine = {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": definition}}
        path.write_text(json.dumps({"Resources": {"Flow": machine}}))
    return path


@pytest.mark.parametrize("kind", ["json", "yaml", "template"])
def test_a_definition_past_aws_size_limit_is_refused_by_validate_and_run_alike(
    tmp_path: Path, kind: str
) -> None:
    """CreateStateMachine's `definition` is at most 1,048,576 (botocore's stepfunctions model, Definition
    shape `max`); AWS answers ValidationException past it, and `asl serve` does the same."""
    path = _write_sized(tmp_path, kind, 1_048_577)
    checked = invoke(str(path))
    assert checked.exit_code == 1
    assert "DEFINITION_TOO_LARGE" in checked.output
    assert "1,048,577 bytes" in checked.output
    ran = CliRunner().invoke(cli, ["run", str(path)])
    assert ran.exit_code == 2
    assert "1,048,577 bytes" in ran.output
    assert "less than or equal to 1048576" in ran.output
    path = _write_sized(tmp_path, kind, 1_048_576)
    assert invoke(str(path)).exit_code == 0
    assert CliRunner().invoke(cli, ["run", str(path)]).exit_code == 0


def test_whitespace_counts_in_a_json_file_as_aws_cli_sends_the_file(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(_sized(1_000_000)) + " " * 60_000)
    assert "DEFINITION_TOO_LARGE" in invoke(str(path)).output
