"""An execution's history read for people: each state's runs with input, output and outcome, by lane.

The events are the store's (GetExecutionHistory's fields plus `lane`, the Parallel branch or Map
iteration that recorded them: `""` at the top, `/<n>.<index>` below, nested as deep as the
definition). A lane runs one state at a time, so every event belongs to the state last entered in
its lane (its "step", as the AWS console's event table calls it).

A run's outcome: `running` (entered, not exited, the execution still runs), `failed` (entered and
never exited in an execution that ended, or a Fail state), `aborted` (stopped: the execution was
stopped, or a sibling branch failed), `caught` (exited right after a failure: a Catch took it on),
`retried` (more than one attempt, then succeeded) or `succeeded`. A state's outcome in the diagram
is the most telling of its runs', in that order.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: A state's outcome over its runs: the first of these any run has.
PRIORITY = ("failed", "running", "caught", "aborted", "retried", "succeeded")
_ATTEMPTS = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "ParallelStateStarted",
        "MapStateStarted",
    }
)
_NOT_A_FAILURE = frozenset({"MapIterationFailed", "ExecutionFailed", "ExecutionTimedOut"})
_ENDED_BADLY = frozenset({"FAILED", "TIMED_OUT"})


@dataclass
class StateRun:
    """One entry into a state: from `<Type>StateEntered` to its `<Type>StateExited` (if any)."""

    name: str
    type: str
    lane: str
    entered: int
    started: float
    input: str | None
    exited: int | None = None
    stopped: float | None = None
    output: str | None = None
    attempts: int = 0
    error: str | None = None
    cause: str | None = None
    aborted: bool = False
    last_type: str = ""
    status: str = "running"


@dataclass
class Lane:
    """A Parallel branch or a Map iteration: who started it and how it ended."""

    key: str
    parent: str
    owner: str
    label: str
    status: str = "running"


@dataclass
class EventRow:
    """One history event as the event table shows it (AWS's columns)."""

    id: int
    type: str
    step: str
    resource: str
    after_ms: int
    timestamp: float
    lane: str
    details: dict[str, Any]
    failure: bool


@dataclass
class Analysis:
    """Everything the execution page shows, derived from the history."""

    events: list[EventRow] = field(default_factory=list)
    runs: list[StateRun] = field(default_factory=list)
    lanes: dict[str, Lane] = field(default_factory=dict)
    #: state name -> its runs' outcomes counted; state name -> the one the diagram shows.
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    #: The run where the execution failed (deepest, latest), if it failed in a state.
    failed_run: StateRun | None = None

    def lane_path(self, key: str) -> str:
        """`M › Iteration 3 › P › Branch 1` for a nested lane; "" at the top level."""
        parts: list[str] = []
        while key:
            lane = self.lanes.get(key)
            if lane is None:
                break
            parts.append(f"{lane.owner} › {lane.label}")
            key = lane.parent
        return " › ".join(reversed(parts))


def _seconds(timestamp: Any) -> float:
    """Epoch seconds of a stored timestamp (a number) or of GetExecutionHistory's ISO text."""
    if isinstance(timestamp, str):
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    return float(timestamp)


def _details(event: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in event.items()
        if key not in ("id", "previousEventId", "timestamp", "type", "lane")
    }


def _error_of(details: dict[str, Any]) -> tuple[str | None, str | None] | None:
    for value in details.values():
        if isinstance(value, dict) and ("error" in value or "cause" in value):
            return value.get("error"), value.get("cause")
    return None


def _is_failure(kind: str) -> bool:
    return kind.endswith(("Failed", "TimedOut")) and kind not in _NOT_A_FAILURE


def _lane_label(key: str, owner_type: str) -> str:
    tail = key.rsplit(".", 1)[-1]
    index = int(tail) if tail.isdigit() else 0
    return f"Branch {index + 1}" if owner_type == "Parallel" else f"Iteration {index}"


def analyse(events: list[dict[str, Any]], types: dict[str, tuple[str, str]], status: str) -> Analysis:
    """Read `events` (in id order) of an execution whose status is `status`.

    `types` maps each state name to its (type, Task resource or "").
    """
    result = Analysis()
    open_runs: dict[str, StateRun] = {}
    start = _seconds(events[0]["timestamp"]) if events else 0.0
    for event in events:
        kind = event["type"]
        when = _seconds(event["timestamp"])
        lane = str(event.get("lane") or "")
        details = _details(event)
        if lane and lane not in result.lanes:
            parent = lane[: lane.rfind("/")]
            owner_run = open_runs.get(parent)
            owner = owner_run.name if owner_run else ""
            owner_type = owner_run.type if owner_run else ""
            result.lanes[lane] = Lane(lane, parent, owner, _lane_label(lane, owner_type))
        run = open_runs.get(lane)
        if kind.endswith("StateEntered"):
            body = details.get("stateEnteredEventDetails") or {}
            name = str(body.get("name", ""))
            run = StateRun(name, types.get(name, ("", ""))[0], lane, event["id"], when, body.get("input"))
            open_runs[lane] = run
            result.runs.append(run)
        elif run is not None:
            if kind in _ATTEMPTS:
                run.attempts += 1
            found = _error_of(details)
            if found is not None and _is_failure(kind):
                run.error, run.cause = found
            if kind.endswith("Aborted") and kind != "MapIterationAborted":
                run.aborted = True
            if kind.endswith("StateExited"):
                body = details.get("stateExitedEventDetails") or {}
                run.exited, run.stopped, run.output = event["id"], when, body.get("output")
                run.status = "caught" if _is_failure(run.last_type) else "succeeded"
                if run.status == "succeeded" and run.attempts > 1:
                    run.status = "retried"
                del open_runs[lane]
            else:
                run.last_type = kind
        if kind.startswith("MapIteration") and lane in result.lanes:
            ending = kind.removeprefix("MapIteration").lower()
            if ending != "started":
                result.lanes[lane].status = ending
        step = run.name if run is not None else result.lanes[lane].owner if lane in result.lanes else ""
        result.events.append(
            EventRow(
                event["id"],
                kind,
                step,
                types.get(step, ("", ""))[1] if run is not None else "",
                round((when - start) * 1000),
                when,
                lane,
                details,
                _is_failure(kind) or kind in ("ExecutionFailed", "ExecutionTimedOut"),
            )
        )
    _close_open_runs(result, open_runs, status)
    _summarise(result)
    return result


def _close_open_runs(result: Analysis, open_runs: dict[str, StateRun], status: str) -> None:
    for run in open_runs.values():
        if run.aborted or status == "ABORTED":
            run.status = "aborted"
        elif status in _ENDED_BADLY:
            run.status = "failed"
    failed = [run for run in result.runs if run.status == "failed"]
    if failed:
        # The deepest lane first (a branch's failure fails the Parallel around it), then the latest.
        result.failed_run = max(failed, key=lambda run: (run.lane.count("/"), run.entered))


def _summarise(result: Analysis) -> None:
    by_lane: dict[str, list[str]] = {}
    for run in result.runs:
        result.counts.setdefault(run.name, Counter())[run.status] += 1
        by_lane.setdefault(run.lane, []).append(run.status)
    for name, counts in result.counts.items():
        result.outcomes[name] = next(outcome for outcome in PRIORITY if counts[outcome])
    for key, lane in result.lanes.items():
        if lane.status != "running":
            continue
        statuses = by_lane.get(key, [])
        lane.status = next(
            (s for s in ("running", "failed", "aborted") if s in statuses),
            "succeeded" if statuses else "running",
        )


#: The most of one document a page shows (a state's input may be 256 KiB, and a page shows hundreds).
SHOWN = 32 * 1024


def pretty(text: str | None, limit: int = SHOWN, whole: str = "GetExecutionHistory") -> str:
    """A JSON document indented for reading, else as given (not JSON, or too long once indented).

    Cut at `limit` characters; `whole`: the API action that returns all of it, named where it is cut.
    """
    if text is None:
        return ""
    if len(text) <= limit:
        with contextlib.suppress(ValueError, RecursionError):
            indented = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
            return indented if len(indented) <= limit else text
        return text
    return f"{text[:limit]}\n… cut here: {len(text):,} characters in all ({whole} has them all)"


def describe(counts: Counter[str]) -> str:
    """`2 succeeded, 1 caught`."""
    return ", ".join(f"{counts[outcome]} {outcome}" for outcome in PRIORITY if counts[outcome])


@dataclass
class LaneGroup:
    """The branches of one Parallel, or the iterations of one Map, entered from one lane."""

    owner: str
    where: str
    noun: str
    lanes: list[Lane]
    summary: str


def lane_groups(analysis: Analysis, inside: str = "") -> list[LaneGroup]:
    """The Parallel branches and Map iterations shown on the page (those within lane `inside`)."""
    grouped: dict[tuple[str, str], list[Lane]] = {}
    for lane in analysis.lanes.values():
        if not inside or lane.key.startswith(inside + "/"):
            grouped.setdefault((lane.parent, lane.owner), []).append(lane)
    groups = []
    for (parent, owner), lanes in grouped.items():
        noun = "branch" if lanes[0].label.startswith("Branch") else "iteration"
        counted = Counter(lane.status for lane in lanes)
        groups.append(LaneGroup(owner, analysis.lane_path(parent), noun, lanes, describe(counted)))
    return groups
