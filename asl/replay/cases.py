"""Sample executions: `samples/<name>/executions/<case>.json`, replayed against `samples/<name>/workflow.json`.

```json
{"description": "optional text",
 "input": {"orderId": "o-1"},
 "testCase": "Approved",
 "expect": {"status": "SUCCEEDED", "output": {"status": "SHIPPED"}},
 "steps": [{"state": "ValidateOrder", "type": "Task", "input": {}, "output": {}, "retries": 1}],
 "events": ["ExecutionStarted", "TaskStateEntered", "..."]}
```
Settings (all optional): `input` (default `{}`), `testCase` (a test case of the MockConfigFile
named by `mockConfig` or by the sample's asl.toml), `mockConfig` (relative to the case file),
`mocks` (inline: `{"State": [{"Return": value}, {"Throw": {"Error": "E", "Cause": "c"}}]}`),
`name` (the execution name, default `replay`), `definition` (default `../workflow.json`).
`expect`, `steps` and `events` are what `--update` records; a case without `events` does not
compare them. Every replay runs on a virtual clock starting at 2024-01-01T00:00:00Z with seed 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asl import coverage
from asl.clock import VirtualClock
from asl.errors import AslError
from asl.machine import StateMachine
from asl.replay.answers import Answers, parse_answers, top_level_states
from asl.replay.compare import first_divergence, normalise, normalise_observation
from asl.replay.files import ReplayError, dump, read_json, read_text, write_json
from asl.replay.report import DIVERGED, ERROR, MATCHED, UNCHANGED, UPDATED, Report
from asl.replay.steps import Observation, Step, observe

#: Every replay's clock starts here (2024-01-01T00:00:00Z), so timestamps in outputs are reproducible.
START_TIME = 1704067200.0
#: The execution name of replays (`$$.Execution.Name`), unless a case sets `name`.
EXECUTION_NAME = "replay"
#: Seeds the randomness of retry jitter.
SEED = 0

_SETTINGS = ("description", "definition", "input", "testCase", "mockConfig", "mocks", "name")
_RECORDED = ("expect", "steps", "events")


@dataclass
class Case:
    """A parsed case file: how to run it and, once recorded, what to expect."""

    path: Path
    data: dict[str, Any]
    folder: Path
    definition: Path
    input: Any = None
    test_case: str | None = None
    mock_config: Path | None = None
    mocks: Any = None
    name: str = EXECUTION_NAME
    expected: Observation | None = None


def sample_folder(case_path: Path) -> Path:
    """The sample a case file belongs to: the folder holding its `executions/` folder."""
    parent = case_path.resolve().parent
    return parent.parent if parent.name == "executions" else parent


def sample_cases(folder: Path) -> list[Path]:
    """The case files of a sample folder (or of an `executions/` folder), sorted."""
    cases = folder if folder.name == "executions" else folder / "executions"
    if not cases.is_dir():
        raise ReplayError(f"{folder}: not a sample folder (it has no executions/ folder)")
    found = sorted(cases.glob("*.json"))
    if not found:
        raise ReplayError(f"{cases}: no case files (*.json)")
    return found


def _string(data: dict[str, Any], key: str, where: Path) -> str | None:
    raw = data.get(key)
    if raw is not None and not isinstance(raw, str):
        raise ReplayError(f"{where}: {key!r} must be a string")
    return raw


def load_case(path: Path) -> Case:
    """Read a case file; errors name the file and the key (or the line and column of bad JSON)."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise ReplayError(f"{path}: a case file must hold a JSON object")
    unknown = sorted(set(data) - set(_SETTINGS) - set(_RECORDED))
    if unknown:
        raise ReplayError(
            f"{path}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"known keys: {', '.join(_SETTINGS + _RECORDED)}"
        )
    folder = sample_folder(path)
    base = path.resolve().parent
    definition = _string(data, "definition", path)
    mock_config = _string(data, "mockConfig", path)
    case = Case(
        path=path,
        data=data,
        folder=folder,
        definition=(base / definition).resolve() if definition else sample_definition(folder),
        input=data.get("input", {}),
        test_case=_string(data, "testCase", path),
        mock_config=(base / mock_config).resolve() if mock_config else None,
        mocks=parse_answers(data["mocks"], str(path)) if "mocks" in data else None,
        name=_string(data, "name", path) or EXECUTION_NAME,
    )
    if "expect" in data:
        case.expected = _expectation(data, path)
    return case


