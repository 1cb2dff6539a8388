"""Runs every public conformance case through the Python API and compares with AWS's recording."""

from __future__ import annotations

from typing import Any

import pytest

from asl import StateMachine, TaskRegistry
from asl.resources import TaskContext
from tests.conformance.cases import PUBLIC, compare_events, compare_outcome, load_cases

CASES = load_cases()

#: Cases we knowingly fail, each with the reason. This list may only shrink.
EXPECTED_FAILURES: dict[str, str] = {}

RESULTS: dict[str, bool] = {}


async def _never_invoked(payload: Any, ctx: TaskContext) -> Any:
    raise AssertionError(f"the recording shows {ctx.resource.raw} is never invoked in this case")


def _registry(definition: dict[str, Any]) -> TaskRegistry:
    """A registry whose handlers fail the test if called (the recorded cases never reach them)."""
    registry = TaskRegistry()
    stack = [definition]
    seen: set[str] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            resource = node.get("Resource")
            if node.get("Type") == "Task" and isinstance(resource, str) and resource not in seen:
                seen.add(resource)
                registry.register(resource, _never_invoked)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return registry


def run_case(case: dict[str, Any]) -> list[str]:
    machine = StateMachine(case["definition"], registry=_registry(case["definition"]))
    result = machine.run_sync(case["input"])
    got = {"status": result.status, "output": result.output, "error": result.error, "cause": result.cause}
    return compare_outcome(case, got) + compare_events(case, result.event_types)


@pytest.mark.skipif(
    not PUBLIC.exists(), reason="../shared/conformance is not next to this checkout (a user's clone)"
)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance(case: dict[str, Any]) -> None:
    reason = EXPECTED_FAILURES.get(case["id"])
    problems = run_case(case)
    RESULTS[case["id"]] = not problems
    if reason is not None:
        if not problems:
            pytest.fail(f"{case['id']} now passes: remove it from EXPECTED_FAILURES")
        pytest.xfail(reason)
    assert not problems, "\n".join(problems)


def test_expected_failures_are_real_cases() -> None:
    ids = {c["id"] for c in CASES}
    if not ids:
        pytest.skip("../shared/conformance is not next to this checkout (a user's clone)")
    assert set(EXPECTED_FAILURES) <= ids
