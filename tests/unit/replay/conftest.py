"""Fixtures: the 'production' run of the replay workflow, and its definition file."""

from __future__ import annotations

from pathlib import Path

import pytest
from replay_workflow import DEFINITION, registry, write

from asl.testing import RunResult, run


@pytest.fixture
def recorded() -> RunResult:
    """The 'production' run."""
    return run(DEFINITION, {"order": "o-1"}, registry=registry(), execution_name="prod-1")


@pytest.fixture
def definition_file(tmp_path: Path) -> Path:
    return write(tmp_path / "workflow.json", DEFINITION)
