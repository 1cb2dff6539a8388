"""Sample executions: replaying the recorded cases of the samples, divergences, and --update."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from replay_workflow import write

from asl.replay import load_case, replay_case, sample_cases, update_case
from asl.replay.files import dump
from asl.testing import assert_replays, replay

SAMPLES = Path(__file__).resolve().parents[3] / "samples"


@pytest.mark.parametrize(
    ("sample", "cases"),
    [
        ("hello", ["founder", "junior"]),
        ("order-approval", ["Approved", "ProcessorBusyThenOk", "Rejected"]),
    ],
)
def test_every_recorded_sample_case_replays(sample: str, cases: list[str]) -> None:
    assert [p.stem for p in sample_cases(SAMPLES / sample)] == cases
    reports = assert_replays(SAMPLES / sample)
    assert [r.status for r in reports] == ["matched"] * len(cases)


def test_sample_cases_record_parsed_values_and_retries() -> None:
    case = json.loads((SAMPLES / "order-approval" / "executions" / "ProcessorBusyThenOk.json").read_text())
    charge = next(step for step in case["steps"] if step["state"] == "ChargeCard")
    assert charge["retries"] == 2
    assert charge["output"]["charge"] == {"chargeId": "ch_002"}
    assert case["expect"] == {
        "status": "SUCCEEDED",
        "output": {"orderId": "o-1001", "status": "SHIPPED", "chargeId": "ch_002"},
    }


def copy_sample(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(SAMPLES / name, tmp_path / name))


def edit_definition(folder: Path, edit: Any) -> None:
    path = folder / "workflow.json"
    definition = json.loads(path.read_text())
    edit(definition["States"])
    path.write_text(json.dumps(definition, indent=2))


def test_a_changed_pass_result_diverges_at_that_state(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path, "hello")
    edit_definition(folder, lambda states: states["Founder"].update(Result="pioneer"))
    founder, junior = replay(folder)
    assert junior.status == "matched"
    assert founder.status == "diverged"
    assert founder.divergence is not None
    assert (founder.divergence.state, founder.divergence.field, founder.divergence.at) == (
        "Founder",
        "output",
        "$.plan",
    )
    assert (founder.divergence.expected, founder.divergence.got) == ("founder", "pioneer")
    with pytest.raises(AssertionError, match=r"state 'Founder' \(visit 1\), output at \$\.plan"):
        assert_replays(folder)


def test_a_changed_choice_diverges_on_the_path(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path, "order-approval")
    edit_definition(folder, lambda states: states["Approved?"]["Choices"][0].update(BooleanEquals=False))
    report = replay_case(folder / "executions" / "Approved.json")
    assert report.divergence is not None
    assert (report.divergence.field, report.divergence.expected, report.divergence.got) == (
        "path",
        "Ship",
        "Rejected",
    )
    assert "the path differs after state 'Approved?'" in report.describe()


def test_a_failed_execution_compares_error_and_cause(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path, "order-approval")
    edit_definition(folder, lambda states: states["Rejected"].update(Error="Refused"))
    report = replay_case(folder / "executions" / "Rejected.json")
    assert report.divergence is not None
    assert (report.divergence.state, report.divergence.field) == (None, "error")
    assert "the execution, error" in report.describe()


def test_update_rewrites_the_case_and_the_next_replay_matches(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path, "hello")
    edit_definition(folder, lambda states: states["Founder"].update(Result="pioneer"))
    case = folder / "executions" / "founder.json"
    case.chmod(0o644)
    before = json.loads(case.read_text())
    assert update_case(case).status == "updated"
    after = json.loads(case.read_text())
    assert after["expect"]["output"]["plan"] == "pioneer"
    assert (after["description"], after["input"]) == (before["description"], before["input"])
    assert replay_case(case).status == "matched"
    assert update_case(case).status == "unchanged"
    assert not list(case.parent.glob(".*.tmp"))
    assert case.stat().st_mode & 0o777 == 0o644


def test_a_new_case_is_recorded_by_update(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path, "hello")
    case = write(folder / "executions" / "standard.json", {"input": {"name": "Cy", "age": 40}})
    assert replay_case(case).status == "error"
    assert update_case(case).status == "updated"
    recorded = json.loads(case.read_text())
    assert [step["state"] for step in recorded["steps"]] == [
        "Greet",
        "PickPlan",
        "Standard",
        "Settle",
        "Confirm",
    ]
    assert recorded["expect"]["output"]["confirmedAt"] == "2024-01-01T00:01:00.000Z"
    assert recorded["expect"]["output"]["execution"] == "replay"
    assert case.read_text() == dump(recorded)


UUIDS = {
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Next": "Tag"},
        "Tag": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()", "work.$": "$"}, "End": True},
    },
}


def test_inline_mocks_and_uuids(tmp_path: Path) -> None:
    write(tmp_path / "s" / "workflow.json", UUIDS)
    mocks: dict[str, Any] = {"Work": [{"Throw": {"Error": "Busy", "Cause": "x"}}]}
    case = write(tmp_path / "s" / "executions" / "fails.json", {"input": {}, "mocks": mocks})
    assert update_case(case).status == "updated"
    assert json.loads(case.read_text())["expect"]["error"] == "Busy"
    mocks["Work"] = [{"Return": {"ok": True}}]
    write(case, {"input": {}, "mocks": mocks})
    assert update_case(case).status == "updated"
    assert json.loads(case.read_text())["expect"]["output"] == {"id": "<uuid>", "work": {"ok": True}}
    assert replay_case(case).status == "matched"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"input": {}\n  "testCase": "x"}', "invalid JSON at line 2, column 3"),
        ('{"inptu": {}}', "unknown key(s) 'inptu'"),
        ("[1]", "must hold a JSON object"),
        ('{"input": {}}', "nothing recorded yet"),
        ('{"expect": {"status": "SUCCEEDED"}, "steps": [{"state": 1}]}', "steps[0] must be an object"),
        ('{"expect": "x"}', "'expect' must be an object"),
        ('{"testCase": "Approved", "expect": {"status": "SUCCEEDED"}}', "needs a mock file"),
        ('{"mocks": {"Greet": {}}, "expect": {"status": "SUCCEEDED"}}', "mocks.Greet must be a list"),
    ],
)
def test_unusable_case_files_are_errors(tmp_path: Path, content: str, fragment: str) -> None:
    folder = copy_sample(tmp_path, "hello")
    case = write(folder / "executions" / "bad.json", content)
    report = replay_case(case)
    assert report.status == "error"
    assert fragment in report.message
    assert str(case) in report.message


def test_a_folder_without_executions_is_an_error(tmp_path: Path) -> None:
    [report] = replay(tmp_path)
    assert report.status == "error"
    assert "no executions/ folder" in report.message


def test_load_case_resolves_its_paths(tmp_path: Path) -> None:
    case = write(
        tmp_path / "s" / "executions" / "c.json",
        {"definition": "../flows/main.json", "mockConfig": "../m.json", "name": "n1"},
    )
    loaded = load_case(case)
    assert loaded.definition == (tmp_path / "s" / "flows" / "main.json").resolve()
    assert loaded.mock_config == (tmp_path / "s" / "m.json").resolve()
    assert (loaded.name, loaded.input, loaded.folder) == ("n1", {}, (tmp_path / "s").resolve())
