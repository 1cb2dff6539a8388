"""A users file shared by a long-running process (`asl serve`) and others (`asl run --users`, `asl cognito`).

    shared.share(directory, path)      # from now on every action is a transaction on the file

Each action (`cognito_tasks.api.run`, which the Task integration and the HTTP services both go
through) then holds the file's lock (`persist.lock`, the one `asl run --users` holds for a whole
run), reloads the directory in place when another process replaced the file since this one last
read or wrote it, runs, and writes the file back atomically before the lock is released when the
document changed. So an answer is sent only once what it changed is on disk, and a concurrent
`asl run` on the same file takes turns with the server instead of losing its updates (or the
server's). Reads that change nothing write nothing; actions known to only read
(`cognito_tasks.actions.READS`) skip even the comparison.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from cognito_tasks import persist
from cognito_tasks.directory import UserDirectory

__all__ = ["SharedFile", "share"]

_Stamp = tuple[int, int, int] | None


def _stamp(path: Path) -> _Stamp:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)


class SharedFile:
    """The users file behind one directory: its lock, and what this process last read or wrote."""

    def __init__(self, directory: UserDirectory, path: str | os.PathLike[str]) -> None:
        self.directory = directory
        self.path = Path(path)
        self._text = persist.dumps(directory)
        self._seen: _Stamp = _stamp(self.path)
        self._depth = 0

    @contextlib.contextmanager
    def transaction(self, writes: bool = True) -> Iterator[None]:
        """Lock the file, catch up with it, run the block, save what it changed (nested blocks join).

        `writes=False`: the block only reads, so the document is not serialised to look for changes.
        """
        with self.directory.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with persist.lock(self.path):
                self._depth = 1
                try:
                    self._catch_up()
                    yield
                finally:
                    self._depth = 0
                    if writes:
                        self._save()

    def _catch_up(self) -> None:
        current = _stamp(self.path)
        if current is None or current == self._seen:
            return
        self.directory.adopt(persist.load(self.path, key_factory=self.directory.key_factory))
        self._text = persist.dumps(self.directory)
        self._seen = current

    def _save(self) -> None:
        text = persist.dumps(self.directory)
        if text == self._text and self._seen is not None:
            return
        persist.save(self.directory, self.path, text)
        self._text = text
        self._seen = _stamp(self.path)


def share(directory: UserDirectory, path: str | os.PathLike[str]) -> SharedFile:
    """Make every action on `directory` a transaction on the users file at `path` (created if missing)."""
    shared = SharedFile(directory, path)
    directory.guard = shared.transaction
    return shared
