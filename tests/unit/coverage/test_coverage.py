"""Workflow coverage: recorded from histories and the model, merged per definition, reported three ways."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl import StateMachine, TaskFailed, coverage
from asl.coverage.elements import elements
from asl.coverage.hits import hits
from asl.coverage.report import load, percent, render_html, render_json, total
from asl.testing import run
from cli.main import cli

ROOT = Path(__file__).resolve().parents[3]
ORDER = ROOT / "samples" / "order-approval" / "workflow.json"
ORDER_INPUT = {"orderId": "o-1", "lines": [{"sku": "a", "quantity": 1, "price": 5}]}

FLOW = {
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}, {"ErrorEquals": ["States.ALL"]}],
            "Catch": [
                {"ErrorEquals": ["Fatal"], "Next": "Broken"},
                {"ErrorEquals": ["States.ALL"], "Next": "Broken"},
            ],
            "Next": "Route",
        },
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.size", "NumericLessThan": 10, "Next": "Small"},
                {"Variable": "$.size", "NumericLessThan": 100, "Next": "Small"},
            ],
            "Default": "Big",
        },
        "Small": {"Type": "Succeed"},
        "Big": {"Type": "Succeed"},
        "Broken": {"Type": "Fail", "Error": "Broken"},
    },
}


def _hits(answers: list[Any]) -> dict[str, list[str]]:
    from asl.testing import load

    machine = load(FLOW, mocks={"Work": answers})
    return hits(machine.definition, run(machine, {}).history)


def test_the_universe_of_a_definition() -> None:
    universe = elements(StateMachine(FLOW).definition)
    assert universe.states == ("Work", "Route", "Small", "Big", "Broken")
    assert universe.rules == ("Route #1", "Route #2", "Route Default")
    assert universe.retriers == ("Work Retry #1", "Work Retry #2")
    assert universe.catchers == ("Work Catch #1", "Work Catch #2")
    assert "Work -> Broken [catch Fatal]" in universe.transitions
    assert "Route -> Big [Default]" in universe.transitions


@pytest.mark.parametrize(
    ("answers", "rules", "retriers", "catchers"),
    [
        ([{"size": 5}], ["Route #1"], [], []),
        ([{"size": 50}], ["Route #2"], [], []),  # same Next as rule 1: told apart by re-evaluating the rule
        ([TaskFailed("Busy", ""), {"size": 500}], ["Route Default"], ["Work Retry #1"], []),
        (
            [TaskFailed("Odd", ""), TaskFailed("Odd", ""), TaskFailed("Odd", ""), TaskFailed("Odd", "")],
            [],
            ["Work Retry #2"],
            ["Work Catch #2"],
        ),
        ([TaskFailed("Fatal", "")] * 4, [], ["Work Retry #2"], ["Work Catch #1"]),
    ],
    ids=[
        "rule-1",
        "rule-2-same-target",
        "retry-then-default",
        "retries-exhausted-caught",
        "first-matching-catcher",
    ],
)
def test_hits_from_history(
    answers: list[Any], rules: list[str], retriers: list[str], catchers: list[str]
) -> None:
    found = _hits(answers)
    assert (found["rules"], found["retriers"], found["catchers"]) == (rules, retriers, catchers)


def test_nothing_is_recorded_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(coverage.ENV, raising=False)
    run(FLOW, {}, mocks={"Work": [{"size": 1}]})
    assert coverage.folder() is None
    monkeypatch.setenv(coverage.ENV, str(tmp_path / "env"))
    run(FLOW, {}, mocks={"Work": [{"size": 1}]})
    assert len(list((tmp_path / "env").glob("*.json"))) == 1


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    folder = tmp_path / "cov"
    coverage.start(folder)
    try:
        run(
            ORDER,
            ORDER_INPUT,
            mocks={"ChargeCard": [{"Payload": {"chargeId": "c"}}], "WaitForApproval": [{"approved": True}]},
        )
        run(
            ORDER,
            ORDER_INPUT,
            mocks={
                "ChargeCard": [TaskFailed("CardProcessorBusy", "x"), {"Payload": {"chargeId": "c"}}],
                "WaitForApproval": [{"approved": False}],
            },
        )
        run(FLOW, {}, mocks={"Work": [{"size": 5}]})
    finally:
        coverage.stop()
    return folder


def test_runs_of_the_same_definition_merge(recorded: Path) -> None:
    entries = {e.name: e for e in load(recorded)}
    order = entries["order-approval"]
    assert order.runs == 2
    assert order.counts("rules") == (2, 2)  # approved in one run, rejected in the other
    assert order.counts("retriers") == (1, 1)
    assert order.missed("catchers") == [
        "ValidateOrder Catch #1",
        "ChargeCard Catch #1",
        "WaitForApproval Catch #1",
    ]
    covered, of = total(list(entries.values()))
    assert 0 < covered < of


def test_json_and_html_reports(recorded: Path) -> None:
    data = json.loads(render_json(load(recorded)))
    assert data["total"]["percent"] == round(percent(*total(load(recorded))), 2)
    flow = next(d for d in data["definitions"] if d["name"] == "StateMachine")
    assert flow["kinds"]["states"]["missed"] == ["Big", "Broken"]
    page = render_html(load(recorded))
    assert "Workflow coverage:" in page
    assert "Work Catch #1" in page  # unreached catcher listed
    assert "<svg" in page or "s_Big" in page


def test_html_diagram_marks_unreached_states_without_graphviz(
    recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    page = render_html(load(recorded))
    assert "Install Graphviz" in page
    mermaid = page.split("<pre class='mermaid'>", 3)[-1].split("</pre>")[0]
    assert "class s_Big,s_Broken failed" in mermaid  # never reached: red
    assert "linkStyle" in mermaid
    assert "stroke-dasharray" in mermaid


@pytest.mark.parametrize(("threshold", "code"), [("1", 0), ("99.9", 1)])
def test_cli_threshold(recorded: Path, threshold: str, code: int) -> None:
    result = CliRunner().invoke(cli, ["coverage", str(recorded), "--fail-under", threshold])
    assert result.exit_code == code, result.output
    assert "TOTAL" in result.stdout


def test_cli_formats_and_erase(recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert (
        CliRunner().invoke(cli, ["coverage", str(recorded), "--format", "html", "--out", str(out)]).exit_code
        == 0
    )
    assert out.read_text().startswith("<!doctype html>")
    assert json.loads(CliRunner().invoke(cli, ["coverage", str(recorded), "--format", "json"]).stdout)[
        "total"
    ]
    assert CliRunner().invoke(cli, ["coverage", str(recorded), "--erase"]).exit_code == 0
    missing = CliRunner().invoke(cli, ["coverage", str(recorded)])
    assert missing.exit_code == 2
    assert "no coverage data" in missing.stderr


def test_cli_run_and_replay_record_with_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(coverage.ENV, str(tmp_path / "cov"))
    hello = ROOT / "samples" / "hello"
    assert (
        CliRunner()
        .invoke(cli, ["run", str(hello / "workflow.json"), "--input", '{"name": "Zed", "age": 40}'])
        .exit_code
        == 0
    )
    assert CliRunner().invoke(cli, ["replay", str(hello)]).exit_code == 0
    (entry,) = load(tmp_path / "cov")
    assert entry.runs == 3
    assert entry.missed("rules") == []  # the replayed junior and founder cases, and Zed's standard plan


_GOOD = {"version": 1, "name": "f", "source": "f.json", "definition": FLOW, "hits": {"states": ["Work"]}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not coverage data (Expecting property name"),
        ("[1]", "a JSON object with 'definition' and 'hits'"),
        ({**_GOOD, "hits": None}, "'hits' must be an object"),
        ({**_GOOD, "hits": {"states": [["Work"]]}}, "'hits.states' must be a list of strings"),
        ({**_GOOD, "hits": {"transitions": "start -> Work"}}, "'hits.transitions' must be a list of strings"),
        ({**_GOOD, "name": ["f"]}, "'name' and 'source' must be strings"),
        ({**_GOOD, "definition": "x"}, "its definition is not valid"),
        ('{"hits": {}, "definition": ' + "[" * 1000 + "]" * 1000 + "}", "more than 500 levels deep"),
    ],
)
def test_cli_a_malformed_coverage_file_is_a_usage_error_naming_it(
    tmp_path: Path, content: Any, message: str
) -> None:
    """Exit 2 (bad input), never 1 (which means below --fail-under), and no traceback."""
    folder = tmp_path / "cov"
    folder.mkdir()
    (folder / "ok.json").write_text(json.dumps(_GOOD))
    (folder / "x.json").write_text(content if isinstance(content, str) else json.dumps(content))
    result = CliRunner().invoke(cli, ["coverage", str(folder)])
    assert result.exit_code == 2, result.output
    assert f"{folder / 'x.json'}: " in result.stderr
    assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
