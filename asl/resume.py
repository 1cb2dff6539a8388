"""Continuing an execution from its recorded history (a server restarted after a crash).

The execution runs again from the start, lane by lane (the top level, each Parallel branch, each Map
iteration; see `asl.history.Lane`), against what its history recorded:

- a state whose Exited event is recorded is not run again: its output, the variables it assigned
  and the state it went to are taken from the record (`completed_state`);
- a state that was running when the history ends runs again, and the events it records match the
  recorded ones one by one (same ids, same timestamps) until the record runs out: a Task whose result
  is recorded gets it from the record, one whose result is not is invoked again (at least once, as
  AWS documents for task retries); a Wait ends when it would have, counted from its recorded entry;
  a task token is the same as before, so a callback for it still completes the execution;
- after that, the execution records new events as usual.

Recorded answers stand in for the work, as `asl replay` answers tasks from a recording; here they are
matched per lane rather than per state name, so concurrent branches and iterations, random values and
handed-out tokens come back exactly as recorded.
"""

from __future__ import annotations

import json
from collections import deque
from datetime import datetime
from typing import Any

from asl.errors import StatesRuntime

#: What a recorded event must carry to be continued: GetExecutionHistory's fields plus its lane.
REQUIRED = ("id", "type", "previousEventId", "timestamp", "lane")


class ResumeError(StatesRuntime):
    """The execution does not record what its history says it recorded (a changed definition)."""


class Recording:
    """The recorded events of an execution, queued by lane, consumed as the execution runs again."""

    def __init__(self, events: list[dict[str, Any]], *, redrive: bool = False) -> None:
        self.events = events
        self._lanes: dict[str, deque[dict[str, Any]]] = {}
        for event in events[1:]:  # ExecutionStarted is the start itself
            if event["type"] == "ExecutionRedriven":
                self._redriven()  # what came before it is what that redrive kept
            elif not event["type"].startswith("Execution"):
                self._lanes.setdefault(event.get("lane", ""), deque()).append(event)
        if redrive:
            self._redriven()

    def _redriven(self) -> None:
        """Keep what a redrive keeps: each lane up to its last completed state.

        What came after (the failure, what was cut short beside it) runs anew.
        """
        for queue in self._lanes.values():
            while queue and not queue[-1]["type"].endswith("StateExited"):
                queue.pop()

    def take(self, lane: str, event_type: str, state: str | None = None) -> dict[str, Any] | None:
        """The next recorded event of `lane`, which must be `event_type` (of `state`); None once the record ends."""
        queue = self._lanes.get(lane)
        if not queue:
            return None
        event = queue.popleft()
        if event["type"] != event_type or (state is not None and _name(event) != state):
            raise ResumeError(
                f"The execution cannot resume from its history: event {event['id']} is {event['type']}"
                f"{_of(event)}, but running the definition again records {event_type}"
                f"{f' of {state!r}' if state else ''} there."
            )
        return event

    def peek(self, lane: str) -> dict[str, Any] | None:
        """The next recorded event of `lane`, not consumed."""
        queue = self._lanes.get(lane)
        return queue[0] if queue else None

    def completed_state(self, lane: str, name: str, state_type: str) -> list[dict[str, Any]] | None:
        """The recorded events of state `name` entered next in `lane`, when its Exited event is recorded."""
        queue = self._lanes.get(lane)
        if not queue:
            return None
        first = queue[0]
        if first["type"] != f"{state_type}StateEntered" or _name(first) != name:
            self.take(lane, f"{state_type}StateEntered", name)  # raises, saying how the record differs
        for index in range(1, len(queue)):
            event = queue[index]
            if event["type"].endswith("StateEntered"):
                return None
            if event["type"].endswith("StateExited") and _name(event) == name:
                return [queue.popleft() for _ in range(index + 1)]
        return None


def _of(event: dict[str, Any]) -> str:
    name = _name(event)
    return f" of {name!r}" if name is not None else ""


def _name(event: dict[str, Any]) -> str | None:
    for key in ("stateEnteredEventDetails", "stateExitedEventDetails"):
        if key in event:
            return str(event[key].get("name"))
    return None


def details(event: dict[str, Any]) -> dict[str, Any]:
    """An event's `<type>EventDetails` (empty when it has none)."""
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def value(text: Any) -> Any:
    """A recorded JSON payload (histories hold them as strings) as a value."""
    return json.loads(text) if isinstance(text, str) else text


def timestamp(event: dict[str, Any]) -> float:
    """A recorded event's time, in epoch seconds (stored as a number or as GetExecutionHistory's text)."""
    when = event["timestamp"]
    if isinstance(when, int | float):
        return float(when)
    return datetime.fromisoformat(str(when)).timestamp()


def check(events: list[dict[str, Any]], *, redrive: bool = False) -> None:
    """Refuse a history that cannot be continued (or, with `redrive`, redriven), saying why."""
    if not events or events[0].get("type") != "ExecutionStarted":
        raise ValueError("a history to resume must begin with its ExecutionStarted event")
    for event in events:
        missing = [key for key in REQUIRED if key not in event]
        if missing:
            raise ValueError(f"recorded event {event.get('id')} lacks {', '.join(missing)}")
    ended = events[-1]["type"] in _CLOSING
    if redrive and (not ended or events[-1]["type"] == "ExecutionSucceeded"):
        raise ValueError("only an execution that failed, timed out or was aborted can be redriven")
    if not redrive and ended:
        raise ValueError(f"the execution already ended ({events[-1]['type']}): there is nothing to resume")


def redrive_count(events: list[dict[str, Any]]) -> int:
    """How many times the execution was redriven before."""
    return sum(event["type"] == "ExecutionRedriven" for event in events)


_CLOSING = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"})
