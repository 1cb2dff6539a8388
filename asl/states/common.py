"""Helpers the state handlers share: what a state works on, its output, and running without waiting."""

from __future__ import annotations

from typing import Any

from asl import io
from asl.model import Expr, QueryLanguage, State
from asl.paths import Scope


def run_now(coroutine: Any) -> Any:
    """Run a coroutine that cannot suspend (see `never_waits`) to its end, without the event loop.

    Parallel branches and Map iterations made only of such states run this way: spawning a task for
    each would cost more than running them.
    """
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    raise RuntimeError("a state machine expected never to wait suspended")


def finish(state: State, raw: Any, result: Any, scope: Scope) -> Any:
    """The state output from its result, in the state's query language."""
    if state.query_language is QueryLanguage.JSONATA:
        if state.output is None:
            return result
        return state.output(Scope(raw, scope.context, scope.variables, result=result))
    return io.apply_result(state, raw, result, scope)


def task_input(state: State, raw: Any, scope: Scope, arguments: Expr | None = None) -> Any:
    """What the state works on: InputPath + Parameters (JSONPath) or Arguments (JSONata)."""
    if state.query_language is QueryLanguage.JSONATA:
        return arguments(scope) if arguments is not None else raw
    value = io.effective_input(state, raw, scope)
    if state.parameters is not None:
        return state.parameters(Scope(value, scope.context, scope.variables))
    return value
