"""`asl graph`: formats, --out, --execution highlighting, SVG via Graphviz, exit codes, no tracebacks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl import StateMachine, TaskFailed, TaskRegistry
from cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "samples" / "hello" / "workflow.json"
SDK = "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminGetUser"

GUARDED: dict[str, Any] = {
    "StartAt": "Charge card",
    "States": {
        "Charge card": {
            "Type": "Task",
            "Resource": SDK,
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": 'Tell "support"'}],
            "Next": "Done",
        },
        'Tell "support"': {"Type": "Pass", "Next": "Gave up"},
        "Gave up": {"Type": "Fail", "Error": "Declined"},
        "Done": {"Type": "Succeed"},
    },
}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["graph", *args])


def write(tmp_path: Path, content: Any, name: str) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def guarded_history(tmp_path: Path, fail: bool) -> str:
    async def charge(payload: Any, ctx: Any) -> Any:
        if fail:
            raise TaskFailed("Card.Declined", "no funds")
        return {}

    registry = TaskRegistry()
    registry.register(SDK, charge)
    result = StateMachine(GUARDED, registry=registry).run_sync({})
    assert result.status == ("FAILED" if fail else "SUCCEEDED")
    return write(tmp_path, {"events": result.history}, "history.json")


def test_mermaid_is_the_default() -> None:
    result = invoke(str(HELLO))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    assert "    n_start --> s_Greet" in lines
    assert '    s_PickPlan -->|"$.welcome.age #lt; 18"| s_Junior' in lines
    assert '    s_PickPlan -->|"Default"| s_Standard' in lines
    assert "    s_Confirm --> n_end" in lines


def test_dot_format() -> None:
    result = invoke(str(HELLO), "--format", "dot")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("digraph state_machine {")
    assert 's_PickPlan -> s_Standard [label="Default"];' in result.stdout


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_out_writes_a_file_and_nothing_on_stdout(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "diagram" / f"wf.{fmt}"
    result = invoke(str(HELLO), "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == invoke(str(HELLO), "--format", fmt).stdout


def test_execution_success_highlights_the_path(tmp_path: Path) -> None:
    wf = write(tmp_path, GUARDED, "wf.json")
    result = invoke(wf, "--execution", guarded_history(tmp_path, fail=False))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    edges = [line.strip() for line in lines if "-->" in line or "-.->" in line]
    taken = {
        edges.index("n_start --> s_Charge_card"),
        edges.index("s_Charge_card --> s_Done"),
        edges.index("s_Done --> n_end"),
    }
    assert f"    linkStyle {','.join(map(str, sorted(taken)))} stroke:#1b7f3b,stroke-width:3px" in lines
    assert "    class n_start,s_Charge_card,s_Done,n_end visited" in lines
    assert not any(line.endswith(" failed") and "class " in line for line in lines)


def test_execution_caught_failure_marks_failed_states(tmp_path: Path) -> None:
    wf = write(tmp_path, GUARDED, "wf.json")
    result = invoke(wf, "--execution", guarded_history(tmp_path, fail=True), "--format", "dot")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert (
        's_Tell__support_ [label="Tell \\"support\\"", shape=box, fillcolor="#d1f0d8", color="#1b7f3b", penwidth=2, style="rounded,filled"];'
        in out
    )
    assert (
        's_Charge_card [label="Charge card", shape=box, fillcolor="#f8d7da", color="#c62828", penwidth=3, style="filled"];'
        in out
    )
    assert (
        's_Gave_up [label="Gave up", shape=octagon, fillcolor="#f8d7da", color="#c62828", penwidth=3, style="filled"];'
        in out
    )
    assert (
        's_Charge_card -> s_Tell__support_ [label="States.ALL", style=dashed, color="#1b7f3b", penwidth=3];'
        in out
    )
    assert "s_Charge_card -> s_Done;" in out
    assert 's_Done [label="Done", shape=oval];' in out


def test_aws_cli_pages_are_accepted(tmp_path: Path) -> None:
    wf = write(tmp_path, GUARDED, "wf.json")
    events = json.loads(Path(guarded_history(tmp_path, fail=True)).read_text())["events"]
    pages = write(tmp_path, [{"events": events[:3], "nextToken": "x"}, {"events": events[3:]}], "pages.json")
    single = invoke(wf, "--execution", str(tmp_path / "history.json")).stdout
    assert invoke(wf, "--execution", pages).stdout == single


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"events": [\n  {"type": "PassStateEntered",}\n]}', "not valid JSON: Expecting property name"),
        ("[1, 2]", "an execution history must be"),
        ('{"events": [{"id": 1}]}', "history event 1 is not an object with a 'type'"),
        (
            '{"events": [{"id": 1, "type": "PassStateEntered", "stateEnteredEventDetails": {"name": "Nope"}}]}',
            "'Nope', which is not in this definition",
        ),
    ],
)
def test_bad_history_exits_2_without_traceback(tmp_path: Path, content: str, message: str) -> None:
    history = write(tmp_path, content, "bad.json")
    result = invoke(str(HELLO), "--execution", history)
    assert result.exit_code == 2
    assert message in result.stderr
    assert history in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_malformed_history_names_line_and_column(tmp_path: Path) -> None:
    history = write(tmp_path, '{"events": [\n  {"type": "PassStateEntered",}\n]}', "bad.json")
    result = invoke(str(HELLO), "--execution", history)
    assert "at line 2, column 31" in result.stderr


def test_missing_history_file(tmp_path: Path) -> None:
    result = invoke(str(HELLO), "--execution", str(tmp_path / "none.json"))
    assert result.exit_code == 2
    assert "cannot read the execution history" in result.stderr


def test_bad_definition_exits_2_with_line_and_column(tmp_path: Path) -> None:
    wf = write(
        tmp_path, '{\n  "StartAt": "A",\n  "States": {"A": {"Type": "Pass", "Next": "B"}}\n}', "wf.json"
    )
    result = invoke(wf)
    assert result.exit_code == 2
    assert "'B' is not a state in this definition" in result.stderr
    assert "line 3" in result.stderr
    malformed = write(tmp_path, '{"StartAt": "A",,}', "broken.json")
    result = invoke(malformed)
    assert result.exit_code == 2
    assert "line 1, column 17" in result.stderr
    assert "Traceback" not in result.output


def test_missing_definition_file(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "nope.json: no such file" in result.stderr


def test_svg_without_graphviz_exits_2_with_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cli.graph.shutil.which", lambda name: None)
    result = invoke(str(HELLO), "--format", "svg")
    assert result.exit_code == 2
    assert "Install Graphviz" in result.stderr
    assert "--format dot or --format mermaid" in result.stderr
    assert result.stdout == ""


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_svg_with_graphviz(tmp_path: Path) -> None:
    result = invoke(str(HELLO), "--format", "svg")
    assert result.exit_code == 0, result.output
    assert "<svg" in result.stdout
    assert ">PickPlan</text>" in result.stdout
    out = tmp_path / "wf.svg"
    result = invoke(str(HELLO), "--format", "svg", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text(encoding="utf-8")


def test_listed_in_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "graph" in result.stdout
