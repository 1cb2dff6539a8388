"""Testing workflows with pytest: load a definition with handlers or mocks, run it, assert on what it did.

```python
from asl import TaskFailed
from asl.testing import assert_path, load, retries, run, state_output

def test_a_busy_processor_is_retried():
    machine = load("workflow.json", mocks={"Charge": [TaskFailed("Busy", "later"), {"id": "ch_1"}]})
    result = run(machine, {"orderId": "o-1"})
    assert_path(result, ["Validate", "Charge", "Ship"])
    assert retries(result, "Charge") == 1
    assert state_output(result, "Charge")["charge"] == {"id": "ch_1"}
```
Runs are reproducible: a virtual clock starting at 2024-01-01T00:00:00Z, the execution name
`replay`, seed 0 for retry jitter, as `asl replay` runs them.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl.clock import VirtualClock
from asl.errors import StatesError, TaskFailed
from asl.machine import ExecutionResult, StateMachine
from asl.replay import (
    EXECUTION_NAME,
    SEED,
    START_TIME,
    Answer,
    Answers,
    Observation,
    Report,
    Step,
    history_events,
    observe,
    replay_events,
    replay_path,
)
from asl.replay.answers import reply
from asl.resources import Handler, TaskContext, TaskRegistry

__all__ = [
    "RunResult",
    "TaskFailed",
    "assert_path",
    "assert_replays",
    "assert_succeeded",
    "load",
    "path",
    "replay",
    "retries",
    "run",
    "state_input",
    "state_output",
    "steps",
]

#: What `run` does before each run of a machine: start its mocks from their first answer again.
_RESETS: weakref.WeakKeyDictionary[StateMachine, list[Callable[[], None]]] = weakref.WeakKeyDictionary()


@dataclass
class RunResult:
    """An execution's result (`status`, `output`, `error`, `cause`, `history`) and the steps it took."""

    execution: ExecutionResult
    observation: Observation

    @property
    def status(self) -> str:
        """SUCCEEDED, FAILED, TIMED_OUT or ABORTED."""
        return self.execution.status

    @property
    def output(self) -> Any:
        """The execution's output (None unless it succeeded)."""
        return self.execution.output

    @property
    def error(self) -> str | None:
        """The execution's error name, when it failed."""
        return self.execution.error

    @property
    def cause(self) -> str | None:
        """The execution's cause, when it failed."""
        return self.execution.cause

    @property
    def failed_state(self) -> str | None:
        """The state that failed the execution."""
        return self.execution.failed_state

    @property
    def history(self) -> list[dict[str, Any]]:
        """The events, as GetExecutionHistory returns them."""
        return self.execution.history

    @property
    def path(self) -> list[str]:
        """The states visited, in order."""
        return self.observation.path

    @property
    def steps(self) -> list[Step]:
        """Every state visit: name, type, input, output, retries."""
        return self.observation.steps


def _adapt(function: Callable[..., Any]) -> Handler:
    async def handler(payload: Any, ctx: TaskContext) -> Any:
        result = function(payload, ctx)
        return await result if inspect.isawaitable(result) else result

    return handler


def _answer(item: Any) -> Answer:
    if isinstance(item, StatesError):
        return Answer(
            False, error=item.error, cause=item.cause or "", timed_out=item.error == "States.Timeout"
        )
    if isinstance(item, Exception):
        return Answer(False, error=type(item).__name__, cause=str(item))
    return Answer(True, item)


def _always(item: Any) -> Handler:
    async def handler(payload: Any, ctx: TaskContext) -> Any:
        return reply(_answer(item))

    return handler


def _mock_file(machine: StateMachine, mock_config: Path, test_case: str) -> Callable[[], None]:
    from asl.mocks import case_mocks, load_mock_config, mock_handler

    data = load_mock_config(mock_config)

    def apply() -> None:
        responses = case_mocks(data, machine.name, test_case, str(mock_config))
        machine.mocks.update({state: mock_handler(response) for state, response in responses.items()})

    apply()
    return apply


