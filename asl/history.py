"""Execution history events, shaped as GetExecutionHistory returns them.

Payloads are kept as values and turned into JSON strings only when the history is read (or when
the payload limit needs their size), so recording costs little on the hot path.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from asl.clock import Clock

if TYPE_CHECKING:
    from asl.resume import Recording


class EventType(enum.StrEnum):
    """History event types other than `<Type>StateEntered/Exited/Failed/Aborted` (built from the state type)."""

    EXECUTION_STARTED = "ExecutionStarted"
    EXECUTION_SUCCEEDED = "ExecutionSucceeded"
    EXECUTION_FAILED = "ExecutionFailed"
    EXECUTION_TIMED_OUT = "ExecutionTimedOut"
    EXECUTION_ABORTED = "ExecutionAborted"
    EXECUTION_REDRIVEN = "ExecutionRedriven"
    MAP_STATE_STARTED = "MapStateStarted"
    MAP_STATE_SUCCEEDED = "MapStateSucceeded"
    MAP_ITERATION_STARTED = "MapIterationStarted"
    MAP_ITERATION_SUCCEEDED = "MapIterationSucceeded"
    MAP_ITERATION_FAILED = "MapIterationFailed"
    MAP_ITERATION_ABORTED = "MapIterationAborted"
    MAP_RUN_STARTED = "MapRunStarted"
    MAP_RUN_SUCCEEDED = "MapRunSucceeded"
    MAP_RUN_FAILED = "MapRunFailed"
    PARALLEL_STATE_STARTED = "ParallelStateStarted"
    PARALLEL_STATE_SUCCEEDED = "ParallelStateSucceeded"
    EVALUATION_FAILED = "EvaluationFailed"
    TASK_SCHEDULED = "TaskScheduled"
    TASK_STARTED = "TaskStarted"
    TASK_SUCCEEDED = "TaskSucceeded"
    TASK_FAILED = "TaskFailed"
    TASK_TIMED_OUT = "TaskTimedOut"
    LAMBDA_SCHEDULED = "LambdaFunctionScheduled"
    LAMBDA_STARTED = "LambdaFunctionStarted"
    LAMBDA_SUCCEEDED = "LambdaFunctionSucceeded"
    LAMBDA_FAILED = "LambdaFunctionFailed"
    LAMBDA_TIMED_OUT = "LambdaFunctionTimedOut"
    ACTIVITY_SCHEDULED = "ActivityScheduled"
    ACTIVITY_STARTED = "ActivityStarted"
    ACTIVITY_SUCCEEDED = "ActivitySucceeded"
    ACTIVITY_FAILED = "ActivityFailed"
    ACTIVITY_TIMED_OUT = "ActivityTimedOut"


class Payload:
    """A JSON value recorded in an event; serialised once, on demand."""

    __slots__ = ("_text", "value")

    def __init__(self, value: Any, text: str | None = None) -> None:
        self.value = value
        self._text = text

    @property
    def text(self) -> str:
        """The value as compact JSON."""
        if self._text is None:
            self._text = dumps(self.value)
        return self._text


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
# The C encoder behind json.dumps, built once (json.dumps builds a new one on every call). JSON values
# from a definition or a handler cannot be cyclic, so no cycle markers are needed.
_MAKE = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE = (
    _MAKE(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    if _MAKE
    else None
)


def dumps(value: Any) -> str:
    """Compact JSON, as AWS shows payloads."""
    if _C_ENCODE is None or isinstance(value, str):
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


class StateDetails:
    """The details of a state entered/exited event, kept compact until the history is read."""

    __slots__ = ("extra", "key", "name", "payload")

    def __init__(self, name: str, key: str, payload: Payload, extra: dict[str, Any] | None) -> None:
        self.name = name
        self.key = key
        self.payload = payload
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        """`{"name", "input"/"output", "inputDetails"/"outputDetails", ...extra}`."""
        details: dict[str, Any] = {
            "name": self.name,
            self.key: self.payload,
            f"{self.key}Details": {"truncated": False},
        }
        if self.extra:
            details.update(self.extra)
        return details


def _detail_key(event_type: str) -> str:
    """`PassStateEntered` -> `stateEnteredEventDetails`; `TaskFailed` -> `taskFailedEventDetails`."""
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def _materialise(value: Any) -> Any:
    if isinstance(value, StateDetails):
        return _materialise(value.as_dict())
    if isinstance(value, Payload):
        return value.text
    if isinstance(value, dict):
        return {k: _materialise(v) for k, v in value.items()}
    return value


class History:
    """The events of one execution, in order; ids start at 1."""

    def __init__(self, clock: Clock, limit: int = 0) -> None:
        self.clock = clock
        #: AWS fails an execution whose history would pass 25,000 events; 0 = no limit.
        self.limit = limit
        #: (type, previous id, time, details, lane, the state an Exited event went to).
        self._events: list[tuple[str, int, float, dict[str, Any] | StateDetails | None, str, Any]] = []
        #: Called as listener(event_type, details) after each event (the CLI's live view).
        self.listeners: list[Callable[[str, dict[str, Any] | None], None]] = []
        #: Called with each event as GetExecutionHistory returns it, plus its `lane`, and for a
        #: `...StateExited` event the state it went to as `next` (durable storage; see `asl.resume`).
        self.recorders: list[Callable[[dict[str, Any]], None]] = []
        #: The recorded history being continued, if any (see `asl.resume`).
        self.recording: Recording | None = None

    def preload(self, events: list[dict[str, Any]], *, redrive: bool = False) -> None:
        """Start from recorded events (a history being continued); new events get the next ids."""
        from asl import resume

        for index, event in enumerate(events):
            if event["id"] != index + 1:
                raise ValueError(
                    f"recorded events must be numbered 1, 2, 3...; event {index + 1} is {event['id']}"
                )
            self._events.append(
                (
                    event["type"],
                    int(event["previousEventId"]),
                    resume.timestamp(event),
                    resume.details(event) or None,
                    str(event.get("lane", "")),
                    event.get("next"),
                )
            )
        self.recording = resume.Recording(events, redrive=redrive)

    def add(
        self,
        event_type: str,
        details: dict[str, Any] | None = None,
        previous: int | None = None,
        lane: str = "",
        next_state: Any = None,
    ) -> int:
        """Record an event; return its id. `previous` defaults to the event just before."""
        if self.recording is not None:
            recorded = self.recording.take(lane, event_type)
            if recorded is not None:
                return int(recorded["id"])
        event_id = len(self._events) + 1
        if self.limit and event_id >= self.limit:
            self._over_limit()
        prev = previous if previous is not None else event_id - 1
        self._events.append((event_type, prev, self.clock.now(), details, lane, next_state))
        for listener in self.listeners:
            listener(event_type, details)
        if self.recorders:
            self._record(event_id)
        return event_id

    def _record(self, event_id: int) -> None:
        event = self._event(event_id - 1)
        _, _, _, _, lane, next_state = self._events[event_id - 1]
        event["lane"] = lane
        if event["type"].endswith("StateExited"):
            event["next"] = next_state
        for recorder in self.recorders:
            recorder(event)

    def timestamp(self, event_id: int) -> float:
        """When an event was recorded (epoch seconds)."""
        return self._events[event_id - 1][2]

    def add_state(
        self,
        event_type: str,
        name: str,
        key: str,
        payload: Payload,
        extra: dict[str, Any] | None = None,
        previous: int | None = None,
        lane: str = "",
        next_state: Any = None,
    ) -> int:
        """Record a state entered/exited event (the hot path: details stay compact)."""
        if self.recording is not None:
            recorded = self.recording.take(lane, event_type, name)
            if recorded is not None:
                return int(recorded["id"])
        event_id = len(self._events) + 1
        if self.limit and event_id >= self.limit:
            self._over_limit()
        details = StateDetails(name, key, payload, extra)
        prev = previous if previous is not None else event_id - 1
        self._events.append((event_type, prev, self.clock.now(), details, lane, next_state))
        if self.listeners:
            as_dict = details.as_dict()
            for listener in self.listeners:
                listener(event_type, as_dict)
        if self.recorders:
            self._record(event_id)
        return event_id

    def close(
        self, event_type: str, details: dict[str, Any] | None = None, previous: int | None = None
    ) -> int:
        """Record the execution's closing event; it is recorded even past the history limit."""
        limit, self.limit = self.limit, 0
        self.recording = None  # whatever was recorded before, the end is new
        try:
            return self.add(event_type, details, previous)
        finally:
            self.limit = limit

    def _over_limit(self) -> None:
        """The execution has as many events as it may have: only its closing event can still be recorded.

        AWS's quota (the history-limit best-practices page): when event 25,000 would not be the
        execution's end, ExecutionFailed is recorded as event 25,000.
        """
        from asl.errors import StatesRuntime

        raise StatesRuntime(f"The execution reached the maximum number of history events ({self.limit}).")

    def __len__(self) -> int:
        return len(self._events)

    def types(self) -> list[str]:
        """The event types in order (cheap; no payload serialisation)."""
        return [e[0] for e in self._events]

    def events(self) -> list[dict[str, Any]]:
        """The events as GetExecutionHistory returns them."""
        return list(self.iter_events())

    def iter_events(self) -> Iterator[dict[str, Any]]:
        """The events one at a time (a long history is never held twice)."""
        for index in range(len(self._events)):
            yield self._event(index)

    def _event(self, index: int) -> dict[str, Any]:
        event_type, prev, when, details, _, _ = self._events[index]
        event: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(when, UTC).isoformat(timespec="milliseconds"),
            "type": event_type,
            "id": index + 1,
            "previousEventId": prev,
        }
        if details is not None:
            event[_detail_key(event_type)] = _materialise(details)
        return event


