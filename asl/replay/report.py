"""The outcome of replaying one case or one recorded history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl.replay.compare import Divergence

#: Statuses: the replay matched, diverged, could not run; with --update, the file was updated or unchanged.
MATCHED, DIVERGED, ERROR, UPDATED, UNCHANGED = "matched", "diverged", "error", "updated", "unchanged"


@dataclass
class Report:
    """One replay: which case, its status, the first divergence or the error message."""

    case: str
    status: str
    divergence: Divergence | None = None
    message: str = ""
    #: How many steps (state visits) the replay compared.
    steps: int = 0

    @property
    def ok(self) -> bool:
        """True unless the replay diverged or could not run."""
        return self.status not in (DIVERGED, ERROR)

    def as_json(self) -> dict[str, Any]:
        """The report for `--format json`."""
        data: dict[str, Any] = {
            "case": self.case,
            "status": self.status,
            "divergence": self.divergence.as_json() if self.divergence else None,
            "steps": self.steps,
        }
        if self.message:
            data["message"] = self.message
        return data

    def describe(self) -> str:
        """One line: the case, its status and why."""
        if self.divergence is not None:
            return f"{self.case}: diverged: {self.divergence.describe()}"
        if self.message:
            return f"{self.case}: {self.status}: {self.message}"
        return f"{self.case}: {self.status}"
