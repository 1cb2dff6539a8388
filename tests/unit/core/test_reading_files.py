"""asl.files.read_text / read_bytes: a regular file, bounded; pipes, devices and folders refused at once.

And every command that reads a file a user names refuses them the same way, without hanging.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl.files import FileReadError, read_bytes, read_text
from cli.main import cli
from tests.bounded import bounded

FLOW = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    return _special("fifo", tmp_path)


def _special(kind: str, tmp_path: Path) -> Path:
    """A named pipe, a folder or a character device: what a user may name by mistake (or not)."""
    path = {"fifo": tmp_path / "pipe.json", "folder": tmp_path / "folder"}.get(kind, Path("/dev/zero"))
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("fifo", "is a named pipe (FIFO), not a regular file"),
        ("device", "is a character device, not a regular file"),
        ("folder", "is a folder, not a file"),
    ],
)
def test_special_files_are_refused_by_what_they_are_without_waiting(
    tmp_path: Path, kind: str, reason: str
) -> None:
    if kind == "device" and not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    with bounded(5, "reading a special file"), pytest.raises(FileReadError) as caught:
        read_text(_special(kind, tmp_path))
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("content", "limit", "reason"),
    [
        (b"x" * 101, 100, "it is larger than 100 bytes"),
        (b'{"a": "\xff"}', 100, "it is not UTF-8 text (byte 7 is 0xff)"),
    ],
)
def test_large_and_non_utf8_files_are_refused(
    tmp_path: Path, content: bytes, limit: int, reason: str
) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(content)
    with pytest.raises(FileReadError, match=r"f\.json") as caught:
        read_text(path, limit)
    assert caught.value.reason.startswith(reason)


def test_a_regular_file_is_read_whole_and_a_missing_one_says_so(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b"\xef\xbb\xbf{}")
    assert read_text(path) == "{}"
    assert read_bytes(path, 5) == b"\xef\xbb\xbf{}"
    with pytest.raises(FileReadError, match="no such file"):
        read_text(tmp_path / "missing.json")


@pytest.mark.parametrize(
    "arguments",
    [
        ["validate", "{pipe}"],
        ["run", "{pipe}"],
        ["graph", "{pipe}"],
        ["test-state", "{pipe}", "--state", "P"],
        ["run", "{flow}", "--input", "file://{pipe}"],
        ["run", "{flow}", "--config", "{pipe}"],
        ["run", "{flow}", "--mock-config", "{pipe}", "--test-case", "T"],
        ["run", "{flow}", "--users", "{pipe}"],
        ["run", "{template}"],
        ["validate", "{template}"],
        ["replay", "{flow}", "--definition", "{pipe}"],
    ],
    ids=lambda a: " ".join(a).replace("{", "").replace("}", ""),
)
def test_commands_refuse_a_named_pipe_wherever_they_take_a_file(
    tmp_path: Path, fifo: Path, arguments: list[str]
) -> None:
    flow = tmp_path / "flow.json"
    flow.write_text(json.dumps(FLOW))
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  F:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
        f"      DefinitionUri: {fifo.name}\n"
    )
    names = {"pipe": str(fifo), "flow": str(flow), "template": str(template)}
    with bounded(20, " ".join(arguments)):
        result = CliRunner().invoke(cli, [a.format(**names) for a in arguments])
    assert result.exit_code != 0
    assert "named pipe (FIFO)" in result.output
    assert "Traceback" not in result.output
