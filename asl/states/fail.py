"""Fail: end the machine with an error and a cause (literal, by path, intrinsic or JSONata)."""

from __future__ import annotations

from typing import Any, NoReturn

from asl.errors import StatesError, StatesRuntime
from asl.history import dumps
from asl.io import dynamic_value
from asl.jsonvalue import json_type
from asl.model import Dynamic, FailState
from asl.paths import Scope
from asl.runtime import Frame, Runtime


class FailStateError(StatesError):
    """The error a Fail state ends its machine with."""


def _resolve(dynamic: Dynamic | None, scope: Scope) -> str | None:
    if dynamic is None:
        return None
    value = dynamic_value(dynamic, scope)
    if not isinstance(value, str):
        raise StatesRuntime(
            f"The {dynamic.field} field must resolve to a string, but was {json_type(value)}: {dumps(value)}"
        )
    return value


async def run(ex: Runtime, state: FailState, raw: Any, scope: Scope, frame: Frame) -> NoReturn:
    """Run a Fail state: raise its error."""
    error = _resolve(state.error, scope)
    cause = _resolve(state.cause, scope)
    raise FailStateError(cause, error=error if error is not None else "")
