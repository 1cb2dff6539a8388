"""From a recorded AWS execution to a MockConfigFile test case (`asl replay HISTORY --to-mock-config OUT`).

Every Task state's recorded attempts become a mocked response, in invocation order (retries
included): a success is `Return` (its output), a failure `Throw` (its error and cause; a timeout is
`States.Timeout`). Runs of identical answers collapse into ranges (`"1-3"`). Running the definition
with that test case and the recorded input reproduces the execution, as Step Functions Local would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asl.replay.files import ReplayError, read_text
from asl.replay.steps import Answer, observe


def _reply(answer: Answer) -> dict[str, Any]:
    if answer.returns:
        return {"Return": answer.value}
    error = "States.Timeout" if answer.timed_out else answer.error
    return {"Throw": {"Error": error, "Cause": answer.cause}}


def responses(answers: list[Answer]) -> dict[str, Any]:
    """Invocation numbers (or ranges of identical answers) -> Return/Throw."""
    found: dict[str, Any] = {}
    start = 0
    for index in range(1, len(answers) + 1):
        if index == len(answers) or _reply(answers[index]) != _reply(answers[start]):
            key = str(start) if index - 1 == start else f"{start}-{index - 1}"
            found[key] = _reply(answers[start])
            start = index
    return found


def _response_name(state: str, test_case: str, taken: set[str]) -> str:
    base = "".join(ch if ch.isalnum() else "_" for ch in f"{test_case}_{state}")
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def to_mock_config(
    events: list[dict[str, Any]], machine: str, test_case: str, existing: dict[str, Any] | None = None
) -> tuple[dict[str, Any], Any]:
    """The MockConfigFile (`existing` with the test case added or replaced) and the execution input."""
    recorded = observe(events)
    if recorded.started is None:
        raise ReplayError("no ExecutionStarted event; is this GetExecutionHistory's output?")
    data = existing if existing is not None else {}
    machines = data.setdefault("StateMachines", {})
    mocked = data.setdefault("MockedResponses", {})
    if not isinstance(machines, dict) or not isinstance(mocked, dict):
        raise ReplayError("the existing mock file needs the objects 'StateMachines' and 'MockedResponses'")
    cases = machines.setdefault(machine, {}).setdefault("TestCases", {})
    for old in (cases.get(test_case) or {}).values():
        mocked.pop(old, None)  # the test case is replaced whole
    case: dict[str, str] = {}
    for state, answers in recorded.answers.items():
        if not answers:
            continue
        name = _response_name(state, test_case, set(mocked))
        mocked[name] = responses(answers)
        case[state] = name
    cases[test_case] = case
    return data, recorded.input


def read_mock_file(path: Path) -> dict[str, Any] | None:
    """An existing MockConfigFile to add the test case to (None when there is none yet)."""
    if not path.exists():
        return None
    try:
        data = json.loads(read_text(path))
    except (ReplayError, ValueError, RecursionError) as exc:
        raise ReplayError(f"{path}: cannot add a test case to it: {exc}") from None
    if not isinstance(data, dict):
        raise ReplayError(f"{path}: not a MockConfigFile (a JSON object)")
    return data
