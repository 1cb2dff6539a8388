"""Choice: take the Next of the first matching rule, else Default, else fail as AWS does.

With no rule matching and no Default, AWS fails the execution with States.Runtime, "Failed to
transition out of the state. The state does not point to a next state." (floci-io/floci: "AWS
wording, verified against us-east-1"; gabrielmoreira/tiny-asl-machine's AWS-run Choice cases), not
with the States.NoChoiceMatched the ASL specification names.
"""

from __future__ import annotations

from typing import Any

from asl import io
from asl.errors import StatesRuntime
from asl.model import ChoiceState, QueryLanguage
from asl.paths import Scope
from asl.runtime import Frame, Outcome, Runtime

#: AWS's cause when no Choice rule matches and there is no Default.
NO_NEXT_STATE = "Failed to transition out of the state. The state does not point to a next state."


def run(ex: Runtime, state: ChoiceState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Choice state."""
    jsonata = state.query_language is QueryLanguage.JSONATA
    value = raw if jsonata else io.effective_input(state, raw, scope)
    test_scope = scope if jsonata else Scope(value, scope.context, scope.variables)
    for rule in state.choices:
        if rule.test(test_scope):
            return _leave(state, raw, value, scope, rule.next, rule.output, rule.assign)
    if state.default is None:
        raise StatesRuntime(NO_NEXT_STATE)
    return _leave(state, raw, value, scope, state.default, None, None)


def _leave(
    state: ChoiceState, raw: Any, value: Any, scope: Scope, next_: str, output: Any, assign: Any
) -> Outcome:
    if state.query_language is QueryLanguage.JSONATA:
        expr = output if output is not None else state.output
        out = expr(scope) if expr is not None else raw
    else:
        out = io.apply_output_path(state, value, scope)
    return Outcome(out, next_, assign=assign, assign_input=value)
