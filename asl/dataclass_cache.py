"""Dataclass methods compiled once and kept beside the module's bytecode, so start-up does not compile them again.

`@dataclass` writes each class's `__init__`, `__repr__`, `__eq__`... as Python source and compiles that
source on every import. For the forty-odd classes `asl run` imports, compiling it was about a third of the
command's start-up (bench/bench_startup.py). `install()` gives the `dataclasses` module an `exec` that,
for classes of this project's packages only, compiles each generated source once and keeps the code
object, marshalled, next to the module's own bytecode: `<module>.<cache tag>.dataclasses` in its
`__pycache__` (or under PYTHONPYCACHEPREFIX). The next process executes the kept code object.

What runs is exactly what would have run: an entry's key is the complete source text, compiled as
`exec` compiles it (no `__future__` flags; the `dataclasses` module has none), and the result is executed
with the same globals and namespace. A missing, unreadable or foreign cache file is simply compiled
again; nothing is written where Python writes no bytecode (PYTHONDONTWRITEBYTECODE).
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import importlib.util
import marshal
import os
import sys
from types import CodeType
from typing import Any

#: The packages whose dataclasses are cached (anything else compiles as usual).
PACKAGES = ("asl.", "cli.", "cognito_tasks.")
_SUFFIX = ".dataclasses"

#: Per module file: (its cache file, code by source text, whether new entries await writing).
_caches: dict[str, tuple[str, dict[str, CodeType], list[bool]]] = {}


def install() -> None:
    """Route the `dataclasses` module's `exec` through the cache (idempotent)."""
    import dataclasses

    if getattr(dataclasses, "exec", None) is not _exec:
        dataclasses.exec = _exec  # type: ignore[attr-defined]


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None) -> None:
    cache = _cache_for(globals) if isinstance(source, str) else None
    if cache is None:
        builtins.exec(source, globals, locals)
        return
    _, codes, dirty = cache
    code = codes.get(source)
    if code is None:
        code = compile(source, "<string>", "exec", dont_inherit=True)
        codes[source] = code
        if not sys.dont_write_bytecode:
            if not dirty:
                atexit.register(_write, cache)
            dirty[:] = [True]
    builtins.exec(code, globals, locals)


def _cache_for(globals: dict[str, Any] | None) -> tuple[str, dict[str, CodeType], list[bool]] | None:
    if not globals or not str(globals.get("__name__", "")).startswith(PACKAGES):
        return None
    source_file = globals.get("__file__")
    if not isinstance(source_file, str):
        return None
    cache = _caches.get(source_file)
    if cache is None:
        try:
            path = importlib.util.cache_from_source(source_file)
        except (NotImplementedError, ValueError):
            return None
        path = path.removesuffix(".pyc") + _SUFFIX
        cache = (path, _read(path), [])
        _caches[source_file] = cache
    return cache


def _read(path: str) -> dict[str, CodeType]:
    try:
        with open(path, "rb") as handle:
            loaded = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, CodeType)}


def _write(cache: tuple[str, dict[str, CodeType], list[bool]]) -> None:
    """Write one module's entries (at exit), replacing the file in one step; failures are ignored."""
    path, codes, _ = cache
    temp = f"{path}.{os.getpid()}.tmp"
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temp, "wb") as handle:
            marshal.dump(codes, handle)
        os.replace(temp, path)
    with contextlib.suppress(OSError):
        os.unlink(temp)
