"""Plain JSONata paths are read directly: the answers must be exactly the engine's."""

from __future__ import annotations

from typing import Any

import pytest

from asl.errors import Problem, QueryEvaluationError
from asl.jsonata import compile_expression
from asl.paths import UNSET, Scope

DATA: dict[str, Any] = {
    "a": {"b": {"c": 1, "n": None, "list": [1, [2], {"x": 3}], "one": [5], "s": "text", "t": True}},
    "items": [{"name": "x"}, {"name": "y"}],
    "empty": {},
}
VARIABLES: dict[str, Any] = {"v": {"deep": {"k": "val"}}, "nothing": None, "arr": [[1, 2]], "num": 4}
EXPRESSIONS = [
    "$states.input",
    "$states.input.a",
    "$states.input.a.b.c",
    "$states.input.a.b.n",
    "$states.input.a.b.list",
    "$states.input.a.b.one",
    "$states.input.a.b.s",
    "$states.input.a.b.t",
    "$states.input.a.b.s.nope",
    "$states.input.items.name",
    "$states.input.missing",
    "$states.input.a.missing.deeper",
    "$states.input.empty",
    "$states.context.State.Name",
    "$states.result",
    "$states.result.r",
    "$states.errorOutput",
    "$v",
    "$v.deep.k",
    "$v.deep.missing",
    "$nothing",
    "$arr",
    "$num",
    "$undefinedVar",
    "$states",
]


def outcome(expression: str, fast: bool, result: Any) -> tuple[str, Any]:
    problems: list[Problem] = []
    compiled = compile_expression("{% " + expression + " %}", "Output", "", problems)
    assert compiled is not None, problems
    if not fast:
        compiled.fast = None
    scope = Scope(DATA, {"State": {"Name": "S"}}, VARIABLES, result=result)
    try:
        return ("value", compiled(scope))
    except QueryEvaluationError as exc:
        return ("error", exc.cause)


@pytest.mark.parametrize("result", [UNSET, {"r": [1]}, None])
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_fast_path_matches_the_engine(expression: str, result: Any) -> None:
    assert outcome(expression, True, result) == outcome(expression, False, result)
