"""JSONata in JSONata states: every `{% %}` parses, reads only what Step Functions provides, and its variables.

AWS refuses at creation (measured, floci's issues #2670 and #2745 and its ValidateStateMachineDefinition
tests): an expression that does not parse (INVALID_JSONATA_EXPRESSION, the parser's message without its
code); `$$` ("Reference to '$$' is not supported."); a field read at the top level, where there is no
context ("Reference to 'phone' at the top level is not supported."); and `$states.errorOutput` outside a
Catch ("Field '$states.errorOutput' does not exist."). AWS's guide adds that `$` cannot be used at the top
level and that `$states.result` exists only where a state has a result (Task, Parallel and Map, in
Output and Assign); those two are worded the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from asl.source import escape_token
from asl.validate.diagnostic import Aws, Diagnostic, make
from asl.validate.walk import State

#: Fields of a JSONata state that never hold expressions (nested machines are checked as states of their own).
_NOT_EXPRESSIONS = frozenset(
    {"Type", "Comment", "QueryLanguage", "Resource", "Next", "End", "Default", "Label", "Branches"}
    | {"ItemProcessor", "Iterator"}
)
_SFN_FUNCTIONS = frozenset({"partition", "range", "hash", "random", "uuid", "parse"})
#: Steps that read the context item, which a top-level expression does not have.
_CONTEXT_STEPS = frozenset({"name", "wildcard", "descendant", "parent"})
_WITH_RESULT = frozenset({"Task", "Parallel", "Map"})


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one expression is: its parse error (message without code), free variables, and what it may not read."""

    problem: str = ""
    reads: tuple[str, ...] = ()
    top_level: tuple[str, ...] = ()
    states_fields: frozenset[str] = frozenset()


def jsonata_state(state: State, diagnostics: list[Diagnostic], reads: list[tuple[str, str]]) -> None:
    """Check every `{% %}` string of one JSONata state."""
    stack: list[tuple[Any, str]] = [
        (value, f"{state.pointer}/{escape_token(key)}")
        for key, value in state.body.items()
        if key not in _NOT_EXPRESSIONS
    ]
    for i, rule in _items(state.body.get("Choices")):
        condition = rule.get("Condition")
        if isinstance(condition, str) and not is_expression(condition):
            diagnostics.append(
                make(
                    "INVALID_JSONATA",
                    f"'Condition' must be a JSONata expression written as '{{% ... %}}', not {condition!r}",
                    f"{state.pointer}/Choices/{i}/Condition",
                )
            )
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if is_expression(node):
                _expression(state, node, where, diagnostics, reads)
        elif isinstance(node, dict):
            stack.extend((v, f"{where}/{escape_token(k)}") for k, v in node.items() if k != "Comment")
        elif isinstance(node, list):
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(node))


def is_expression(text: str) -> bool:
    """True for `{% ... %}`."""
    return text.startswith("{%") and text.endswith("%}") and len(text) >= 4


def _expression(
    state: State, text: str, pointer: str, diagnostics: list[Diagnostic], reads: list[tuple[str, str]]
) -> None:
    parsed = parse_jsonata(text[2:-2])
    if parsed.problem:
        diagnostics.append(
            make(
                "INVALID_JSONATA",
                f"Invalid JSONata expression {text!r}: {parsed.problem}",
                pointer,
                Aws("INVALID_JSONATA_EXPRESSION", parsed.problem, pointer),
            )
        )
        return
    reads += [(name, pointer) for name in parsed.reads]
    for name in parsed.top_level:
        if name == "$$":
            aws, hint = "Reference to '$$' is not supported.", "use $states.context for the context object"
        else:
            aws = f"Reference to '{name}' at the top level is not supported."
            hint = "read the state input as $states.input" + (f".{name}" if name != "$" else "")
        message = f"{text!r} reads {name!r} at the top level, where there is nothing to read; {hint}"
        diagnostics.append(
            make("UNSUPPORTED_JSONATA", message, pointer, Aws("UNSUPPORTED_JSONATA_EXPRESSION", aws, pointer))
        )
    relative = pointer[len(state.pointer) :].split("/")[1:]
    for field in sorted(parsed.states_fields & {"result", "errorOutput"} - _available(state, relative)):
        where = (
            "a catcher's Output or Assign"
            if field == "errorOutput"
            else "Output and Assign of Task, Parallel and Map states"
        )
        message = f"$states.{field} does not exist here: it is available only in {where}"
        wording = Aws("UNSUPPORTED_JSONATA_EXPRESSION", f"Field '$states.{field}' does not exist.", pointer)
        diagnostics.append(make("UNSUPPORTED_JSONATA", message, pointer, wording))


