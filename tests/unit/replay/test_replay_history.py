"""Replaying recorded AWS executions (GetExecutionHistory output) against a definition, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from replay_workflow import changed, write

from asl.replay import load_history, replay_history
from asl.testing import RunResult, assert_path, assert_replays, replay, retries, state_output


def test_the_recording_itself_took_the_retry_and_the_catch(recorded: RunResult) -> None:
    assert_path(recorded, ["Fetch", "Charge", "Notify", "Send", "Send", "Send", "Label"])
    assert retries(recorded, "Fetch") == 2
    assert state_output(recorded, "Charge")["declined"]["Error"] == "Declined"


def test_the_same_definition_replays_the_recording(
    recorded: RunResult, definition_file: Path, tmp_path: Path
) -> None:
    history = write(tmp_path / "history.json", json.dumps({"events": recorded.history}))
    [report] = assert_replays(history, definition_file, name="prod-1")
    assert report.status == "matched"
    assert report.steps == 7


def test_an_in_memory_history_replays_too(recorded: RunResult, definition_file: Path) -> None:
    assert_replays({"events": recorded.history}, definition_file)


def _set_label(definition: dict[str, Any]) -> None:
    definition["States"]["Label"]["Result"] = "refused"


def _one_retry(definition: dict[str, Any]) -> None:
    definition["States"]["Fetch"]["Retry"][0]["MaxAttempts"] = 1


def _retry_declines(definition: dict[str, Any]) -> None:
    charge = definition["States"]["Charge"]
    charge["Retry"] = [{"ErrorEquals": ["Declined"], "MaxAttempts": 1}]


def _skip_notify(definition: dict[str, Any]) -> None:
    definition["States"]["Charge"]["Catch"][0]["Next"] = "Label"
    # AWS refuses a state nothing leads to: keep Notify reachable, and drop Done, which no longer is.
    definition["States"]["Charge"]["Next"] = "Notify"
    del definition["States"]["Done"]


def _send_shape(definition: dict[str, Any]) -> None:
    send = definition["States"]["Notify"]["ItemProcessor"]["States"]["Send"]
    send["ResultSelector"] = {"id.$": "$.MessageId"}


@pytest.mark.parametrize(
    ("edit", "state", "field", "expected", "got"),
    [
        (_set_label, "Label", "output", "declined", "refused"),
        (_one_retry, "Fetch", "retries", 2, 1),
        (_skip_notify, "Notify", "path", "Notify", "Label"),
        (_send_shape, "Send", "output", "m-1", "(missing)"),
        (_retry_declines, "Charge", "task results", "1 result(s)", "invocation 2"),
    ],
)
def test_a_changed_definition_diverges_where_it_changed(
    recorded: RunResult,
    tmp_path: Path,
    edit: Any,
    state: str,
    field: str,
    expected: Any,
    got: Any,
) -> None:
    history = write(tmp_path / "history.json", {"events": recorded.history})
    [report] = replay(history, changed(tmp_path / "changed.json", edit))
    assert report.status == "diverged"
    divergence = report.divergence
    assert divergence is not None
    assert (divergence.state, divergence.field) == (state, field)
    if field == "output" and state == "Send":
        assert divergence.at == "$.MessageId"
        assert (divergence.expected, repr(divergence.got)) == (expected, got)
    else:
        assert (divergence.expected, divergence.got) == (expected, got)
    assert state in divergence.describe()


def test_running_out_of_recorded_results_is_a_clear_divergence(recorded: RunResult, tmp_path: Path) -> None:
    history = write(tmp_path / "history.json", {"events": recorded.history})
    [report] = replay(history, changed(tmp_path / "changed.json", _retry_declines))
    assert "ran out of recorded task results" in report.describe()
    assert "'Charge'" in report.describe()


def _pages(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"events": events[:5], "nextToken": "t1"},
        {"events": events[5:12], "nextToken": "t2"},
        {"events": events[12:]},
    ]


@pytest.mark.parametrize(
    "layout",
    [
        lambda pages: json.dumps(pages),
        lambda pages: "\n".join(json.dumps(page, indent=2) for page in pages),
        lambda pages: "".join(json.dumps(page) for page in pages),
        lambda pages: json.dumps(list(reversed(pages))),
    ],
    ids=["array-of-pages", "concatenated", "concatenated-tight", "reverse-order"],
)
def test_paginated_histories(recorded: RunResult, definition_file: Path, tmp_path: Path, layout: Any) -> None:
    events = recorded.history
    history = write(tmp_path / "paged.json", layout(_pages(events)))
    assert [e["id"] for e in load_history(history)] == [e["id"] for e in events]
    assert_replays(history, definition_file)


def test_aws_map_iterations_interleaved_in_the_recording(
    recorded: RunResult, definition_file: Path, tmp_path: Path
) -> None:
    """On AWS, iterations interleave; results are matched to invocations by the recorded parameters."""
    events = [dict(e) for e in recorded.history]
    sends = [i for i, e in enumerate(events) if e["type"] == "TaskStateEntered" and "Send" in json.dumps(e)]
    blocks = [events[i - 1 : i + 5] for i in sends]  # MapIterationStarted .. MapIterationSucceeded
    first, last = sends[0] - 1, sends[-1] + 5
    reordered = events[:first] + blocks[2] + blocks[0] + blocks[1] + events[last:]
    for number, event in enumerate(reordered, 1):
        event["id"] = number
    history = write(tmp_path / "history.json", {"events": reordered})
    assert_replays(history, definition_file)


def _started(timestamp: Any = "2024-05-01T10:00:00Z", input: str = "{}") -> str:
    """A history that only starts: an ExecutionStarted event with this timestamp and input."""
    event = {
        "id": 1,
        "type": "ExecutionStarted",
        "timestamp": timestamp,
        "executionStartedEventDetails": {"input": input},
    }
    return json.dumps({"events": [event]})


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"events": [', "invalid JSON at line 1, column 13"),
        ("", "the file is empty"),
        ('{"events": [{"id": 1}]}', "event 0 has no 'type'"),
        ('{"nothing": 1}', "not an execution history"),
        ('{"events": [{"id": 1, "type": "PassStateEntered"}]}', "no ExecutionStarted event"),
        (_started(timestamp=1e20), "ExecutionStarted's timestamp 1e+20 is not a date from 1970 to 2999"),
        (_started(timestamp="9999-12-31T23:59:59Z"), "timestamp '9999-12-31T23:59:59Z' is not a date"),
        (_started(timestamp="yesterday"), "timestamp 'yesterday' is not a date"),
        (
            _started(input="[" * 1000 + "]" * 1000),
            "ExecutionStarted's input is not JSON AWS accepts: the JSON nests objects and arrays more than 500",
        ),
        (_started(input='{"n": NaN}'), "input is not JSON AWS accepts: NaN is not valid JSON"),
    ],
)
def test_unusable_histories_are_errors_not_crashes(
    definition_file: Path, tmp_path: Path, text: str, fragment: str
) -> None:
    history = write(tmp_path / "history.json", text)
    report = replay_history(history, definition_file)
    assert report.status == "error"
    assert fragment in report.message
