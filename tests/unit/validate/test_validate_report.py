"""Output formats: text with the offending line, JSON, GitHub annotations and SARIF."""

from __future__ import annotations

import io
import json

from rich.console import Console

from asl.validate.files import FileReport, validate_text
from asl.validate.report import render_github, render_json, render_sarif, render_text, summary

BAD = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Nxet": "B", "End": true}\n  }\n}'
GOOD = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'


def reports() -> list[FileReport]:
    return [validate_text(BAD, "flows/bad.json"), validate_text(GOOD, "flows/good.json")]


def test_summary() -> None:
    assert summary(reports()) == "1 of 2 files failed validation (1 error, 0 warnings)"
    assert summary([validate_text(GOOD, "a.json")]) == "1 file valid (0 errors, 0 warnings)"


def test_text_shows_the_line_and_a_caret() -> None:
    out = io.StringIO()
    render_text(reports(), Console(file=out, width=200, no_color=True))
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "flows/bad.json:4:27: error SCHEMA_VALIDATION_FAILED Unknown field 'Nxet' in Pass state 'A'; did you mean 'Next'?"
    )
    assert lines[1] == '  4 |     "A": {"Type": "Pass", "Nxet": "B", "End": true}'
    assert lines[2] == "    |                           ^"
    assert lines[3] == "  at /States/A/Nxet"
    assert lines[-1].endswith("1 of 2 files failed validation (1 error, 0 warnings)")


def test_text_does_not_interpret_markup_in_messages() -> None:
    out = io.StringIO()
    report = validate_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "[bold]x": 1, "End": true}}}', "m.json"
    )
    render_text([report], Console(file=out, width=300, no_color=True))
    assert "'[bold]x'" in out.getvalue()


def test_json_has_the_validate_state_machine_definition_shape() -> None:
    data = json.loads(render_json(reports()))
    assert data[0] == {
        "file": "flows/bad.json",
        "result": "FAIL",
        "diagnostics": [
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "Field 'Nxet' is not supported",
                "location": "/States/A",
                "hint": "Unknown field 'Nxet' in Pass state 'A'; did you mean 'Next'?",
                "pointer": "/States/A/Nxet",
                "line": 4,
                "column": 27,
            }
        ],
        "truncated": False,
    }
    assert data[1] == {"file": "flows/good.json", "result": "OK", "diagnostics": [], "truncated": False}


def test_github_annotations_are_escaped() -> None:
    report = validate_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "a%,b:\\nc": 1, "End": true}}}', "dir/x,y.json"
    )
    lines = render_github([report]).splitlines()
    assert lines[0].startswith("::error file=dir/x%2Cy.json,line=1,col=51,title=SCHEMA_VALIDATION_FAILED::")
    assert "a%25,b:%0Ac" in lines[0]
    assert lines[-1] == "1 of 1 file failed validation (1 error, 0 warnings)"


def test_github_warning_annotation() -> None:
    report = validate_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x.$": "$"}, "End": true}}}', "w.json"
    )
    assert render_github([report]).splitlines()[0].startswith("::warning file=w.json,line=1,col=")


def test_sarif_log() -> None:
    log = json.loads(render_sarif(reports()))
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    assert run["tool"]["driver"]["name"] == "asl-runner"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["SCHEMA_VALIDATION_FAILED"]
    [result] = run["results"]
    assert result["ruleId"] == "SCHEMA_VALIDATION_FAILED"
    assert result["ruleIndex"] == 0
    assert result["level"] == "error"
    location = result["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "flows/bad.json"},
        "region": {"startLine": 4, "startColumn": 27},
    }
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "/States/A"  # AWS places it at the state
    assert result["message"]["text"] == "Field 'Nxet' is not supported"
    assert result["properties"]["pointer"] == "/States/A/Nxet"


def test_sarif_without_findings_has_no_results() -> None:
    log = json.loads(render_sarif([validate_text(GOOD, "ok.json")]))
    assert log["runs"][0]["results"] == []
