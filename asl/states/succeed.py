"""Succeed: end the machine with its (filtered) input."""

from __future__ import annotations

from typing import Any

from asl import io
from asl.model import QueryLanguage, SucceedState
from asl.paths import Scope
from asl.runtime import Frame, Outcome, Runtime


def run(ex: Runtime, state: SucceedState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Succeed state."""
    if state.query_language is QueryLanguage.JSONATA:
        output = state.output(scope) if state.output is not None else raw
    else:
        output = io.apply_output_path(state, io.effective_input(state, raw, scope), scope)
    return Outcome(output, None)
