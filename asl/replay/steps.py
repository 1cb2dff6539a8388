"""An execution history, AWS's or a local one (the same shape), read as steps, task answers and a result.

A step is one visit of a state: its name, type, input and output (parsed JSON values, not the
history's JSON strings) and how many times it was retried. A task event (`TaskSucceeded`,
`LambdaFunctionFailed`, ...) belongs to the state whose `<Type>StateEntered` its `previousEventId`
chain leads back to, else to the last Task state entered and not yet exited; an exit event pairs
with its state's entry the same way, else with the oldest pending entry of that state (first in,
first out, which is how concurrent Map iterations and Parallel branches finish locally).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asl import jsonvalue

#: The first and past-the-last instants a replay's clock may start at (1970-01-01, 3000-01-01 UTC).
EARLIEST, LATEST = 0.0, 32_503_680_000.0
#: Events that begin one attempt of a state: a retry begins another one.
ATTEMPT_EVENTS = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "MapStateStarted",
        "ParallelStateStarted",
    }
)
#: Events that end a task attempt with its result.
SUCCEEDED_EVENTS = frozenset({"TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded"})
#: Events that end a task attempt with an error (and cause).
FAILED_EVENTS = frozenset(
    {
        "TaskFailed",
        "TaskStartFailed",
        "TaskSubmitFailed",
        "TaskTimedOut",
        "LambdaFunctionFailed",
        "LambdaFunctionScheduleFailed",
        "LambdaFunctionStartFailed",
        "LambdaFunctionTimedOut",
        "ActivityFailed",
        "ActivityScheduleFailed",
        "ActivityTimedOut",
    }
)
_TASK_PREFIXES = ("Task", "LambdaFunction", "Activity")
_ENDINGS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}


@dataclass
class Step:
    """One visit of a state: what it received, what it returned, how often it was retried."""

    state: str
    type: str
    input: Any = None
    output: Any = None
    #: False when the state never exited (it failed the execution, or the execution stopped in it).
    exited: bool = False
    #: Task, Map and Parallel attempts: 1 + retries.
    attempts: int = 0

    @property
    def retries(self) -> int:
        """How many times the state was retried in this visit."""
        return max(self.attempts - 1, 0)

    def as_json(self) -> dict[str, Any]:
        """The step as case files store it (`output` only when the state exited, `retries` when > 0)."""
        data: dict[str, Any] = {"state": self.state, "type": self.type, "input": self.input}
        if self.exited:
            data["output"] = self.output
        if self.retries:
            data["retries"] = self.retries
        return data


@dataclass(frozen=True, slots=True)
class Answer:
    """One recorded task attempt: the value it returned, or the error and cause it failed with."""

    returns: bool
    value: Any = None
    error: str = ""
    cause: str = ""
    #: The attempt timed out (TaskTimedOut, LambdaFunctionTimedOut): replayed as States.Timeout.
    timed_out: bool = False
    #: What the task was called with (TaskScheduled's parameters, LambdaFunctionScheduled's input).
    request: Any = None


@dataclass
class Observation:
    """What an execution did: its steps, final result, event types and task answers by state."""

    steps: list[Step] = field(default_factory=list)
    #: `{"status": ...}` plus `output`, or `error` and `cause`.
    result: dict[str, Any] = field(default_factory=lambda: {"status": "RUNNING"})
    events: list[str] = field(default_factory=list)
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    input: Any = None
    #: The ExecutionStarted event's details and time (seconds since the epoch), when present.
    started: dict[str, Any] | None = None
    start_time: float | None = None

    @property
    def path(self) -> list[str]:
        """The names of the states visited, in order."""
        return [step.state for step in self.steps]


def value(text: Any) -> Any:
    """A recorded payload as a JSON value (history payloads are JSON strings; a non-JSON one stays as is)."""
    if not isinstance(text, str):
        return text
    try:
        return jsonvalue.loads(text)
    except ValueError:  # not JSON, or JSON AWS refuses (NaN, nested past 500 levels...)
        return text


def timestamp(raw: Any) -> float | None:
    """An event's timestamp (ISO 8601 as the AWS CLI prints it, or epoch seconds) in epoch seconds.

    None when it is neither, or outside the years 1970 to 2999 (`EARLIEST`, `LATEST`).
    """
    seconds: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        seconds = float(raw)
    elif isinstance(raw, str):
        try:
            seconds = datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
        except (ValueError, OverflowError):
            return None
    return seconds if seconds is not None and EARLIEST <= seconds < LATEST else None


def _details(event: dict[str, Any]) -> dict[str, Any]:
    kind = str(event.get("type", ""))
    if kind.endswith("StateEntered"):
        key = "stateEnteredEventDetails"
    elif kind.endswith("StateExited"):
        key = "stateExitedEventDetails"
    else:
        key = kind[:1].lower() + kind[1:] + "EventDetails"
    details = event.get(key)
    return details if isinstance(details, dict) else {}


def _is_task_event(kind: str) -> bool:
    return kind.startswith(_TASK_PREFIXES) and not kind.endswith(("StateEntered", "StateExited"))


class _Reader:
    """One pass over the events, keeping what pairing and attribution need."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.by_id: dict[Any, dict[str, Any]] = {e.get("id"): e for e in events}
        self.chained = any(
            isinstance(e.get("id"), int) and e.get("previousEventId") not in (e["id"] - 1, None)
            for e in events
        )
        self.seen = Observation()
        self.entered: dict[Any, int] = {}
        self.pending: dict[str, deque[int]] = {}
        self.open: list[int] = []
        #: The request of each step's current task attempt.
        self.requests: dict[int, Any] = {}

    def read(self) -> Observation:
        for event in self.events:
            self.event(event)
        return self.seen

    def event(self, event: dict[str, Any]) -> None:
        kind = str(event.get("type", ""))
        seen = self.seen
        seen.events.append(kind)
        details = _details(event)
        if kind.endswith("StateEntered"):
            name = str(details.get("name", ""))
            seen.steps.append(Step(name, kind[: -len("StateEntered")], value(details.get("input"))))
            entry = len(seen.steps) - 1
            self.entered[event.get("id")] = entry
            self.pending.setdefault(name, deque()).append(entry)
            self.open.append(entry)
        elif kind.endswith("StateExited"):
            index = self.pair(event, str(details.get("name", "")))
            if index is not None:
                step = seen.steps[index]
                step.output, step.exited = value(details.get("output")), True
        elif kind in ATTEMPT_EVENTS:
            owner = self.owner(event, kind.removesuffix("StateStarted") if "State" in kind else "Task")
            if owner is not None:
                seen.steps[owner].attempts += 1
                self.requests[owner] = value(details.get("parameters", details.get("input")))
        elif kind in SUCCEEDED_EVENTS or kind in FAILED_EVENTS:
            owner = self.owner(event, "Task")
            if owner is not None:
                state = seen.steps[owner].state
                answer = _answer(kind, details, self.requests.pop(owner, None))
                seen.answers.setdefault(state, []).append(answer)
        elif kind == "ExecutionStarted":
            seen.input = value(details.get("input"))
            seen.started = details
            seen.start_time = timestamp(event.get("timestamp"))
        elif kind in _ENDINGS:
            seen.result = _result(kind, details)

    def chain(self, event: dict[str, Any]) -> int | None:
        """The step whose entry `event`'s previousEventId chain reaches through task events."""
        current = event
        for _ in range(len(self.events)):
            previous = self.by_id.get(current.get("previousEventId"))
            if previous is None:
                return None
            kind = str(previous.get("type", ""))
            if kind.endswith("StateEntered"):
                return self.entered.get(previous.get("id"))
            if not _is_task_event(kind):
                return None
            current = previous
        return None

    def pair(self, event: dict[str, Any], name: str) -> int | None:
        """The pending entry an exit event closes."""
        waiting = self.pending.get(name)
        if not waiting:
            return None
        index = self.chain(event) if self.chained else None
        if index is None or index not in waiting:
            index = waiting[0]
        waiting.remove(index)
        self.open.remove(index)
        return index

    def owner(self, event: dict[str, Any], kind: str) -> int | None:
        """The open step of type `kind` a task or attempt event belongs to."""
        index = self.chain(event) if self.chained else None
        if index is not None and index in self.open and self.seen.steps[index].type == kind:
            return index
        for candidate in reversed(self.open):
            if self.seen.steps[candidate].type == kind:
                return candidate
        return None


def _answer(kind: str, details: dict[str, Any], request: Any) -> Answer:
    if kind in SUCCEEDED_EVENTS:
        return Answer(True, value(details.get("output")), request=request)
    return Answer(
        False,
        error=str(details.get("error") or ""),
        cause=str(details.get("cause") or ""),
        timed_out=kind.endswith("TimedOut"),
        request=request,
    )


def _result(kind: str, details: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"status": _ENDINGS[kind]}
    if kind == "ExecutionSucceeded":
        result["output"] = value(details.get("output"))
    elif kind != "ExecutionAborted":
        result["error"] = details.get("error")
        result["cause"] = details.get("cause")
    return result


def observe(events: list[dict[str, Any]]) -> Observation:
    """Read GetExecutionHistory's events (in id order) as an Observation."""
    return _Reader(events).read()
