"""Wait: let time pass (Seconds, SecondsPath, Timestamp, TimestampPath, or JSONata).

The wait ends at an absolute moment computed from when the state was entered, so an execution that
resumes from its history waits only for what is left.
"""

from __future__ import annotations

import math
from typing import Any

from asl import io
from asl.choice import is_number, parse_timestamp
from asl.errors import QueryEvaluationError, StatesRuntime
from asl.history import dumps
from asl.io import dynamic_value
from asl.jsonvalue import json_type
from asl.model import QueryLanguage, WaitState
from asl.paths import Scope
from asl.runtime import Frame, Outcome, Runtime

#: The largest Seconds a Wait state accepts (the ASL schema's bound).
MAX_SECONDS = 99_999_999


async def run(ex: Runtime, state: WaitState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Wait state."""
    jsonata = state.query_language is QueryLanguage.JSONATA
    value = raw if jsonata else io.effective_input(state, raw, scope)
    read_scope = scope if jsonata else Scope(value, scope.context, scope.variables)
    entered = frame.history.history.timestamp(frame.history.last)
    until = entered + _seconds(state, read_scope) if state.seconds is not None else _until(state, read_scope)
    await ex.clock.sleep_until(until)
    if jsonata:
        out = state.output(scope) if state.output is not None else raw
    else:
        out = io.apply_output_path(state, value, scope)
    return Outcome(out, state.next, assign_input=value)


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else dumps(value)


def _seconds(state: WaitState, scope: Scope) -> int:
    dyn = state.seconds
    assert dyn is not None
    value = dynamic_value(dyn, scope)
    integral = is_number(value) and math.isfinite(value) and int(value) == value
    if integral and 0 <= value <= MAX_SECONDS:
        return int(value)
    if dyn.expr is not None:
        if integral:
            raise QueryEvaluationError(
                f"The JSONata expression '{dyn.text}' specified for the field 'Seconds' returned a value "
                f"out of range. Expected an integer from 0 to {MAX_SECONDS}, but was: {_shown(value)}",
                location="Seconds",
            )
        raise QueryEvaluationError(
            f"The JSONata expression '{dyn.text}' specified for the field 'Seconds' returned an unexpected "
            f"result type. Expected 'integer', but was '{json_type(value)}' for value: {_shown(value)}",
            location="Seconds",
        )
    described = f"{dyn.text} == {_shown(value)}"
    if not integral:
        raise StatesRuntime(f"The SecondsPath parameter cannot be parsed as a long value: {described}")
    if value < 0:
        raise StatesRuntime(f"The SecondsPath parameter references a negative value: {described}")
    raise StatesRuntime(
        f"The SecondsPath parameter references a value over the maximum of {MAX_SECONDS}: {described}"
    )


def _until(state: WaitState, scope: Scope) -> float:
    """The moment a Timestamp wait ends, truncated to whole seconds as Step Functions does."""
    dyn = state.timestamp
    assert dyn is not None
    value = dynamic_value(dyn, scope)
    when = parse_timestamp(value)
    if when is None and dyn.expr is not None:
        raise QueryEvaluationError(
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
            f"{_shown(value)}",
            location="Timestamp",
        )
    if when is None:
        raise StatesRuntime(
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
            f"format string: {dyn.text} == {_shown(value)}"
        )
    return float(math.floor(when.timestamp()))
