"""One async handler per state type, and the HANDLERS table the executor dispatches on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from asl.model import StateType
from asl.states import choice, fail, map, parallel, pass_, succeed, task, wait

if TYPE_CHECKING:
    from asl.paths import Scope
    from asl.runtime import Frame, Outcome, Runtime

#: A state handler; Pass, Choice and Succeed never wait, so theirs are plain functions (no coroutine).
Handler = Callable[["Runtime", Any, Any, "Scope", "Frame"], "Awaitable[Outcome] | Outcome"]

HANDLERS: dict[StateType, Handler] = {
    StateType.PASS: pass_.run,
    StateType.TASK: task.run,
    StateType.CHOICE: choice.run,
    StateType.WAIT: wait.run,
    StateType.SUCCEED: succeed.run,
    StateType.FAIL: fail.run,
    StateType.PARALLEL: parallel.run,
    StateType.MAP: map.run,
}
