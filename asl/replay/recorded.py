"""Replaying a recorded AWS execution: GetExecutionHistory's events become the mocks of a local run.

Every task attempt's recorded outcome (TaskSucceeded's output; TaskFailed, TaskTimedOut,
LambdaFunctionFailed, ... error and cause) answers that state's next invocation, in history order,
retries included. The execution input comes from ExecutionStarted; the clock starts at its
timestamp; region, account and state machine name come from the events when they say them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asl import coverage, jsonvalue
from asl.clock import VirtualClock
from asl.errors import AslError
from asl.machine import StateMachine
from asl.replay.answers import Answers, top_level_states
from asl.replay.cases import EXECUTION_NAME, SEED, START_TIME
from asl.replay.compare import Divergence, compare_steps, first_divergence, normalise_observation
from asl.replay.files import ReplayError, read_text, syntax_error
from asl.replay.report import DIVERGED, ERROR, MATCHED, Report
from asl.replay.steps import Observation, observe

_WHITESPACE = " \t\r\n"


def documents(text: str, where: str) -> list[Any]:
    """Every JSON document in `text` (one, or several concatenated as the AWS CLI pages them)."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    index = 0
    while True:
        while index < len(text) and text[index] in _WHITESPACE:
            index += 1
        if index >= len(text):
            break
        try:
            document, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            raise syntax_error(where, exc) from None
        found.append(document)
    if not found:
        raise ReplayError(f"{where}: the file is empty")
    return found


def _is_page(value: Any) -> bool:
    return isinstance(value, dict) and "events" in value


def _pages(value: Any, where: str) -> list[list[Any]]:
    if _is_page(value):
        return [value["events"]]
    if isinstance(value, list) and value and all(_is_page(item) for item in value):
        return [item["events"] for item in value]
    if isinstance(value, list) and all(isinstance(item, dict) and "type" in item for item in value):
        return [value]
    raise ReplayError(
        f"{where}: not an execution history: expected GetExecutionHistory's output "
        '({"events": [...]}), a JSON array of such pages, or pages one after another'
    )


def history_events(value: Any, where: str, several: bool = False) -> list[dict[str, Any]]:
    """The events of one or more history pages, checked and in id order (pages may come in any order)."""
    pages = [page for document in (value if several else [value]) for page in _pages(document, where)]
    events: list[dict[str, Any]] = []
    for number, page in enumerate(pages, 1):
        label = f"page {number}" if len(pages) > 1 else "the history"
        if not isinstance(page, list):
            raise ReplayError(f"{where}: {label}: 'events' must be a list")
        for position, event in enumerate(page):
            if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                raise ReplayError(f"{where}: {label}: event {position} has no 'type'")
            events.append(event)
    if all(isinstance(e.get("id"), int) for e in events):
        unique = {e["id"]: e for e in events}
        events = [unique[key] for key in sorted(unique)]
    return events


def load_history(path: Path) -> list[dict[str, Any]]:
    """Read a history file: one page, a JSON array of pages, or concatenated pages."""
    return history_events(documents(read_text(path), str(path)), str(path), several=True)


def _environment(events: list[dict[str, Any]], started: dict[str, Any]) -> dict[str, str]:
    """Region, account and state machine name, where the recorded events give them."""
    found: dict[str, str] = {}
    role = str(started.get("roleArn", "")).split(":")
    if len(role) > 4 and role[4]:
        found["account"] = role[4]
    machine = str(started.get("stateMachineAliasArn") or started.get("stateMachineVersionArn") or "")
    parts = machine.split(":")
    if len(parts) > 6 and parts[5] == "stateMachine":
        found.update(region=parts[3], account=parts[4], name=parts[6])
    for event in events:
        details = event.get("taskScheduledEventDetails")
        if "region" not in found and isinstance(details, dict) and isinstance(details.get("region"), str):
            found["region"] = details["region"]
    return found