def _from_file(
    path: Path, registry: TaskRegistry | None, config: str | Path | bool | None, name: str | None
) -> tuple[StateMachine, Path | None, str | None]:
    """The machine, with the project configuration's handlers unless a registry is given."""
    from asl.config import find_config, load_config
    from asl.runner import attach_cognito, build_runner, uses_cognito

    found = None
    if registry is None and config is not False:
        found = find_config(path) if config in (None, True) else Path(str(config))
    if found is None:
        kwargs: dict[str, Any] = {"name": name} if name else {}
        return StateMachine.from_file(path, registry=registry or TaskRegistry(), **kwargs), None, None
    settings = load_config(found)
    mock_config, test_case = settings.mock_config, settings.test_case
    settings.mock_config, settings.test_case = None, None
    runner = build_runner(settings)
    machine = runner.load(path, name)
    if uses_cognito(machine) or settings.users is not None:
        attach_cognito(runner, settings.users)
    return machine, mock_config, test_case


def load(
    definition: str | Path | dict[str, Any],
    *,
    registry: TaskRegistry | None = None,
    handlers: Mapping[str, Callable[..., Any]] | None = None,
    mocks: Mapping[str, Any] | None = None,
    mock_config: str | Path | None = None,
    test_case: str | None = None,
    config: str | Path | bool | None = None,
    name: str | None = None,
) -> StateMachine:
    """Load a definition (a file or a dict) ready to run.

    `registry`: handlers by resource ARN. `handlers`: more of them, `{arn: function(payload, ctx)}`
    (sync or async). `mocks`: answers by state name, `{state: [value, TaskFailed(...), ...]}` in
    invocation order (a value that is not a list answers every invocation). `mock_config` and
    `test_case`: a Step Functions Local MockConfigFile. `config`: the asl.toml (or pyproject.toml)
    whose handlers, mock file and test case apply; by default the one next to a definition file,
    unless a `registry` is given; False for none.
    """
    file_mocks: Path | None = None
    if isinstance(definition, dict):
        machine = StateMachine(definition, registry=registry or TaskRegistry(), name=name or "StateMachine")
    else:
        machine, file_mocks, case = _from_file(Path(definition), registry, config, name)
        test_case = test_case or case
    resets: list[Callable[[], None]] = []
    mock_path = Path(mock_config).resolve() if mock_config is not None else file_mocks
    if mock_path is not None and test_case:
        resets.append(_mock_file(machine, mock_path, test_case))
    elif mock_config is not None or test_case:
        raise ValueError("mock_config and test_case go together: give both (or set them in asl.toml)")
    for key, function in (handlers or {}).items():
        machine.registry.register(key, _adapt(function))
    queues = {
        state: [_answer(i) for i in items]
        for state, items in (mocks or {}).items()
        if isinstance(items, list)
    }
    answers = Answers(queues, "the mocks")
    answers.install(machine)
    resets.append(answers.reset)
    for state, item in (mocks or {}).items():
        if not isinstance(item, list):
            machine.mocks[state] = _always(item)
    _RESETS[machine] = resets
    return machine


def run(
    machine: StateMachine | str | Path | dict[str, Any],
    input: Any = None,
    *,
    execution_name: str = EXECUTION_NAME,
    start_time: float = START_TIME,
    seed: int = SEED,
    **options: Any,
) -> RunResult:
    """Run one execution on a virtual clock; `machine` may be a definition, loaded with `load(**options)`."""
    if not isinstance(machine, StateMachine):
        machine = load(machine, **options)
    elif options:
        raise TypeError(f"load options ({', '.join(options)}) apply only when run() loads the definition")
    for reset in _RESETS.get(machine, []):
        reset()
    result = machine.run_sync(input, clock=VirtualClock(start_time), execution_name=execution_name, seed=seed)
    return RunResult(result, observe(result.history))


