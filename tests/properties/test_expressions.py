"""Random JSONPath, intrinsic and JSONata strings through their compilers, then through a run.

Allowed outcomes: the compiler accepts or raises its documented syntax error (`PathSyntaxError`,
`IntrinsicSyntaxError`); a definition using the string loads or raises `DefinitionError`; a run on random
input ends with a status (a States.* error when evaluation fails) or raises an `AslError`.
"""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given

from asl import DefinitionError, StateMachine
from asl.intrinsics import IntrinsicSyntaxError, compile_intrinsic
from asl.paths import PathSyntaxError, Scope, compile_path
from tests.bounded import bounded
from tests.properties.strategies import (
    INTRINSIC_TOKENS,
    JSONATA_TOKENS,
    JSONPATH_TOKENS,
    json_values,
    outcome,
    soup,
)


def run_one_state(state: dict[str, Any], input: Any, jsonata: bool = False) -> None:
    states = {"S": state, "Yes": {"Type": "Succeed"}}
    if state["Type"] != "Choice":
        state["End"] = True
    definition: dict[str, Any] = {"StartAt": "S", "States": states}
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    try:
        machine = StateMachine(definition)
    except DefinitionError as exc:
        problems = exc.problems
        assert problems
        return
    result = outcome(machine, input)
    if result is None:
        return
    assert result.status in ("SUCCEEDED", "FAILED")
    if result.status == "FAILED":
        assert result.error.startswith("States."), (result.error, result.cause)


@given(soup(JSONPATH_TOKENS), json_values)
def test_jsonpath(text: str, input: Any) -> None:
    with bounded(5, f"the path {text!r}"):
        try:
            path = compile_path(text)
        except PathSyntaxError:
            pass
        else:
            with contextlib.suppress(LookupError):  # PathNotFound: the path matches nothing in this input
                path.get(Scope(input, {}, {}))
        run_one_state({"Type": "Pass", "Parameters": {"v.$": text}}, input)
        run_one_state({"Type": "Pass", "InputPath": text, "ResultPath": text}, input)


@given(soup(INTRINSIC_TOKENS), json_values)
def test_intrinsics(text: str, input: Any) -> None:
    with bounded(5, f"the intrinsic {text!r}"):
        with contextlib.suppress(IntrinsicSyntaxError, PathSyntaxError):
            compile_intrinsic(text, compile_path)
        run_one_state({"Type": "Pass", "Parameters": {"v.$": text}}, {"a": input, "list": [input, 1, "x"]})


@given(soup(JSONATA_TOKENS, max_size=10), json_values)
def test_jsonata(text: str, input: Any) -> None:
    with bounded(5, f"the JSONata expression {text!r}"):
        run_one_state({"Type": "Pass", "Output": f"{{% {text} %}}"}, {"a": input, "b": [1, 2]}, jsonata=True)
        choice = [{"Condition": f"{{% {text} %}}", "Next": "Yes"}]
        run_one_state({"Type": "Choice", "Choices": choice, "Default": "Yes"}, input, jsonata=True)
