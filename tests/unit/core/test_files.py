"""asl.files.write_atomically: the whole new file or the old one, permissions kept, no temporary left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asl.files import write_atomically


def test_creates_folders_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.json"
    write_atomically(target, "one")
    assert target.read_text() == "one"
    os.chmod(target, 0o640)
    write_atomically(target, "two")
    assert target.read_text() == "two"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    write_atomically(target, "old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        write_atomically(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
