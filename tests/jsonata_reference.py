"""Evaluate a JSONata expression as `asl.jsonata` does, with or without its compiled closures.

The differential tests compare the two: the closures (`asl.jsonata_fast`) must give exactly the value or
the failure the engine (jsonata-python, the reference) gives.
"""

from __future__ import annotations

import re
from typing import Any

from asl.errors import Problem, QueryEvaluationError
from asl.jsonata import compile_expression
from asl.paths import UNSET, Scope

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def compiled(expression: str) -> Any:
    """The compiled `{% expression %}` (as a state's Output field)."""
    problems: list[Problem] = []
    result = compile_expression("{% " + expression + " %}", "Output", "", problems)
    assert result is not None, problems
    return result


def outcome(
    expression: str,
    data: Any,
    variables: dict[str, Any] | None = None,
    *,
    fast: bool,
    context: Any = None,
    result: Any = UNSET,
) -> tuple[str, Any]:
    """("value", the result) or ("error", the cause, with random ids masked); `fast` False: the engine alone."""
    expr = compiled(expression)
    if not fast:
        expr.fast = None
    scope = Scope(
        data, context if context is not None else {"State": {"Name": "S"}}, variables or {}, result=result
    )
    try:
        return ("value", expr(scope))
    except QueryEvaluationError as exc:
        return ("error", _UUID.sub("<uuid>", exc.cause or ""))


def is_compiled(expression: str) -> bool:
    """True when the expression runs as closures (it is inside the compiled subset)."""
    return compiled(expression).fast is not None
