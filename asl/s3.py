"""S3's naming rules, and the local folder that stands in for S3 (`<root>/<bucket>/<key>`), confined to its root.

Amazon S3 never maps a key outside its bucket, so neither does the stand-in: every bucket and object
is resolved under the root after following symbolic links, and anything that would leave it is refused
with the answer S3 gives (`S3Error.code` is S3's error code, e.g. NoSuchKey; `str()` reads like the
cause an AWS SDK reports). Naming rules: "General purpose bucket naming rules" and "Creating object key
names" in the Amazon S3 User Guide; error codes and messages: "Error responses" in the S3 API Reference.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from asl.files import is_temporary
from asl.lazyre import Pattern

#: A name any bucket can have had: the legacy (pre-March 2018, us-east-1) rule, which SDKs still check.
_LEGACY_BUCKET = Pattern(r"^[A-Za-z0-9._-]{1,255}$")
_BUCKET = Pattern(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
#: "The name for a key is a sequence of Unicode characters whose UTF-8 encoding is at most 1,024 bytes long."
MAX_KEY_BYTES = 1024

#: S3 error code -> (HTTP status, S3's message).
_ERRORS = {
    "InvalidBucketName": (400, "The specified bucket is not valid."),
    "KeyTooLongError": (400, "Your key is too long."),
    "AccessDenied": (403, "Access Denied"),
    "NoSuchBucket": (404, "The specified bucket does not exist."),
    "NoSuchKey": (404, "The specified key does not exist."),
}


class S3Error(Exception):
    """What S3 would answer: `code` (NoSuchKey...), and a note on what the local folder did."""

    def __init__(self, code: str, note: str = "") -> None:
        self.code = code
        status, message = _ERRORS[code]
        self.status = status
        text = f"{message} (Service: S3, Status Code: {status}, Error Code: {code})"
        super().__init__(f"{text}: {note}" if note else text)


def bucket_name_problem(name: str) -> str | None:
    """Why no bucket can have this name (S3 answers InvalidBucketName), or None."""
    if not _LEGACY_BUCKET.match(name) or name in (".", ".."):
        return "a bucket name has 1 to 255 letters, digits, '.', '-' and '_' (and is not '.' or '..')"
    return None


def bucket_name_warning(name: str) -> str | None:
    """Why a bucket created today cannot have this name (only old us-east-1 buckets can), or None."""
    if not _BUCKET.match(name):
        return "bucket names are 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit"
    if ".." in name:
        return "bucket names must not contain two adjacent periods"
    import ipaddress

    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return "bucket names must not be formatted as an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"the prefix {prefix!r} is reserved"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"the suffix {suffix!r} is reserved"
    return None


def key_problem(key: str) -> str | None:
    """Why S3 refuses this object key (empty or over 1,024 bytes of UTF-8), or None."""
    if not key:
        return "an object key must not be empty"
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        return f"an object key is at most {MAX_KEY_BYTES} bytes of UTF-8"
    return None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def bucket_folder(root: Path, bucket: Any) -> Path:
    """The existing folder of `bucket` under `root`, resolved; raise S3Error when S3 would refuse it."""
    if not isinstance(bucket, str) or bucket_name_problem(bucket):
        raise S3Error("InvalidBucketName", f"bucket {bucket!r}")
    top = root.resolve()
    folder = (top / bucket).resolve()
    if not _inside(folder, top) or folder == top:
        raise S3Error("AccessDenied", f"the bucket folder {bucket!r} leads outside {top} (a symbolic link)")
    if not folder.is_dir():
        raise S3Error("NoSuchBucket", f"no folder {top / bucket} stands in for bucket {bucket!r}")
    return folder


def _key_parts(key: Any) -> list[str]:
    if not isinstance(key, str):
        raise S3Error("NoSuchKey", f"the key {key!r} is not a string")
    problem = key_problem(key)
    if problem:
        raise S3Error("KeyTooLongError" if key else "NoSuchKey", problem)
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts) or "\x00" in key:
        raise S3Error(
            "NoSuchKey",
            f"the local folder standing in for S3 cannot hold the key {key!r}: a key it stores is a relative "
            "file path with no empty, '.' or '..' segment",
        )
    return parts


def object_path(root: Path, bucket: Any, key: Any) -> Path:
    """Where object `bucket`/`key` lives under `root`, resolved and checked to stay inside its bucket."""
    folder = bucket_folder(root, bucket)
    path = folder.joinpath(*_key_parts(key))
    resolved = path.resolve()
    if not _inside(resolved, folder) or resolved == folder:
        raise S3Error("AccessDenied", f"s3://{bucket}/{key} leads outside {folder} (a symbolic link)")
    return resolved


def read_object(root: Path, bucket: Any, key: Any) -> bytes:
    """The bytes of object `bucket`/`key`."""
    path = object_path(root, bucket, key)
    with _reading(path, bucket, key):
        return path.read_bytes()


def object_file(root: Path, bucket: Any, key: Any) -> Path:
    """The file of object `bucket`/`key`, checked to be readable (for reading it piece by piece)."""
    path = object_path(root, bucket, key)
    with _reading(path, bucket, key), path.open("rb"):
        pass
    return path


@contextlib.contextmanager
def _reading(path: Path, bucket: Any, key: Any) -> Iterator[None]:
    """S3's answer for a file that cannot be read: NoSuchKey when it is missing, else AccessDenied."""
    try:
        yield
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise S3Error("NoSuchKey", f"no file {path} stands in for s3://{bucket}/{key}") from None
    except OSError as exc:
        raise S3Error("AccessDenied", f"cannot read {path}: {exc.strerror}") from None


def list_objects(root: Path, bucket: Any, prefix: str) -> Iterator[tuple[str, Path]]:
    """(key, file) of every object in `bucket` whose key starts with `prefix`, in key order.

    Symbolic links that lead outside the bucket are skipped, as are leftover temporary files.
    """
    folder = bucket_folder(root, bucket)
    found: list[tuple[str, Path]] = []
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            if is_temporary(name):
                continue
            path = Path(current, name)
            key = path.relative_to(folder).as_posix()
            if not key.startswith(prefix):
                continue
            resolved = path.resolve()
            if _inside(resolved, folder) and resolved.is_file():
                found.append((key, resolved))
    return iter(sorted(found))


def writable_folder(root: Path, bucket: Any, key_prefix: str) -> Path:
    """The folder holding objects under `bucket`/`key_prefix`/ (created), confined to the bucket."""
    folder = bucket_folder(root, bucket)
    target = folder.joinpath(*_key_parts(key_prefix))
    current = folder
    for part in target.relative_to(folder).parts:
        current = current / part
        if current.is_symlink() and not _inside(current.resolve(), folder):
            raise S3Error("AccessDenied", f"{current} leads outside {folder} (a symbolic link)")
        try:
            current.mkdir(exist_ok=True)
        except FileExistsError:
            raise S3Error(
                "AccessDenied", f"{current} is a file, so no object can be stored under it"
            ) from None
    return target.resolve()
