"""Intrinsic functions of JSONPath states (`States.Format(...)` and 17 more): compile once, run many times.

::

    evaluate = compile_intrinsic("States.Format('Hello, {}!', $.name)", compile_path)
    evaluate(scope)  # "Hello, Ada!"

`compile_intrinsic` lexes, parses and checks the call against each function's declared signature
when the definition loads, raising `IntrinsicSyntaxError` (with `.position`) for what AWS would
reject. Paths inside the call are handed, as text, to the caller's `compile_path`; the getters it
returns are called with the scope at evaluation time. Failures while running raise
`asl.errors.IntrinsicFailure`; errors from path getters propagate unchanged.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from asl.intrinsics.compiler import compile_call
from asl.intrinsics.errors import IntrinsicSyntaxError
from asl.intrinsics.parser import parse
from asl.intrinsics.registry import FUNCTIONS

__all__ = ["IntrinsicSyntaxError", "compile_intrinsic", "is_intrinsic"]

_CALL_START = re.compile(r"\s*States\.[A-Za-z0-9_]+\s*\(")


def is_intrinsic(text: str) -> bool:
    """True when `text` looks like an intrinsic call, `States.<Name>(`...; a path such as `$.a` is not."""
    return isinstance(text, str) and _CALL_START.match(text) is not None


def compile_intrinsic(text: str, compile_path: Callable[[str], Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """Parse and check `text` once; return `evaluate(scope) -> value`."""
    return compile_call(text, _parsed(text), compile_path, FUNCTIONS)


#: Syntax trees are immutable: a call validated and then compiled (or repeated in a definition) is parsed once.
_parsed = functools.lru_cache(maxsize=4096)(parse)
