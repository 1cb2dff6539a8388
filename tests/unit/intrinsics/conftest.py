"""A small stand-in for the real path compiler: `$.a.b[0]`, `$['k']`, `$$.Execution.Input.x`, `$var.x`."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# The project is not installed into the virtualenv and pytest's config sets no `pythonpath`, so a
# plain `pytest tests/unit/intrinsics` could not import `asl`; fall back to the repository root.
if importlib.util.find_spec("asl") is None:  # pragma: no cover - depends on how pytest is started
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from asl.errors import StatesRuntime
from asl.intrinsics import compile_intrinsic

_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")
_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class Scope:
    input: Any
    context: Any = None
    variables: dict[str, Any] = field(default_factory=dict)


def compile_test_path(text: str) -> Callable[[Any], Any]:
    """Compile the plain paths the tests use; anything fancier is a ValueError, like a syntax error."""
    if text.startswith("$$"):
        root, rest = "context", text[2:]
    elif (variable := _VARIABLE.match(text)) is not None:
        root, rest = "variable", text[variable.end() :]
    elif text.startswith("$"):
        root, rest = "input", text[1:]
    else:
        raise ValueError(f"not a path: {text!r}")
    steps: list[str | int] = []
    i = 0
    while i < len(rest):
        match = _STEP.match(rest, i)
        if match is None:
            error = ValueError(f"unsupported path syntax in {text!r}")
            error.position = 1 + i  # type: ignore[attr-defined]
            raise error
        name, index, quoted = match.groups()
        steps.append(int(index) if index is not None else (name if name is not None else quoted))
        i = match.end()

    def get(scope: Scope) -> Any:
        if root == "variable":
            assert variable is not None
            doc = scope.variables[variable.group(1)]
        else:
            doc = scope.context if root == "context" else scope.input
        for step in steps:
            try:
                doc = doc[step]
            except (KeyError, IndexError, TypeError):
                raise StatesRuntime(f"The JSONPath '{text}' could not be found in the input") from None
        return doc

    return get


def run(text: str, data: Any = None, *, variables: dict[str, Any] | None = None) -> Any:
    """Compile `text` and evaluate it with `data` as the input (and as `$$.Execution.Input`)."""
    evaluate = compile_intrinsic(text, compile_test_path)
    return evaluate(Scope(data, {"Execution": {"Input": data}}, variables or {}))


@pytest.fixture
def evaluate() -> Callable[..., Any]:
    """`evaluate(text, input, variables=...)`: compile and run an intrinsic call."""
    return run


@pytest.fixture
def path_compiler() -> Callable[[str], Callable[[Any], Any]]:
    """The test path compiler."""
    return compile_test_path


@pytest.fixture
def make_scope() -> type[Scope]:
    """The scope class the test path compiler reads: `Scope(input, context, variables)`."""
    return Scope
