"""Mocked task responses in AWS Step Functions Local's MockConfigFile format, read unchanged.

```json
{"StateMachines": {"Orders": {"TestCases": {"HappyPath": {"ChargeCard": "ChargeOk"}}}},
 "MockedResponses": {"ChargeOk": {"0": {"Throw": {"Error": "Timeout", "Cause": "slow"}},
                                  "1-2": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}}}}
```
A test case maps state names to mocked responses; a response maps invocation numbers (`"0"`) or
ranges (`"1-2"`) to `Return` (the task result) or `Throw` (`Error`, `Cause`). Every invocation of
the state consumes one number, retries included.

Under concurrency (Map iterations, Parallel branches) numbers are given per state, across the whole
execution, in the order invocations start. Map iterations start in item order and mocked responses
answer at once, so the numbering is deterministic: with one call per iteration, item i's call is
invocation i (for the same answer everywhere, use a range such as "0-999").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl.errors import AslError, TaskFailed
from asl.json_errors import explain
from asl.resources import Handler, TaskContext

_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


class MockConfigError(AslError):
    """The mock file, or the chosen test case, is unusable."""


@dataclass(frozen=True, slots=True)
class Step:
    """Invocations `first`..`last` answer with `value` (Return) or raise `error`/`cause` (Throw)."""

    first: int
    last: int
    returns: bool
    value: Any = None
    error: str = ""
    cause: str = ""


@dataclass
class MockedResponse:
    """A named response: its steps and how many times it was used (per state)."""

    name: str
    steps: list[Step]
    counts: dict[str, int] = field(default_factory=dict)

    def next_answer(self, state: str) -> Step:
        """The step for this state's next invocation."""
        number = self.counts.get(state, 0)
        self.counts[state] = number + 1
        for step in self.steps:
            if step.first <= number <= step.last:
                return step
        raise TaskFailed(
            "States.Runtime",
            f"The mocked response {self.name!r} has no answer for invocation {number} of state {state!r}; "
            "add that number or a range to it in the mock file",
        )


def load_mock_config(path: Path) -> dict[str, Any]:
    """Read a MockConfigFile; errors name the file and the problem."""
    from asl import jsonvalue
    from asl.files import FileReadError, read_text

    try:
        data = jsonvalue.loads(read_text(path))
    except FileReadError as exc:
        raise MockConfigError(f"{path}: cannot read the mock file: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise MockConfigError(f"{path}: invalid JSON: {explain(exc)}") from None
    except jsonvalue.JsonValueError as exc:
        raise MockConfigError(f"{path}: {exc}") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("StateMachines"), dict)
        or not isinstance(data.get("MockedResponses"), dict)
    ):
        raise MockConfigError(f"{path}: a mock file needs the objects 'StateMachines' and 'MockedResponses'")
    return data


def _steps(name: str, raw: Any, where: str) -> list[Step]:
    if not isinstance(raw, dict) or not raw:
        raise MockConfigError(
            f"{where}: MockedResponses.{name} must map invocation numbers to Return or Throw"
        )
    steps = []
    for key, answer in raw.items():
        match = _RANGE.match(key)
        if not match:
            raise MockConfigError(
                f'{where}: MockedResponses.{name}: {key!r} is not an invocation number or range like "1-2"'
            )
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if not isinstance(answer, dict) or len(answer) != 1 or next(iter(answer)) not in ("Return", "Throw"):
            raise MockConfigError(
                f'{where}: MockedResponses.{name}.{key} must be {{"Return": ...}} or {{"Throw": {{...}}}}'
            )
        if "Return" in answer:
            steps.append(Step(first, last, True, answer["Return"]))
        else:
            throw = answer["Throw"]
            if not isinstance(throw, dict) or not isinstance(throw.get("Error", ""), str):
                raise MockConfigError(f"{where}: MockedResponses.{name}.{key}.Throw needs an 'Error' string")
            steps.append(Step(first, last, False, None, throw.get("Error", ""), str(throw.get("Cause", ""))))
    return steps


def case_mocks(data: dict[str, Any], machine: str, test_case: str, where: str) -> dict[str, MockedResponse]:
    """The mocked responses of `test_case` for state machine `machine`, by state name."""
    machines = data["StateMachines"]
    if machine not in machines:
        raise MockConfigError(
            f"{where}: no state machine named {machine!r} in StateMachines (found: {', '.join(machines) or 'none'})"
        )
    cases = machines[machine].get("TestCases", {}) if isinstance(machines[machine], dict) else {}
    if test_case not in cases:
        raise MockConfigError(
            f"{where}: state machine {machine!r} has no test case {test_case!r} (found: {', '.join(cases) or 'none'})"
        )
    mocks: dict[str, MockedResponse] = {}
    shared: dict[str, MockedResponse] = {}
    for state, response in cases[test_case].items():
        if response not in data["MockedResponses"]:
            raise MockConfigError(
                f"{where}: test case {test_case!r} maps state {state!r} to {response!r}, which is not in MockedResponses"
            )
        if response not in shared:
            shared[response] = MockedResponse(
                response, _steps(response, data["MockedResponses"][response], where)
            )
        mocks[state] = shared[response]
    return mocks


def mock_handler(response: MockedResponse) -> Handler:
    """A task handler answering from a mocked response."""

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        step = response.next_answer(ctx.state_name)
        if step.returns:
            return step.value
        raise TaskFailed(step.error, step.cause)

    return handler
