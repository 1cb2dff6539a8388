"""A run that cannot suspend (states that never wait, virtual clock) runs without an event loop, identically.

`StateMachine.run_sync` runs such executions directly (no asyncio to import: `asl run`'s start-up); the
result and every history event must be what the event-loop path (`run`) records.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import anyio
import pytest

from asl import StateMachine, VirtualClock

START = 1_700_000_000.0

PASS_CHAIN = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Parameters": {"x.$": "$.x", "n": 1}, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "Result": {"ok": True}, "End": True},
    },
}
CHOICE_LOOP = {
    "StartAt": "Add",
    "States": {
        "Add": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.i", "NumericLessThan": 5, "Next": "Add"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}
FAILS = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Custom.Error", "Cause": "why"}}}
NO_CHOICE = {
    "StartAt": "C",
    "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "D"}]},
        "D": {"Type": "Succeed"},
    },
}
JSONATA = {
    "QueryLanguage": "JSONata",
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Assign": {"seen": "{% $states.input.x %}"}, "Output": {"y": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $seen & '!' %}", "End": True},
    },
}
BAD_PATH = {"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$.missing", "End": True}}}
TOO_LONG = {
    "StartAt": "A",
    "States": {
        "A": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "B"}],
            "Default": "A",
        },
        "B": {"Type": "Succeed"},
    },
}

CASES: list[tuple[str, dict[str, Any], Any, dict[str, Any]]] = [
    ("pass chain", PASS_CHAIN, {"x": 1}, {}),
    ("choice loop", CHOICE_LOOP, {"i": 0}, {}),
    ("fail state", FAILS, {}, {}),
    ("no choice matched", NO_CHOICE, {}, {}),
    ("jsonata and variables", JSONATA, {"x": "hi"}, {}),
    ("runtime error", BAD_PATH, {}, {}),
    ("history limit", TOO_LONG, {}, {"history_limit": 50}),
]


@pytest.mark.parametrize(("definition", "data", "options"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_direct_run_records_what_the_event_loop_run_records(
    definition: dict[str, Any], data: Any, options: dict[str, Any]
) -> None:
    machine = StateMachine(definition, **options)
    assert machine.definition.machine.never_waits
    direct = machine.run_sync(data, clock=VirtualClock(START), execution_name="e", seed=7)

    async def looped() -> Any:
        return await machine.run(data, clock=VirtualClock(START), execution_name="e", seed=7)

    reference = anyio.run(looped)
    for field in ("status", "output", "error", "cause", "failed_state", "transitions", "stop_time"):
        assert getattr(direct, field) == getattr(reference, field), field
    assert direct.history == reference.history


def test_a_run_that_never_waits_imports_no_event_loop() -> None:
    code = (
        "import sys\n"
        "from asl import StateMachine\n"
        "r = StateMachine({'StartAt': 'A', 'States': {'A': {'Type': 'Pass', 'End': True}}}).run_sync({})\n"
        "assert r.status == 'SUCCEEDED'\n"
        "print(sorted(m for m in ('asyncio', 'anyio') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
