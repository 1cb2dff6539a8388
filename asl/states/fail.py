"""Fail: end the machine with an error and a cause (literal, by path, intrinsic or JSONata)."""

from __future__ import annotations

from typing import Any, NoReturn

from asl.errors import StatesError, StatesRuntime
from asl.executor import Execution, Frame
from asl.model import Dynamic, FailState
from asl.paths import PathNotFound, Scope


class FailStateError(StatesError):
    """The error a Fail state ends its machine with."""


def _resolve(dynamic: Dynamic | None, scope: Scope) -> str | None:
    if dynamic is None:
        return None
    if dynamic.expr is not None:
        value = dynamic.expr(scope)
    elif dynamic.path is not None:
        try:
            value = dynamic.path.get(scope)
        except PathNotFound:
            raise StatesRuntime(
                f"The {dynamic.field} parameter does not reference an input value: {dynamic.text}"
            ) from None
    else:
        value = dynamic.value
    if not isinstance(value, str):
        raise StatesRuntime(f"The {dynamic.field} field must resolve to a string, but was: {value!r}")
    return value


async def run(ex: Execution, state: FailState, raw: Any, scope: Scope, frame: Frame) -> NoReturn:
    """Run a Fail state: raise its error."""
    error = _resolve(state.error, scope)
    cause = _resolve(state.cause, scope)
    raise FailStateError(cause, error=error if error is not None else "")
