"""The state under test: one state given alone, or one state of a whole definition (`stateName`)."""

from __future__ import annotations

from typing import Any

from asl.errors import DefinitionError
from asl.model import QueryLanguage, State, iter_states
from asl.parse import load_definition
from asl.teststate.request import Request, TestStateError

#: The name a state given alone has (its `$$.State.Name`).
SINGLE_STATE_NAME = "TestState"


def _targets(state: dict[str, Any]) -> set[str]:
    """Every state name a state may move to."""
    found = {state.get("Next"), state.get("Default")}
    found |= {rule.get("Next") for rule in state.get("Choices") or [] if isinstance(rule, dict)}
    found |= {catcher.get("Next") for catcher in state.get("Catch") or [] if isinstance(catcher, dict)}
    return {name for name in found if isinstance(name, str)}


def compile_state(request: Request) -> State:
    """The compiled state to test; an invalid definition is AWS's InvalidDefinition."""
    raw = request.definition
    if request.state_name is not None:
        if "States" not in raw:
            raise TestStateError(
                "InvalidDefinition",
                "With stateName, the definition must be a whole state machine (StartAt, States)",
            )
        machine = _load(raw).machine
        for state in iter_states(machine):
            if state.name == request.state_name:
                return state
        raise TestStateError(
            "ValidationException", f"The definition has no state named {request.state_name!r}"
        )
    if "States" in raw:
        raise TestStateError(
            "ValidationException",
            "The definition is a state machine: give the name of the state to test as stateName",
        )
    if "Type" not in raw:
        raise TestStateError(
            "InvalidDefinition", "The definition must be a state (with Type) or a state machine"
        )
    states: dict[str, Any] = {name: {"Type": "Succeed"} for name in _targets(raw)}
    states[SINGLE_STATE_NAME] = raw
    language = raw.get("QueryLanguage")
    top = {"StartAt": SINGLE_STATE_NAME, "States": states}
    if language == QueryLanguage.JSONATA:
        top["QueryLanguage"] = language
    tested: State = _load(top).machine.states[SINGLE_STATE_NAME]
    return tested


def _load(raw: dict[str, Any]) -> Any:
    try:
        return load_definition(raw)
    except DefinitionError as exc:
        details = "; ".join(str(problem) for problem in exc.problems)
        raise TestStateError("InvalidDefinition", f"Invalid State Machine Definition: {details}") from None