def _available(state: State, relative: list[str]) -> set[str]:
    """Which of $states.result / $states.errorOutput exist for an expression at `relative` inside `state`."""
    if relative[:1] == ["Catch"] and relative[2:3] in (["Output"], ["Assign"]):
        return {"errorOutput"}
    if state.type in _WITH_RESULT and relative[:1] in (["Output"], ["Assign"]):
        return {"result"}
    return set()


@functools.lru_cache(maxsize=4096)
def parse_jsonata(expression: str) -> Parsed:
    """Parse a JSONata expression once: its problem (AWS's wording), free variables and unsupported reads."""
    if not expression.strip():
        return Parsed(problem="Unexpected end of expression")
    import jsonata

    from asl.jsonata import error_message

    try:
        parsed = jsonata.Jsonata(expression)
    except Exception as exc:
        return Parsed(problem=error_message(exc))
    top_level: list[str] = []
    states_fields: set[str] = set()
    _references(parsed.ast, True, top_level, states_fields)
    return Parsed("", _free_variables(parsed), tuple(dict.fromkeys(top_level)), frozenset(states_fields))


def _references(node: Any, top: bool, found: list[str], states_fields: set[str]) -> None:
    """Walk the syntax tree: `$$` anywhere, context reads while still at the top level, `$states.<field>`."""
    from jsonata.parser import Parser

    if isinstance(node, list | tuple):
        for item in node:
            _references(item, top, found, states_fields)
        return
    if not isinstance(node, Parser.Symbol):
        return
    kind = getattr(node, "type", None)
    if kind == "variable" and node.value == "$":
        found.append("$$")
    elif kind == "variable" and node.value == "" and top:
        found.append("$")
    elif kind in _CONTEXT_STEPS and top:
        found.append(str(node.value))
    if kind == "path":
        steps = node.steps or []
        if steps:
            _references(steps[0], top, found, states_fields)
            first = steps[0]
            if getattr(first, "type", None) == "variable" and first.value == "states" and len(steps) > 1:
                states_fields.add(str(steps[1].value))
            for step in steps[1:]:
                _references(step, False, found, states_fields)
        return
    # Everything evaluated against the same input as the node itself keeps `top`; predicates, stages,
    # group-by and lambda bodies run against other inputs.
    for name in (
        "lhs",
        "rhs",
        "condition",
        "then",
        "_else",
        "expression",
        "procedure",
        "arguments",
        "expressions",
    ):
        child = getattr(node, name, None)
        if child is not None and not (kind == "lambda" and name == "arguments"):
            _references(child, top, found, states_fields)
    for pair in getattr(node, "lhs_object", None) or []:
        _references(pair, top, found, states_fields)
    for name in ("body", "stages", "predicate", "group"):
        child = getattr(node, name, None)
        if child is not None:
            _references(child, False, found, states_fields)


def _free_variables(parsed: Any) -> tuple[str, ...]:
    from jsonata.parser import Parser

    symbol = Parser.Symbol
    skip = {
        "_outer_instance",
        "ancestor",
        "seeking_parent",
        "token",
        "focus",
        "tuple",
        "environment",
        "input",
        "group",
    }
    seen: set[int] = set()
    stack: list[Any] = [parsed.ast]
    reads: list[str] = []
    bound: set[str] = set()
    callees: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        if not isinstance(node, symbol) or id(node) in seen:
            continue
        seen.add(id(node))
        kind = getattr(node, "type", None)
        if kind == "variable" and id(node) not in callees:
            reads.append(str(node.value))
        elif kind == "bind" and isinstance(getattr(node, "lhs", None), symbol):
            bound.add(str(node.lhs.value))
        elif kind == "lambda":
            bound |= {str(a.value) for a in (node.arguments or []) if isinstance(a, symbol)}
        elif kind == "function" and isinstance(getattr(node, "procedure", None), symbol):
            callees.add(id(node.procedure))
        stack.extend(
            v for k, v in vars(node).items() if k not in skip and isinstance(v, symbol | list | tuple)
        )
    environment = parsed.environment
    free = []
    for name in reads:
        if name in ("", "$", "states") or name in bound or name in _SFN_FUNCTIONS:
            continue
        if environment.lookup(name) is None and name not in free:
            free.append(name)
    return tuple(free)


def _items(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item