def _expectation(data: dict[str, Any], path: Path) -> Observation:
    expect = data["expect"]
    if not isinstance(expect, dict) or not isinstance(expect.get("status"), str):
        raise ReplayError(f"{path}: 'expect' must be an object with a 'status' string")
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        raise ReplayError(f"{path}: 'steps' must be a list")
    parsed = []
    for number, item in enumerate(steps):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("state"), str)
            or not isinstance(item.get("type"), str)
        ):
            raise ReplayError(f"{path}: steps[{number}] must be an object with 'state' and 'type' strings")
        retries = item.get("retries", 0)
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise ReplayError(f"{path}: steps[{number}].retries must be a non-negative integer")
        parsed.append(
            Step(
                item["state"],
                item["type"],
                item.get("input"),
                item.get("output"),
                "output" in item,
                retries + 1,
            )
        )
    events = data.get("events", [])
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise ReplayError(f"{path}: 'events' must be a list of event type names")
    return Observation(steps=parsed, result=expect, events=events)


def sample_definition(folder: Path) -> Path:
    """A sample's definition: `workflow.json`, else its SAM/CloudFormation `template.yaml`."""
    for name in ("workflow.json", "template.yaml", "template.yml"):
        if (folder / name).exists():
            return folder / name
    return folder / "workflow.json"


def build_machine(case: Case, definition: Path | None = None) -> tuple[StateMachine, Answers | None]:
    """The case's definition with the sample's configuration, test case and inline mocks applied."""
    from asl.config import Config, find_config, load_config
    from asl.runner import attach_cognito, build_runner, uses_cognito

    sample_workflow = case.folder / "workflow.json"
    found = find_config(sample_workflow)
    config = load_config(found) if found is not None else Config(root=case.folder)
    if case.mock_config is not None:
        config.mock_config = case.mock_config
    if case.test_case:
        config.test_case = case.test_case
        if config.mock_config is None:
            raise ReplayError(
                f"{case.path}: testCase {case.test_case!r} needs a mock file: "
                "set mockConfig in the case, or mock_config in the sample's asl.toml"
            )
    elif config.test_case is None:
        config.mock_config = None
    runner = build_runner(config)
    path = definition or case.definition
    if not path.exists():
        raise ReplayError(f"{case.path}: the definition {path} does not exist")
    # A template's machine has its own name (its Name property or logical ID), as `asl run` names it.
    named = path if path.suffix.lower() in (".yaml", ".yml") else sample_workflow
    machine = runner.load(path, name=runner.machine_name(named))
    answers = None
    if case.mocks is not None:
        answers = Answers(case.mocks, f"{case.path} (mocks)")
        answers.install(machine)
    if uses_cognito(machine) or config.users is not None:
        attach_cognito(runner, config.users)
    return machine, answers


def run_case(case: Case, definition: Path | None = None) -> tuple[Observation, frozenset[str]]:
    """Run the case; return what happened (normalised) and the definition's top-level state names."""
    machine, _ = build_machine(case, definition)
    result = machine.run_sync(case.input, clock=VirtualClock(START_TIME), execution_name=case.name, seed=SEED)
    coverage.record(machine.definition, machine.name, result.history)
    return normalise_observation(observe(result.history)), top_level_states(machine)


def replay_case(path: Path, definition: Path | None = None, label: str | None = None) -> Report:
    """Run a case file and compare with its recorded expectation."""
    label = label or str(path)
    try:
        case = load_case(path)
        if case.expected is None:
            raise ReplayError(f"{path}: nothing recorded yet ('expect' is missing); run asl replay --update")
        seen, top = run_case(case, definition)
    except AslError as exc:
        return Report(label, ERROR, message=str(exc))
    expected = normalise_observation(case.expected)
    divergence = first_divergence(expected, seen, top, events="events" in case.data)
    return Report(label, DIVERGED if divergence else MATCHED, divergence, steps=len(seen.steps))


def recorded(case: Case, seen: Observation) -> dict[str, Any]:
    """The case file's new content: its settings, then the expectation `seen` gives."""
    data = {key: case.data[key] for key in _SETTINGS if key in case.data}
    data.setdefault("input", case.input)
    ordered = {key: data[key] for key in _SETTINGS if key in data}
    ordered["expect"] = normalise(seen.result)
    ordered["steps"] = [step.as_json() for step in seen.steps]
    ordered["events"] = seen.events
    return ordered


def update_case(path: Path, definition: Path | None = None, label: str | None = None) -> Report:
    """Run a case file and record what happened as its new expectation (written atomically)."""
    label = label or str(path)
    try:
        case = load_case(path)
        seen, _ = run_case(case, definition)
    except AslError as exc:
        return Report(label, ERROR, message=str(exc))
    data = recorded(case, seen)
    if dump(data) == read_text(path):
        return Report(label, UNCHANGED, steps=len(seen.steps))
    write_json(path, data)
    return Report(label, UPDATED, message=f"recorded {seen.result['status']}", steps=len(seen.steps))
