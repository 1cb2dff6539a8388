"""Finding the first place where two executions differ, after normalising what may differ by chance.

Steps are compared in order. Inside Map and Parallel states (a run of steps whose states are not
top-level states of the definition) the steps are first ordered by state name and input, keeping
history order otherwise: concurrent iterations and branches may interleave differently from run to run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from asl.replay.steps import Observation, Step

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Missing:
    """A value that is not there (a missing key, an array that is shorter)."""

    def __repr__(self) -> str:
        return "(missing)"


MISSING: Any = _Missing()


def _text(text: str, timestamps: bool) -> str:
    if text.startswith("{") and '"stackTrace"' in text:
        try:
            cause = json.loads(text)
        except ValueError:
            cause = None
        if isinstance(cause, dict) and "stackTrace" in cause:
            text = json.dumps({**cause, "stackTrace": "<stack trace>"})
    text = _UUID.sub("<uuid>", text)
    return _TIMESTAMP.sub("<timestamp>", text) if timestamps else text


def normalise(value: Any, *, timestamps: bool = False) -> Any:
    """`value` with UUIDs as `<uuid>`, Lambda stack traces as `<stack trace>` (and timestamps, if asked)."""
    if isinstance(value, str):
        return _text(value, timestamps)
    if isinstance(value, dict):
        return {key: normalise(item, timestamps=timestamps) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise(item, timestamps=timestamps) for item in value]
    return value


def normalise_observation(seen: Observation, *, timestamps: bool = False) -> Observation:
    """A copy of `seen` with every input, output, error and cause normalised."""
    steps = [
        Step(
            s.state,
            s.type,
            normalise(s.input, timestamps=timestamps),
            normalise(s.output, timestamps=timestamps),
            s.exited,
            s.attempts,
        )
        for s in seen.steps
    ]
    return Observation(
        steps=steps,
        result=normalise(seen.result, timestamps=timestamps),
        events=list(seen.events),
        answers=seen.answers,
        input=seen.input,
        started=seen.started,
        start_time=seen.start_time,
    )


@dataclass(frozen=True)
class Divergence:
    """Where a replay first differs: which state (None: the execution), which field, expected and got."""

    state: str | None
    #: `path` (a different state), `type`, `input`, `output`, `retries`, `task results`,
    #: `status`, `error`, `cause` (of the execution) or `events`.
    field: str
    expected: Any
    got: Any
    #: Where inside the value they differ, as a JSONPath (`$.charge.chargeId`).
    at: str = "$"
    #: Which visit of the state (1 is the first), or which event (1-based) for `events`.
    visit: int = 0
    #: For `path`: the last state both executions visited before they parted (None: at the start).
    after: str | None = None

    def where(self) -> str:
        """`state 'Ship' (visit 1)`, or `the execution`."""
        if self.state is None:
            return "the execution" if self.field != "events" else f"event #{self.visit}"
        return f"state {self.state!r}" + (f" (visit {self.visit})" if self.visit else "")

    def what(self) -> str:
        """The field, with the place inside its value: `output at $.status`."""
        if self.field in ("input", "output", "error", "cause") and self.at != "$":
            return f"{self.field} at {self.at}"
        return self.field

    def describe(self) -> str:
        """One line: where, what, expected versus got."""
        if self.field == "path":
            where = f"after state {self.after!r}" if self.after else "at the start"
            return f"the path differs {where}: expected {_state(self.expected)}, got {_state(self.got)}"
        if self.field == "task results":
            return (
                f"{self.where()} ran out of recorded task results: the recording has {self.expected}, "
                f"the replay asked for one more ({self.got})"
            )
        return f"{self.where()}, {self.what()}: expected {show(self.expected)}, got {show(self.got)}"

    def as_json(self) -> dict[str, Any]:
        """The divergence for `--format json` (a missing value is null)."""
        return {
            "state": self.state,
            "field": self.field,
            "at": self.at,
            "visit": self.visit,
            "after": self.after,
            "expected": None if self.expected is MISSING else self.expected,
            "got": None if self.got is MISSING else self.got,
            "message": self.describe(),
        }


def _state(name: Any) -> str:
    return "the end of the execution" if name is MISSING or name is None else repr(name)


def show(value: Any, limit: int = 300) -> str:
    """A value as compact JSON for messages, shortened past `limit` characters."""
    if value is MISSING:
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _member(at: str, key: str) -> str:
    return f"{at}.{key}" if _KEY.match(key) else f"{at}[{json.dumps(key)}]"


def value_diff(expected: Any, got: Any, at: str = "$") -> tuple[str, Any, Any] | None:
    """The first place two JSON values differ: (JSONPath, expected part, got part), or None."""
    if expected is MISSING and got is MISSING:
        return None
    if expected is MISSING or got is MISSING or _kind(expected) != _kind(got):
        return at, expected, got
    if isinstance(expected, dict):
        for key in [*expected, *(k for k in got if k not in expected)]:
            found = value_diff(expected.get(key, MISSING), got.get(key, MISSING), _member(at, key))
            if found:
                return found
        return None
    if isinstance(expected, list):
        for index in range(max(len(expected), len(got))):
            left = expected[index] if index < len(expected) else MISSING
            right = got[index] if index < len(got) else MISSING
            found = value_diff(left, right, f"{at}[{index}]")
            if found:
                return found
        return None
    return None if expected == got else (at, expected, got)


def _order(step: Step) -> tuple[str, str]:
    return step.state, json.dumps(step.input, sort_keys=True)


def canonical(steps: list[Step], top_level: frozenset[str]) -> list[Step]:
    """Steps with each run of nested (Map/Parallel) steps ordered by state name and input, stably."""
    if not top_level:
        return list(steps)
    ordered: list[Step] = []
    nested: list[Step] = []
    for step in steps:
        if step.state in top_level:
            ordered.extend(sorted(nested, key=_order))
            nested = []
            ordered.append(step)
        else:
            nested.append(step)
    ordered.extend(sorted(nested, key=_order))
    return ordered


def compare_steps(expected: list[Step], got: list[Step], top_level: frozenset[str]) -> Divergence | None:
    """The first step where the two step lists differ.

    A Map or Parallel state's output is compared after the steps inside it, which explain it.
    """
    left, right = canonical(expected, top_level), canonical(got, top_level)
    visits: dict[str, int] = {}
    deferred: list[tuple[Step, Step, int]] = []
    for index in range(max(len(left), len(right))):
        want = left[index] if index < len(left) else None
        have = right[index] if index < len(right) else None
        if want is None or have is None or want.state != have.state:
            name = (want or have).state  # type: ignore[union-attr]
            return Divergence(
                name,
                "path",
                want.state if want else MISSING,
                have.state if have else MISSING,
                visit=visits.get(name, 0) + 1,
                after=left[index - 1].state if index else None,
            )
        if want.state in top_level:
            found = _outputs(deferred)
            if found:
                return found
        visit = visits[want.state] = visits.get(want.state, 0) + 1
        found = _step_diff(want, have, visit)
        if found:
            return found
        if want.type in ("Map", "Parallel") and want.state in top_level:
            deferred.append((want, have, visit))
        else:
            found = _outputs([(want, have, visit)])
            if found:
                return found
    return _outputs(deferred)


def _step_diff(want: Step, have: Step, visit: int) -> Divergence | None:
    if want.type != have.type:
        return Divergence(want.state, "type", want.type, have.type, visit=visit)
    found = value_diff(want.input, have.input)
    if found:
        return Divergence(want.state, "input", found[1], found[2], found[0], visit)
    if want.retries != have.retries:
        return Divergence(want.state, "retries", want.retries, have.retries, visit=visit)
    return None


def _outputs(pairs: list[tuple[Step, Step, int]]) -> Divergence | None:
    while pairs:
        want, have, visit = pairs.pop(0)
        found = value_diff(want.output if want.exited else MISSING, have.output if have.exited else MISSING)
        if found:
            return Divergence(want.state, "output", found[1], found[2], found[0], visit)
    return None


def compare_results(expected: dict[str, Any], got: dict[str, Any]) -> Divergence | None:
    """The first field where two execution results differ: status, then output or error and cause."""
    if expected.get("status") != got.get("status"):
        return Divergence(None, "status", expected.get("status"), got.get("status"))
    for key in ("output", "error", "cause"):
        found = value_diff(expected.get(key, MISSING), got.get(key, MISSING))
        if found and not (key != "output" and found[1] is MISSING and found[2] is None):
            return Divergence(None, key, found[1], found[2], found[0])
    return None


def compare_events(expected: list[str], got: list[str]) -> Divergence | None:
    """The first history event whose type differs."""
    for index in range(max(len(expected), len(got))):
        left = expected[index] if index < len(expected) else MISSING
        right = got[index] if index < len(got) else MISSING
        if left != right:
            return Divergence(None, "events", left, right, visit=index + 1)
    return None


def first_divergence(
    expected: Observation, got: Observation, top_level: frozenset[str], *, events: bool = True
) -> Divergence | None:
    """Steps first (in time order), then the execution's result, then (if asked) the event types."""
    return (
        compare_steps(expected.steps, got.steps, top_level)
        or compare_results(expected.result, got.result)
        or (compare_events(expected.events, got.events) if events else None)
    )
