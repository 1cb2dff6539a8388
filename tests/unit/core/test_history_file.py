"""`asl run --history` writes the history event by event: the same bytes `json.dumps(document, indent=2)` gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl import StateMachine
from asl.files import write_atomically
from asl.history import history_file

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=100)
@given(st.text(max_size=20), st.lists(st.dictionaries(st.text(max_size=4), JSON, max_size=4), max_size=4))
def test_pieces_are_the_document_dumped_whole(arn: str, events: list[dict[str, Any]]) -> None:
    document = {"executionArn": arn, "events": events}
    assert "".join(history_file(arn, iter(events))) == json.dumps(document, indent=2) + "\n"


@pytest.mark.parametrize("pieces", [["a", "", "bc\n", "é"], [], ["single"]])
def test_write_atomically_takes_pieces(pieces: list[str], tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_atomically(target, iter(pieces))
    assert target.read_text(encoding="utf-8") == "".join(pieces)


def test_a_run_history_streams_to_the_same_file(tmp_path: Path) -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    result = StateMachine(definition).run_sync({"items": [1, "two", {"3": None}]})
    target = tmp_path / "history.json"
    write_atomically(target, history_file(result.execution_arn, result.iter_history()))
    expected = json.dumps({"executionArn": result.execution_arn, "events": result.history}, indent=2) + "\n"
    assert target.read_text() == expected
