"""The JSONPath data-flow pipeline of one state.

InputPath -> Parameters -> (the state's work) -> ResultSelector -> ResultPath -> OutputPath,
with AWS's semantics: a null InputPath or OutputPath gives `{}`, a null ResultPath discards the
result, ResultPath is applied to the state's raw input and creates missing objects on the way.
"""

from __future__ import annotations

from typing import Any

from asl.errors import StatesRuntime
from asl.model import Dynamic, State
from asl.paths import Path, PathNotFound, Scope, set_at


def _select(path: Path, doc: Any, scope: Scope, field: str) -> Any:
    try:
        return path.get(Scope(doc, scope.context, scope.variables))
    except PathNotFound:
        raise StatesRuntime(f"Invalid path '{path.text}' : No results for path: {field}") from None


def effective_input(state: State, raw: Any, scope: Scope) -> Any:
    """The state input after InputPath."""
    if state.input_null:
        return {}
    if state.input_path is None:
        return raw
    return _select(state.input_path, raw, scope, bracketed(state.input_path))


def apply_result(state: State, raw: Any, result: Any, scope: Scope) -> Any:
    """The state output from its raw input and its result: ResultSelector, ResultPath, OutputPath."""
    return apply_output_path(state, place_result(state, raw, result, scope)[1], scope)


def place_result(state: State, raw: Any, result: Any, scope: Scope) -> tuple[Any, Any]:
    """(the result after ResultSelector, the raw input with it placed by ResultPath)."""
    if state.result_selector is not None:
        result = state.result_selector(Scope(result, scope.context, scope.variables))
    if state.result_discard:
        combined = raw
    elif state.result_path is None:
        combined = result
    else:
        combined = set_at(raw, state.result_path, result)
    return result, combined


def apply_output_path(state: State, value: Any, scope: Scope) -> Any:
    """OutputPath alone (for states with no result, such as Choice and Wait)."""
    if state.output_null:
        return {}
    if state.output_path is None:
        return value
    return _select(state.output_path, value, scope, bracketed(state.output_path))


def bracketed(path: Path) -> str:
    """`$.a.b[0]` -> `$['a']['b'][0]`, the form AWS's causes print."""
    if path.steps is None:
        return path.text
    head = {"input": "$", "context": "$$", "variable": f"${path.variable}"}[path.root]
    return head + "".join(f"[{s}]" if isinstance(s, int) else f"['{s}']" for s in path.steps)


def dynamic_value(dyn: Dynamic, scope: Scope) -> Any:
    """The value of a field given literally, by `*Path`, by intrinsic or by JSONata (not yet checked)."""
    if dyn.expr is not None:
        return dyn.expr(scope)
    if dyn.path is not None:
        try:
            return dyn.path.get(scope)
        except PathNotFound:
            raise StatesRuntime(
                f"The {dyn.field} parameter does not reference an input value: {dyn.text}"
            ) from None
    return dyn.value
