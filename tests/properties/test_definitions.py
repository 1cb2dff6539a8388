"""Random and mutated definitions through the loader, the validator and a run.

Allowed outcomes: `validate` returns diagnostics (never raises); `StateMachine(...)` loads or raises
`DefinitionError`; a run returns an ExecutionResult (any status) or raises one of our documented errors
(`asl.errors.AslError`). Never another exception, never a hang (tests/bounded.py).
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from asl import DefinitionError, StateMachine
from asl.parse import _CHECKED_WHEN_CALLED
from asl.validate import validate
from tests.bounded import bounded
from tests.properties.strategies import json_values, machine, mutated_sample, outcome

STATUSES = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def load_and_run(definition: Any, input: Any) -> None:
    diagnostics = validate(definition)
    assert all(d.severity in ("ERROR", "WARNING") for d in diagnostics)
    # errors AWS reports only when the task runs (a missing API parameter) do not stop the loader
    refusing = [d for d in diagnostics if d.is_error and d.code not in _CHECKED_WHEN_CALLED]
    try:
        sm = StateMachine(definition, history_limit=400)
    except DefinitionError as exc:
        problems = exc.problems
        assert problems
        assert refusing, "asl validate and the loader agree on what is invalid"
        return
    assert not refusing, refusing
    result = outcome(sm, input)
    if result is None:
        return
    assert result.status in STATUSES
    assert result.error is None or isinstance(result.error, str)  # a Fail state may name no error


@given(machine(), json_values)
@example(  # found by this test: a non-integer TimeoutSeconds beside HeartbeatSeconds crashed the loader
    {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "TimeoutSeconds": "A",
                         "HeartbeatSeconds": 1, "End": True}},
        "QueryLanguage": "JSONata",
    },
    None,
)  # fmt: skip
def test_random_definitions_load_validate_and_run_cleanly(definition: dict[str, Any], input: Any) -> None:
    with bounded(10, "loading, validating and running a random definition"):
        load_and_run(definition, input)


@given(mutated_sample(), st.one_of(st.just({}), json_values))
def test_mutated_samples_load_validate_and_run_cleanly(definition: Any, input: Any) -> None:
    with bounded(10, "loading, validating and running a mutated sample"):
        load_and_run(definition, input)