def replay_events(
    events: list[dict[str, Any]],
    definition: Path,
    *,
    name: str | None = None,
    label: str = "history",
) -> Report:
    """Re-run `definition` with the recorded task results; compare path, state outputs and result."""
    try:
        seen, top, answers = _run(events, definition, name, label)
    except AslError as exc:
        return Report(label, ERROR, message=str(exc))
    expected = normalise_observation(observe(events), timestamps=True)
    divergence = first_divergence(expected, seen, top, events=False)
    if answers.exhausted:
        state, count = answers.exhausted[0]
        cut = max((i for i, step in enumerate(seen.steps) if step.state == state), default=len(seen.steps))
        visit = sum(1 for step in seen.steps[: cut + 1] if step.state == state)
        divergence = compare_steps(expected.steps[:cut], seen.steps[:cut], top) or Divergence(
            state, "task results", f"{count} result(s)", f"invocation {count + 1}", visit=visit
        )
    hint = ""
    if divergence is not None and name is None and EXECUTION_NAME in json.dumps(divergence.got, default=str):
        hint = (
            f"the history does not say the execution's name, so $$.Execution.Name was {EXECUTION_NAME!r}: "
            "give the recorded name with --name"
        )
    return Report(label, DIVERGED if divergence else MATCHED, divergence, message=hint, steps=len(seen.steps))


def _run(
    events: list[dict[str, Any]], definition: Path, name: str | None, label: str
) -> tuple[Observation, frozenset[str], Answers]:
    recorded = observe(events)
    if recorded.started is None:
        raise ReplayError(f"{label}: no ExecutionStarted event; is this GetExecutionHistory's output?")
    _check_start(events, recorded, label)
    if not definition.exists():
        raise ReplayError(f"{definition}: no such file")
    env = _environment(events, recorded.started)
    machine = StateMachine.from_file(definition, **env)
    answers = Answers(recorded.answers, label)
    answers.install(machine, every_task=True)
    result = machine.run_sync(
        recorded.input,
        clock=VirtualClock(recorded.start_time if recorded.start_time is not None else START_TIME),
        execution_name=name or EXECUTION_NAME,
        seed=SEED,
    )
    coverage.record(machine.definition, machine.name, result.history)
    seen = normalise_observation(observe(result.history), timestamps=True)
    return seen, top_level_states(machine), answers


def _check_start(events: list[dict[str, Any]], recorded: Observation, label: str) -> None:
    """Refuse an ExecutionStarted whose timestamp or input a replay cannot start from."""
    started = next(e for e in events if e.get("type") == "ExecutionStarted")
    raw = started.get("timestamp")
    if raw is not None and recorded.start_time is None:
        raise ReplayError(
            f"{label}: ExecutionStarted's timestamp {raw!r} is not a date from 1970 to 2999 "
            "(ISO 8601 as the AWS CLI prints it, or epoch seconds); give the timestamp AWS recorded"
        )
    text = recorded.started.get("input") if recorded.started is not None else None
    if isinstance(text, str) and isinstance(recorded.input, str):
        try:
            jsonvalue.loads(text)
        except jsonvalue.JsonValueError as exc:
            raise ReplayError(f"{label}: ExecutionStarted's input is not JSON AWS accepts: {exc}") from None
        except ValueError:
            pass  # plain text: the run says what is wrong with it


def replay_history(
    path: Path, definition: Path, *, name: str | None = None, label: str | None = None
) -> Report:
    """Replay the history file at `path` (see `load_history`) against `definition`."""
    label = label or str(path)
    try:
        found = documents(read_text(path), str(path))
        events = history_events(found, str(path), several=True)
    except AslError as exc:
        return Report(label, ERROR, message=str(exc))
    return replay_events(events, definition, name=name or recorded_name(found), label=label)


def recorded_name(found: list[Any]) -> str | None:
    """The execution name `asl run --history` records next to the events (`executionArn`), if any."""
    for document in found:
        arn = document.get("executionArn") if isinstance(document, dict) else None
        if isinstance(arn, str) and ":execution:" in arn:
            return arn.rsplit(":", 1)[-1]
    return None
