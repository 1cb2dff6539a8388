"""One async handler per state type, and the HANDLERS table the executor dispatches on."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from asl.model import StateType

if TYPE_CHECKING:
    from asl.paths import Scope
    from asl.runtime import Frame, Outcome, Runtime

#: A state handler; Pass, Choice and Succeed never wait, so theirs are plain functions (no coroutine).
Handler = Callable[["Runtime", Any, Any, "Scope", "Frame"], "Awaitable[Outcome] | Outcome"]

#: The module of each state type's handler (`run`).
_MODULES = {
    StateType.PASS: "pass_",
    StateType.TASK: "task",
    StateType.CHOICE: "choice",
    StateType.WAIT: "wait",
    StateType.SUCCEED: "succeed",
    StateType.FAIL: "fail",
    StateType.PARALLEL: "parallel",
    StateType.MAP: "map",
}


class _Handlers(dict[StateType, Handler]):
    """The table, filled as state types are first run: a run imports only the handlers it uses."""

    def __missing__(self, key: StateType) -> Handler:
        handler: Handler = importlib.import_module(f"asl.states.{_MODULES[key]}").run
        self[key] = handler
        return handler


HANDLERS: dict[StateType, Handler] = _Handlers()
