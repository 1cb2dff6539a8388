"""Replaying executions: recorded sample cases, and real AWS executions from their history.

`replay_case` runs a case file (`samples/<name>/executions/<case>.json`) and compares what happens
with what it recorded; `update_case` records the current behaviour instead. `replay_history` runs a
definition with the task results of a GetExecutionHistory recording and reports where it diverges.
"""

from asl.replay.answers import Answers
from asl.replay.cases import (
    EXECUTION_NAME,
    SEED,
    START_TIME,
    Case,
    load_case,
    replay_case,
    sample_cases,
    update_case,
)
from asl.replay.compare import Divergence, first_divergence, normalise
from asl.replay.files import ReplayError
from asl.replay.recorded import history_events, load_history, replay_events, replay_history
from asl.replay.report import DIVERGED, ERROR, MATCHED, UNCHANGED, UPDATED, Report
from asl.replay.steps import Answer, Observation, Step, observe
from asl.replay.targets import is_history, replay_path

__all__ = [
    "DIVERGED",
    "ERROR",
    "EXECUTION_NAME",
    "MATCHED",
    "SEED",
    "START_TIME",
    "UNCHANGED",
    "UPDATED",
    "Answer",
    "Answers",
    "Case",
    "Divergence",
    "Observation",
    "ReplayError",
    "Report",
    "Step",
    "first_divergence",
    "history_events",
    "is_history",
    "load_case",
    "load_history",
    "normalise",
    "observe",
    "replay_case",
    "replay_events",
    "replay_history",
    "replay_path",
    "sample_cases",
    "update_case",
]