def _observation(result: RunResult | ExecutionResult) -> Observation:
    return result.observation if isinstance(result, RunResult) else observe(result.history)


def path(result: RunResult | ExecutionResult) -> list[str]:
    """The states the execution visited, in order."""
    return _observation(result).path


def steps(result: RunResult | ExecutionResult, state: str | None = None) -> list[Step]:
    """Every visit (of `state`, if given): name, type, input, output and retries."""
    found = _observation(result).steps
    return [s for s in found if s.state == state] if state is not None else found


def _visit(result: RunResult | ExecutionResult, state: str, index: int) -> Step:
    visits = steps(result, state)
    if not visits:
        raise AssertionError(f"state {state!r} never ran; the path was {path(result)}")
    try:
        return visits[index]
    except IndexError:
        raise AssertionError(
            f"state {state!r} ran {len(visits)} time(s); there is no visit {index}"
        ) from None


def state_input(result: RunResult | ExecutionResult, state: str, index: int = 0) -> Any:
    """The input of `state` on its first visit (or visit `index`; -1 for the last)."""
    return _visit(result, state, index).input


def state_output(result: RunResult | ExecutionResult, state: str, index: int = 0) -> Any:
    """The output of `state` on its first visit (or visit `index`); fails if the state did not exit."""
    step = _visit(result, state, index)
    if not step.exited:
        raise AssertionError(f"state {state!r} did not exit (the execution ended with {_ending(result)})")
    return step.output


def retries(result: RunResult | ExecutionResult, state: str) -> int:
    """How many times `state` was retried, over all its visits."""
    return sum(step.retries for step in steps(result, state))


def _ending(result: RunResult | ExecutionResult) -> str:
    ending = result.status
    if result.error:
        ending += f" {result.error}"
    return ending + (f": {result.cause}" if result.cause else "")


def assert_path(result: RunResult | ExecutionResult, expected: list[str]) -> None:
    """Assert that the execution visited exactly these states, in this order."""
    got = path(result)
    if got == expected:
        return
    index = next((i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b), None)
    index = index if index is not None else min(len(expected), len(got))
    want = repr(expected[index]) if index < len(expected) else "the end"
    have = repr(got[index]) if index < len(got) else "the end"
    raise AssertionError(
        f"the path differs at step {index + 1}: expected {want}, got {have}\n"
        f"  expected: {expected}\n  got:      {got}\n  ending:   {_ending(result)}"
    )


def assert_succeeded(result: RunResult | ExecutionResult) -> Any:
    """Assert that the execution succeeded (else show its error, cause and state); return its output."""
    if result.status != "SUCCEEDED":
        where = f" in state {result.failed_state!r}" if result.failed_state else ""
        raise AssertionError(f"the execution ended {_ending(result)}{where}")
    return result.output


def replay(
    source: str | Path | dict[str, Any] | list[Any],
    definition: str | Path | None = None,
    *,
    name: str | None = None,
) -> list[Report]:
    """Replay a case file, a sample folder, or an AWS history (a file, or `{"events": [...]}` in memory)."""
    chosen = Path(definition) if definition is not None else None
    if isinstance(source, dict | list):
        if chosen is None:
            raise ValueError("replaying an AWS history needs the definition")
        return [replay_events(history_events(source, "history"), chosen, name=name)]
    return replay_path(Path(source), chosen, name=name)


def assert_replays(
    source: str | Path | dict[str, Any] | list[Any],
    definition: str | Path | None = None,
    *,
    name: str | None = None,
) -> list[Report]:
    """Assert that every replay of `source` matches what was recorded; the message shows each divergence."""
    reports = replay(source, definition, name=name)
    failed = [report.describe() for report in reports if not report.ok]
    if failed:
        raise AssertionError("\n".join(failed))
    return reports
