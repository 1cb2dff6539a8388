"""The sample gallery: every sample documents its command and its recorded executions replay exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl.replay import sample_cases
from asl.testing import assert_replays
from asl.validate import validate

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
#: A sample's definition is its workflow.json, or a SAM/CloudFormation template.yaml.
FOLDERS = sorted(
    {p.parent for pattern in ("*/workflow.json", "*/template.yaml") for p in SAMPLES.glob(pattern)}
)


def test_the_gallery_has_the_promised_samples() -> None:
    names = {p.name for p in FOLDERS}
    assert {
        "hello",
        "hello-jsonata",
        "user-onboarding",
        "bulk-user-import",
        "password-reset",
        "order-approval",
        "nested-pipeline",
        "sam-restock",
    } <= names
    index = (SAMPLES / "README.md").read_text()
    assert all(f"[{name}]" in index for name in names)


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_sample_replays_and_documents_its_command(folder: Path) -> None:
    readme = (folder / "README.md").read_text()
    definition = "workflow.json" if (folder / "workflow.json").exists() else "template.yaml"
    assert f"asl run samples/{folder.name}/{definition}" in readme
    cases = sample_cases(folder)
    assert cases, f"{folder.name} has no recorded executions"
    reports = assert_replays(folder)
    assert [r.status for r in reports] == ["matched"] * len(cases)


def _definitions() -> list[Path]:
    found = []
    for path in sorted(SAMPLES.glob("*/*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "States" in data:
            found.append(path)
    return found


@pytest.mark.parametrize("path", _definitions(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_definitions_validate_without_errors(path: Path) -> None:
    diagnostics = validate(json.loads(path.read_text()))
    assert [d for d in diagnostics if d.severity == "ERROR"] == []


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*/template.yaml")), ids=lambda p: p.parent.name)
def test_sample_templates_validate_without_errors(path: Path) -> None:
    from asl.templates.validate import validate_reference

    reports = validate_reference(path)
    assert reports
    assert [d for r in reports for d in r.diagnostics if d.severity == "ERROR"] == []