class Lane:
    """One thread of causality in a history: each event's `previousEventId` is the lane's last event.

    The top level is one lane; each Parallel branch and Map iteration gets its own, starting at the
    event that started it, so `previousEventId` follows causes (as AWS records it), not interleaving.
    A lane's `key` names it stably (the same branch or iteration gets the same key when an execution
    is run again from its history), and `count` is how many events it has recorded.
    """

    __slots__ = ("count", "history", "key", "last")

    def __init__(self, history: History, last: int, key: str = "") -> None:
        self.history = history
        self.last = last
        self.key = key
        self.count = 0

    def add(self, event_type: str, details: dict[str, Any] | None = None, next_state: Any = None) -> int:
        """Record an event caused by this lane's last one."""
        self.count += 1
        self.last = self.history.add(event_type, details, self.last, self.key, next_state)
        return self.last

    def add_state(
        self,
        event_type: str,
        name: str,
        key: str,
        payload: Payload,
        extra: dict[str, Any] | None = None,
        next_state: Any = None,
    ) -> int:
        """Record a state entered/exited event caused by this lane's last one."""
        self.count += 1
        self.last = self.history.add_state(
            event_type, name, key, payload, extra, self.last, self.key, next_state
        )
        return self.last

    def add_aside(
        self, event_type: str, details: dict[str, Any] | None = None, previous: int | None = None
    ) -> int:
        """Record an event caused by this lane's last one, without making it the lane's last.

        AWS chains some events off to the side: `ParallelStateSucceeded` and `MapStateSucceeded` point
        at the last branch event, and so does the `...StateExited` after them; a Task that fails inside
        a branch records `TaskStateAborted`, and the branch's failure points past it.
        """
        self.count += 1
        return self.history.add(event_type, details, self.last if previous is None else previous, self.key)

    def close(self, event_type: str, details: dict[str, Any] | None = None) -> int:
        """Record the execution's closing event (past the history limit too)."""
        self.count += 1
        self.last = self.history.close(event_type, details, previous=self.last)
        return self.last

    def fork(self, tag: str | int) -> Lane:
        """A new lane starting at this lane's last event (a branch or an iteration)."""
        return Lane(self.history, self.last, f"{self.key}/{self.count}.{tag}")

    def join(self) -> None:
        """Continue after concurrent lanes: from the latest event of the whole history."""
        self.last = len(self.history)


def payload_details(name: str | None, key: str, value: Any) -> dict[str, Any]:
    """`{"name": ..., "input": <json>, "inputDetails": {"truncated": false}}`-style details."""
    details: dict[str, Any] = {} if name is None else {"name": name}
    details[key] = value if isinstance(value, Payload) else Payload(value)
    details[f"{key}Details"] = {"truncated": False}
    return details


def history_file(execution_arn: str, events: Iterable[dict[str, Any]]) -> Iterator[str]:
    """`{"executionArn": ..., "events": [...]}` as `json.dumps(..., indent=2)` writes it, plus a newline, in pieces.

    One event is encoded at a time, so writing a history of millions of events holds one of them, not the
    whole document (asl.files.write_atomically takes the pieces).
    """
    yield '{\n  "executionArn": ' + json.dumps(execution_arn) + ',\n  "events": ['
    separator = "\n    "
    written = False
    for event in events:
        yield separator + json.dumps(event, indent=2).replace("\n", "\n    ")
        separator = ",\n    "
        written = True
    yield "\n  ]\n}\n" if written else "]\n}\n"
