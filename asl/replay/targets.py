"""Replaying whatever a path names: a sample folder, one case file, or a recorded AWS history."""

from __future__ import annotations

from pathlib import Path

from asl.errors import AslError
from asl.replay.cases import replay_case, sample_cases, update_case
from asl.replay.files import read_text
from asl.replay.recorded import documents, replay_history
from asl.replay.report import ERROR, Report


def is_history(path: Path) -> bool:
    """True when the file holds GetExecutionHistory output (`{"events": ...}`, or a list of pages or events)."""
    first = documents(read_text(path), str(path))[0]
    if isinstance(first, dict):
        if {"expect", "steps", "input", "testCase", "mocks"} & set(first):
            return False
        events = first.get("events")
        return isinstance(events, list) and all(isinstance(event, dict) for event in events)
    return isinstance(first, list)


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def replay_path(
    path: Path,
    definition: Path | None = None,
    *,
    update: bool = False,
    name: str | None = None,
    label: str | None = None,
) -> list[Report]:
    """Replay (or with `update`, record) every case `path` names; never raises for a bad file."""
    label = label or _label(path)
    try:
        if not path.exists():
            raise AslError(f"{label}: no such file or folder")
        run = update_case if update else replay_case
        if path.is_dir():
            return [run(case, definition, _label(case)) for case in sample_cases(path)]
        if not is_history(path):
            return [run(path, definition, label)]
        if update:
            raise AslError(f"{label}: --update records sample cases, not AWS histories")
        if definition is None:
            raise AslError(f"{label}: an AWS history needs the definition to replay (--definition FILE)")
        return [replay_history(path, definition, name=name, label=label)]
    except AslError as exc:
        return [Report(label, ERROR, message=str(exc))]
