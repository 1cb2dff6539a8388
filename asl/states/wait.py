"""Wait: let time pass (Seconds, SecondsPath, Timestamp, TimestampPath, or JSONata)."""

from __future__ import annotations

from typing import Any

from asl import io
from asl.choice import is_number, parse_timestamp
from asl.errors import QueryEvaluationError, StatesRuntime
from asl.executor import Execution, Frame, Outcome
from asl.io import dynamic_value
from asl.model import QueryLanguage, WaitState
from asl.paths import Scope


async def run(ex: Execution, state: WaitState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Wait state."""
    jsonata = state.query_language is QueryLanguage.JSONATA
    value = raw if jsonata else io.effective_input(state, raw, scope)
    read_scope = scope if jsonata else Scope(value, scope.context, scope.variables)
    delay = (
        _seconds(state, read_scope)
        if state.seconds is not None
        else _until(state, read_scope, ex.clock.now())
    )
    await ex.sleep(max(delay, 0))
    if jsonata:
        out = state.output(scope) if state.output is not None else raw
    else:
        out = io.apply_output_path(state, value, scope)
    return Outcome(out, state.next, assign_input=value)


def _seconds(state: WaitState, scope: Scope) -> float:
    dyn = state.seconds
    assert dyn is not None
    value = dynamic_value(dyn, scope)
    if is_number(value) and value >= 0 and (dyn.expr is not None or int(value) == value):
        return float(value)
    if dyn.expr is not None:
        raise QueryEvaluationError(
            f"The JSONata expression '{dyn.text}' specified for the field 'Seconds' returned an unexpected "
            f"result type. Expected 'integer', but was '{type(value).__name__}' for value: {value}",
            location="Seconds",
        )
    raise StatesRuntime(f"The SecondsPath parameter references an invalid value: {dyn.text} == {value}")


def _until(state: WaitState, scope: Scope, now: float) -> float:
    dyn = state.timestamp
    assert dyn is not None
    value = dynamic_value(dyn, scope)
    when = parse_timestamp(value)
    if when is None and dyn.expr is not None:
        raise QueryEvaluationError(
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
            f"{value}",
            location="Timestamp",
        )
    if when is None:
        raise StatesRuntime(
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
            f"format string: {dyn.text} == {value}"
        )
    return when.timestamp() - now
