"""Killing the process in the middle of any write leaves each file complete: the old version or the new.

A child process (tests/crash_writer.py) rewrites one kind of file in a loop (the execution history of
`asl run --history`, the users file of `asl cognito init`, a Distributed Map's ResultWriter files, a replay
case) and is killed with SIGKILL at a random moment, again and again. After every kill, every file must
parse and be version A or version B. Temporary files a killed writer leaves are never read or listed, and
the next write of the same file removes those older than `asl.files.STALE_SECONDS`.
`ASL_CRASH_ROUNDS=200 python -m pytest -q tests/test_crash_safety.py` kills more often.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from asl.files import STALE_SECONDS, is_temporary, write_atomically

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("ASL_CRASH_ROUNDS", "5"))


def history_version(path: Path) -> list[str]:
    events = json.loads(path.read_text())["events"]
    started = json.loads(events[0]["executionStartedEventDetails"]["input"])
    assert events[-1]["type"] == "ExecutionSucceeded"
    return [started["version"]]


def users_version(path: Path) -> list[str]:
    text = path.read_text()
    json.loads(text)
    return ["A" if "pool-A" in text else "B" if "pool-B" in text else "?"]


def results_version(folder: Path) -> list[str]:
    versions = []
    for path in sorted(folder.rglob("*.json")):
        document = json.loads(path.read_text())
        if path.name == "SUCCEEDED_0.json":
            versions += sorted({json.loads(row["Output"])["version"] for row in document})
    return versions


def replay_version(path: Path) -> list[str]:
    return [json.loads(path.read_text())["version"]]


#: kind -> (what to check, the version(s) it holds)
KINDS: dict[str, tuple[str, Callable[[Path], list[str]]]] = {
    "history": ("history.json", history_version),
    "users": ("users.json", users_version),
    "results": ("s3/out", results_version),
    "replay": ("case.json", replay_version),
}


def kill_mid_write(kind: str, folder: Path, rng: random.Random) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_writer", kind, str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready", f"the {kind} writer did not start"
        time.sleep(rng.uniform(0, 0.25))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if is_temporary(p.name)]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_killed_writer_leaves_complete_files(kind: str, tmp_path: Path) -> None:
    target, version_of = KINDS[kind]
    rng = random.Random(kind)
    for _ in range(ROUNDS):
        kill_mid_write(kind, tmp_path, rng)
        versions = version_of(tmp_path / target)
        assert versions, f"no {kind} file after the kill"
        assert set(versions) <= {"A", "B"}, versions
        assert len(set(versions)) == 1 or kind == "results", versions


def test_leftover_temporary_files_are_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "history.json"
    write_atomically(target, "{}")
    old = tmp_path / ".history.json.abc123.tmp"
    young = tmp_path / ".history.json.def456.tmp"
    other = tmp_path / ".other.json.ghi789.tmp"
    for path in (old, young, other):
        path.write_text('{"half": ')
    past = time.time() - STALE_SECONDS - 60
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    write_atomically(target, '{"new": true}')
    assert json.loads(target.read_text()) == {"new": True}
    assert not old.exists()  # a leftover of a writer killed long ago
    assert young.exists()  # may belong to a writer still running
    assert other.exists()  # another file's business


def test_leftovers_are_not_listed_as_s3_objects(tmp_path: Path) -> None:
    from asl.s3 import list_objects

    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "data.json").write_text("[]")
    (tmp_path / "b" / ".data.json.x1y2z3.tmp").write_text("[")
    assert [key for key, _ in list_objects(tmp_path, "b", "")] == ["data.json"]
