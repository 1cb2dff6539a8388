"""Workflow coverage: which states, transitions, Choice rules, retriers and catchers executions reached.

Recording is off until a folder is chosen: the `ASL_COVERAGE` environment variable (every `asl run`,
`asl replay`, `asl.testing.run` in that process writes there), or `start(folder)` (the pytest
plugin's `--asl-coverage`). Each execution adds one JSON file (written atomically) holding the
definition, its name and source, and what it covered, computed from the history and the model
(`asl.coverage.hits`). `asl coverage` merges the folder into a text, JSON or HTML report.
"""

from __future__ import annotations

import json
import os
import uuid
import warnings
from pathlib import Path
from typing import Any

from asl.model import Definition

ENV = "ASL_COVERAGE"
DEFAULT_FOLDER = ".asl-coverage"
_folders: list[Path] = []


def start(folder: str | Path) -> None:
    """Record every execution of this process into `folder` (until `stop`)."""
    _folders.append(Path(folder))


def stop() -> None:
    """Stop the recording the latest `start` began."""
    if _folders:
        _folders.pop()


def folder() -> Path | None:
    """Where executions are recorded now, or None."""
    if _folders:
        return _folders[-1]
    value = os.environ.get(ENV)
    return Path(value) if value else None


def record(definition: Definition, name: str, history: list[dict[str, Any]]) -> None:
    """Add one execution to the coverage folder, if recording; never fails the execution."""
    target = folder()
    if target is None:
        return
    from asl.coverage.hits import hits
    from asl.files import write_atomically

    try:
        data = {
            "version": 1,
            "name": name,
            "source": definition.source_name,
            "definition": definition.raw,
            "hits": hits(definition, history),
        }
        write_atomically(target / f"{uuid.uuid4().hex}.json", json.dumps(data, ensure_ascii=False) + "\n")
    except Exception as exc:
        warnings.warn(f"coverage: could not record the execution of {name!r}: {exc}", stacklevel=2)
