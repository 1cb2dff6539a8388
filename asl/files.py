"""Reading files within bounds, and writing them so that nothing is lost.

Reading (`read_bytes`, `read_text`): only a regular file is read, and at most `READ_LIMIT` bytes of it.
A named pipe, a device (`/dev/zero`, `/dev/stdin`), a socket or a folder is refused by what it is,
without waiting on it; a larger file is refused by its size. Every file a user names goes through here:
definitions, templates and the files they name, `file://` inputs, mock files, configurations, users files.

Writing (`write_atomically`): a reader sees the old content or the new, never half of it.

A write goes to a temporary file next to the target (`.<name>.<random>.tmp`), is flushed to disk and
renamed over the target. A process killed mid-write leaves at most that temporary file: readers never
look at it, listings skip it (`is_temporary`), and the next write of the same target removes it once it
is older than `STALE_SECONDS` (a younger one may belong to a writer that is still running).
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from asl.errors import AslError

#: A temporary file this old is a leftover of a killed writer, not a write in progress.
STALE_SECONDS = 600.0
#: The largest file read (100 MiB): far past what AWS takes (a definition is at most 1 MiB, a payload 256 KiB).
READ_LIMIT = 100 * 1024 * 1024


class FileReadError(AslError, OSError):
    """A file that cannot be read: the message names it and says why (missing, a pipe, too large...)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(0, reason)  # `strerror` is the reason alone
        self.message = message
        self.reason = reason

    def __str__(self) -> str:
        return self.message


_KINDS = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def _kind_problem(mode: int) -> str | None:
    for test, problem in _KINDS:
        if test(mode):
            return problem
    return None if stat.S_ISREG(mode) else "is not a regular file"


def read_problem(path: str | os.PathLike[str]) -> str | None:
    """Why `path` cannot be read as a file ("no such file", "is a named pipe..."), or None when it can."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return exc.strerror or str(exc)
    return _kind_problem(mode)


def read_bytes(path: str | os.PathLike[str], limit: int = READ_LIMIT) -> bytes:
    """The content of the regular file `path`; `FileReadError` for anything else or more than `limit` bytes."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise FileReadError(f"{name}: no such file", "no such file") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise FileReadError(f"{name}: cannot read it: {reason}", reason) from None
    problem = _kind_problem(os.fstat(fd).st_mode)
    if problem is not None:
        os.close(fd)
        raise FileReadError(f"{name} {problem}", problem)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        reason = f"it is larger than {limit:,} bytes, more than asl-runner reads"
        raise FileReadError(f"{name}: {reason}", reason)
    return data


def read_text(path: str | os.PathLike[str], limit: int = READ_LIMIT) -> str:
    """The UTF-8 text of the regular file `path` (a leading byte-order mark dropped); see `read_bytes`."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        reason = f"it is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}); save it as UTF-8"
        raise FileReadError(f"{os.fspath(path)}: {reason}", reason) from None


class FileWriteError(AslError, OSError):
    """A file could not be written: the message names it and says why (a parent is a file, no permission...)."""

    def __init__(self, message: str, errno: int = 0, reason: str | None = None) -> None:
        super().__init__(errno, reason or message)  # `strerror` is the reason alone
        self.message = message

    def __str__(self) -> str:
        return self.message


def is_temporary(name: str) -> bool:
    """True for the name of a temporary file that `write_atomically` writes before renaming it."""
    return name.startswith(".") and name.endswith(".tmp")


def _mode(path: Path) -> int:
    """The existing file's permissions, else what a new file gets under the umask (mkstemp makes 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_problem(path: str | os.PathLike[str]) -> str | None:
    """Why `path` cannot be written, found without writing anything (None: it looks writable)."""
    target = Path(path)
    if target.is_dir():
        return f"{target} is a folder"
    folder = target.parent
    while not folder.exists():
        if folder.is_symlink():
            return f"{folder} is a broken symbolic link"
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to create files in {folder}"
    if target.exists() and not os.access(target, os.W_OK) and not os.access(folder, os.W_OK):
        return f"no permission to replace {target}"
    return None


def write_atomically(
    path: str | os.PathLike[str], text: str | Iterable[str], *, mode: int | None = None
) -> None:
    """Write `text` to `path`: a temporary file in the same folder, fsync, rename over the target, fsync the folder.

    `text` may also be an iterable of strings, written one after another, so a large file (an execution's
    history, a Map's results) never has to be held in memory whole. `mode` sets the permissions (e.g. 0o600 for a file holding secrets); by default the old file's
    permissions are kept, or a new file gets what the umask allows. Raises `FileWriteError` (an
    `OSError`) naming the file and the reason when it cannot be written.
    """
    target = Path(path)
    folder = target.parent
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _failure(target, exc, f"cannot create files in {folder}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, _mode(target) if mode is None else mode)
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _failure(target, exc) from None
        raise
    with contextlib.suppress(OSError):
        folder_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)
    _remove_stale(target)


def _failure(target: Path, exc: OSError, doing: str = "") -> FileWriteError:
    detail = exc.strerror or str(exc)
    reason = write_problem(target) or (f"{doing} ({detail})" if doing else detail)
    return FileWriteError(f"cannot write {target}: {reason}", exc.errno or 0, reason)


def _remove_stale(target: Path) -> None:
    """Remove temporary files of `target` left by writers killed long enough ago."""
    cutoff = time.time() - STALE_SECONDS
    with contextlib.suppress(OSError):
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
