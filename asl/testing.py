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

from asl import coverage
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
    "assert_history",
    "assert_output",
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
    "history_diff",
    "json_diff",
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
    mock_validation: str = "STRICT",
) -> StateMachine:
    """Load a definition (a file or a dict) ready to run.

    `registry`: handlers by resource ARN. `handlers`: more of them, `{arn: function(payload, ctx)}`
    (sync or async). `mocks`: answers by state name, `{state: [value, TaskFailed(...), ...]}` in
    invocation order (a value that is not a list answers every invocation). `mock_config` and
    `test_case`: a Step Functions Local MockConfigFile. `config`: the asl.toml (or pyproject.toml)
    whose handlers, mock file and test case apply; by default the one next to a definition file,
    unless a `registry` is given; False for none. `mock_validation`: how the `mocks` values are checked
    against each Task's API result shape (STRICT, PRESENT or NONE; see `asl.mockcheck`).
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
    _check_mocks(machine, mocks or {}, mock_validation)
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


def _check_mocks(machine: StateMachine, mocks: Mapping[str, Any], mode: str) -> None:
    """Mocked results must fit each Task's API result shape; a misfit raises ValueError naming it."""
    from asl.mockcheck import check_answers, task_resources

    answers = {
        state: [
            (f"mocks[{state!r}][{i}]" if isinstance(items, list) else f"mocks[{state!r}]", item)
            for i, item in enumerate(items if isinstance(items, list) else [items])
            if not isinstance(item, Exception)
        ]
        for state, items in mocks.items()
    }
    errors = check_answers(task_resources(machine), answers, mode, "asl.testing.load")
    if errors:
        raise ValueError(
            "\n".join(errors) + '\n(mock_validation="PRESENT" skips required fields, "NONE" every check)'
        )


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
    coverage.record(machine.definition, machine.name, result.history)
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


def json_diff(expected: Any, got: Any, at: str = "$", limit: int = 20) -> list[str]:
    """Every difference between two JSON values, as `$.path: expected X, got Y` lines (at most `limit`)."""
    found: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:
                child = f"{path}.{key}" if str(key).isidentifier() else f"{path}[{key!r}]"
                if key not in b:
                    found.append(f"{child}: expected {_show(a[key])}, missing")
                elif key not in a:
                    found.append(f"{child}: not expected, got {_show(b[key])}")
                else:
                    walk(a[key], b[key], child)
        elif isinstance(a, list) and isinstance(b, list):
            for index, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, f"{path}[{index}]")
            if len(a) != len(b):
                found.append(f"{path}: expected {len(a)} items, got {len(b)}")
        elif a != b or type(a) is not type(b):
            found.append(f"{path}: expected {_show(a)}, got {_show(b)}")

    walk(expected, got, at)
    return found


def _show(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:119] + "…"


def assert_output(result: RunResult | ExecutionResult, expected: Any) -> None:
    """Assert that the execution succeeded with `expected` as output; the message lists each difference by JSONPath."""
    output = assert_succeeded(result)
    differences = json_diff(expected, output)
    if differences:
        raise AssertionError("the output differs:\n  " + "\n  ".join(differences))


def history_diff(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[str]:
    """Two histories' event types side by side, marking where they part, then the first differing event."""
    width = max((len(e["type"]) for e in expected), default=8) + 2
    lines = [f"  {'expected':<{width}}got"]
    first: int | None = None
    for index in range(max(len(expected), len(got))):
        a = expected[index]["type"] if index < len(expected) else "-"
        b = got[index]["type"] if index < len(got) else "-"
        mark = "  " if a == b else "≠ "
        if a != b and first is None:
            first = index
        lines.append(f"{mark}{a:<{width}}{b}")
    if first is None:
        first = next(
            (
                i
                for i, (a, b) in enumerate(zip(expected, got, strict=False))
                if _comparable(a) != _comparable(b)
            ),
            None,
        )
    if first is not None and first < min(len(expected), len(got)):
        lines.append(f"first difference, event {first + 1}:")
        lines += [f"  {line}" for line in json_diff(_comparable(expected[first]), _comparable(got[first]))]
    return lines


def _comparable(event: dict[str, Any]) -> dict[str, Any]:
    """An event without its timestamp."""
    return {k: v for k, v in event.items() if k != "timestamp"}


def assert_history(result: RunResult | ExecutionResult, expected: list[str] | list[dict[str, Any]]) -> None:
    """Assert the history's event types (a list of names) or events (dicts, timestamps ignored)."""
    got = result.history
    if expected and isinstance(expected[0], str):
        types = [e["type"] for e in got]
        if types != expected:
            wanted = [{"type": t} for t in expected]
            raise AssertionError(
                "the history differs:\n" + "\n".join(history_diff(wanted, [{"type": t} for t in types]))
            )
        return
    events = [e for e in expected if isinstance(e, dict)]
    if [_comparable(e) for e in events] != [_comparable(e) for e in got]:
        raise AssertionError("the history differs:\n" + "\n".join(history_diff(events, got)))
