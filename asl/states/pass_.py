"""Pass: output its input, or its Result, through the data-flow fields."""

from __future__ import annotations

from typing import Any

from asl.model import PassState
from asl.paths import Scope
from asl.runtime import Frame, Outcome, Runtime
from asl.states.common import finish, task_input


def run(ex: Runtime, state: PassState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Pass state."""
    result = state.result if state.has_result else task_input(state, raw, scope)
    return Outcome(finish(state, raw, result, scope), state.next, result=result)
