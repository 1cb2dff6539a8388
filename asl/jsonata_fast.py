"""The JSONata that workflows mostly write, compiled to Python closures; the engine answers the rest.

jsonata-python (`asl.jsonata`) stays the reference: it parses every expression, and this module turns
the parse tree into closures only for a subset, where the closure computes what the engine would:

- literals, `$states.input/context/result/errorOutput` and variable paths whose steps are plain names
  (through objects; an array along the way is the engine's, as it maps over it), `$`, relative names;
- arithmetic, comparison, `=`/`!=`, `and`/`or`, `&`, `in`, unary minus, `? :`, `( )` around one
  expression, array and object constructors (literal, distinct keys);
- calls of JSONata's and Step Functions' functions that take no function argument and do not read the
  evaluation's clock (`$now`, `$millis`), through the engine's own signature checks and implementations.

At run time anything unusual (a value of an unexpected type, an error, a result past a bound, a variable
shadowing a function) makes the closure answer `None`, and the caller evaluates with the engine, which
then gives its exact result or error. AWS's bounds (`asl.jsonata_bounds`) hold unchanged: a compiled
expression has at most `MAX_NODES` nodes and evaluates each once, so the engine's depth count stays at
most `MAX_NODES` (the bound is 100) and it never reaches its first clock look (step 256); every string
and array a node yields is checked against the memory bound as the engine's exit callback does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from asl.jsonata_bounds import MAX_BYTES
from asl.paths import UNSET, Scope

#: A closure: the node's value for one evaluation (None: undefined).
Node = Callable[[Scope], Any]
#: Larger expressions go to the engine (see the module docstring on the depth bound).
MAX_NODES = 64
#: Functions that take functions, read the evaluation's clock, or evaluate text.
_EXCLUDED = frozenset(
    {"map", "filter", "reduce", "sift", "each", "single", "sort", "now", "millis", "eval", "apply"}
)
_MAX_LIST = MAX_BYTES // 8


class _Fallback(Exception):
    """The engine must answer this evaluation."""


class _Unsupported(Exception):
    """The expression is outside the compiled subset."""


_FALLBACK = _Fallback()


def compile_fast(engine: Any) -> Callable[[Scope], Any] | None:
    """A closure computing `engine`'s result for a `Scope` (None: let the engine answer), or None."""
    from jsonata.jsonata import Jsonata
    from jsonata.utils import Utils

    if engine.errors is not None:
        return None
    builder = _Builder(engine, Jsonata, Utils)
    try:
        node = builder.node(engine.ast)
    except _Unsupported:
        return None
    if builder.count > MAX_NODES:
        return None

    def run(scope: Scope) -> Any:
        try:
            return node(scope)
        except Exception:  # the engine says what goes wrong, in its own words
            return None

    return run


def _plain(expr: Any) -> None:
    """Refuse a node with a filter, an index, grouping, `[]`, or a focus/index/parent binding."""
    if (
        getattr(expr, "predicate", None)
        or getattr(expr, "stages", None)
        or getattr(expr, "group", None) is not None
        or getattr(expr, "keep_array", False)
        or getattr(expr, "focus", None) is not None
        or getattr(expr, "index", None) is not None
        or getattr(expr, "tuple", None) is not None
        or getattr(expr, "ancestor", None) is not None
        or getattr(expr, "seeking_parent", None)
    ):
        raise _Unsupported


def _sized(value: Any) -> Any:
    """The memory bound on a node's value, as the engine's exit callback checks it."""
    kind = type(value)
    if kind is str:
        if len(value) > MAX_BYTES:
            raise _FALLBACK
    elif kind is not dict and isinstance(value, list) and len(value) > _MAX_LIST:
        raise _FALLBACK
    return value


def _number(value: Any) -> bool:
    """JSONata's is_numeric, with anything that would raise sent to the engine."""
    kind = type(value)
    if kind is int:
        return True
    if kind is float:
        if not math.isfinite(value):
            raise _FALLBACK
        return True
    return False


class _Builder:
    """Turns one parse tree into closures, counting its nodes."""

    def __init__(self, engine: Any, jsonata: Any, utils: Any) -> None:
        self.engine = engine
        self.count = 0
        self.null = utils.NULL_VALUE
        self.jlist = utils.JList
        self.is_sequence = utils.is_sequence
        self.boolize = jsonata.boolize
        self.function_types = (jsonata.JNativeFunction, jsonata.JLambda)

    def node(self, expr: Any) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Unsupported
        _plain(expr)
        kind = expr.type
        if kind == "path":
            return self.path(expr)
        if kind in ("string", "number", "value"):
            return self.literal(expr)
        if kind == "variable":
            return self.variable(expr.value)
        if kind == "binary":
            return self.binary(expr)
        if kind == "unary":
            return self.unary(expr)
        if kind == "condition":
            return self.condition(expr)
        if kind == "block" and len(expr.expressions) == 1:
            return self.node(expr.expressions[0])
        if kind == "function":
            return self.function(expr)
        raise _Unsupported

    # -- values -------------------------------------------------------------------------------------

    def literal(self, expr: Any) -> Node:
        value = expr.value if expr.value is not None else self.null
        if isinstance(value, str) and len(value) > MAX_BYTES:
            raise _Unsupported
        if isinstance(value, float) and not math.isfinite(value):
            raise _Unsupported
        return lambda scope: value

    def variable(self, name: str) -> Node:
        null = self.null
        if name == "":
            return _context
        if name == "states":
            return _states
        if name == "$":
            raise _Unsupported  # `$$`, the root
        shadowed = self.engine.environment.lookup(name) is not None

        def variable(scope: Scope) -> Any:
            variables = scope.variables
            if name in variables:
                value = variables[name]
                return null if value is None else _sized(value)
            if shadowed:  # a function, used as a value
                raise _FALLBACK
            return None

        return variable

    def path(self, expr: Any) -> Node:
        steps = expr.steps
        if expr.keep_singleton_array or any(step.type != "name" for step in steps[1:]):
            raise _Unsupported
        for step in steps:
            _plain(step)
        self.count += len(steps) - 1
        names = tuple(str(step.value) for step in steps[1:])
        first = steps[0]
        if getattr(first, "consarray", False):
            raise _Unsupported
        if first.type == "variable" and first.value == "states" and names:
            self.count += 1
            member, names = names[0], names[1:]
            root = _STATES_MEMBERS.get(member, _undefined)
        elif first.type == "variable":
            root = self.node(first)
        elif first.type == "name":
            self.count += 1
            names = (str(first.value), *names)
            root = _relative
        else:
            raise _Unsupported
        null = self.null

        def path(scope: Scope) -> Any:
            value = root(scope)
            for name in names:
                if isinstance(value, dict):
                    if name not in value:
                        return None
                    value = value[name]
                    if value is None:
                        value = null
                elif isinstance(value, list):
                    raise _FALLBACK  # JSONata maps over arrays: the engine's
                else:
                    return None
            return _sized(value)

        return path

    # -- operators ----------------------------------------------------------------------------------

    def binary(self, expr: Any) -> Node:
        op = str(expr.value)
        lhs, rhs = self.node(expr.lhs), self.node(expr.rhs)
        engine = self.engine
        if op in ("+", "-", "*", "/", "%"):
            return _arithmetic(op, lhs, rhs)
        if op in ("<", "<=", ">", ">="):
            return _comparison(op, lhs, rhs)
        if op in ("=", "!="):
            equality = engine.evaluate_equality_expression
            return lambda scope: equality(lhs(scope), rhs(scope), op)
        boolize = self.boolize
        if op == "and":
            return lambda scope: boolize(lhs(scope)) and boolize(rhs(scope))
        if op == "or":
            return lambda scope: boolize(lhs(scope)) or boolize(rhs(scope))
        if op == "&":
            concat = engine.evaluate_string_concat
            return lambda scope: _sized(concat(lhs(scope), rhs(scope)))
        if op == "in":
            includes = engine.evaluate_includes_expression
            return lambda scope: includes(lhs(scope), rhs(scope))
        raise _Unsupported

    def unary(self, expr: Any) -> Node:
        value = str(expr.value)
        if value == "-":
            operand = self.node(expr.expression)

            def negate(scope: Scope) -> Any:
                number = operand(scope)
                if number is None:
                    return None
                if not _number(number):
                    raise _FALLBACK
                return _javascript_number(-float(number))

            return negate
        if value == "[":
            return self.array(expr)
        if value == "{":
            return self.object(expr)
        raise _Unsupported

    def array(self, expr: Any) -> Node:
        from jsonata.functions import Functions

        items = [(self.node(item), str(item.value) == "[") for item in expr.expressions]
        jlist, append, cons = self.jlist, Functions.append, bool(expr.consarray)

        def array(scope: Scope) -> Any:
            result = jlist()
            for item, nested in items:
                value = item(scope)
                if value is not None:
                    if nested:
                        result.append(value)
                    else:
                        result = append(result, value)
            if cons:
                if not isinstance(result, jlist):
                    result = jlist(result)
                result.cons = True
            return _sized(result)

        return array

    def object(self, expr: Any) -> Node:
        pairs = []
        for key, value in expr.lhs_object:
            _plain(key)
            if key.type != "string":
                raise _Unsupported
            self.count += 1
            pairs.append((str(key.value), self.node(value)))
        if len({key for key, _ in pairs}) != len(pairs):
            raise _Unsupported  # the engine's D1009 (one key from two expressions)

        def constructor(scope: Scope) -> Any:
            result = {}
            for key, value in pairs:
                member = value(scope)
                if member is not None:
                    result[key] = member
            return result

        return constructor

    def condition(self, expr: Any) -> Node:
        test, then = self.node(expr.condition), self.node(expr.then)
        otherwise = self.node(expr._else) if expr._else is not None else None
        boolize = self.boolize

        def condition(scope: Scope) -> Any:
            if boolize(test(scope)):
                return then(scope)
            return otherwise(scope) if otherwise is not None else None

        return condition

    def function(self, expr: Any) -> Node:
        procedure = expr.procedure
        if getattr(procedure, "type", None) != "variable":
            raise _Unsupported
        _plain(procedure)
        self.count += 1
        name = str(procedure.value)
        proc = self.engine.environment.lookup(name)
        if name in _EXCLUDED or not isinstance(proc, self.function_types):
            raise _Unsupported
        arguments = [self.node(argument) for argument in expr.arguments or []]
        is_sequence = self.is_sequence
        validate, call = proc.validate, proc.call

        def function(scope: Scope) -> Any:
            if name in scope.variables:
                raise _FALLBACK  # a variable named like the function
            context = scope.input
            if isinstance(context, list):
                raise _FALLBACK  # the engine wraps an array input; its signatures see the wrapper
            args = [argument(scope) for argument in arguments]
            result = call(context, validate(args, context))
            if result is not None and is_sequence(result) and not result.tuple_stream:
                if not result:
                    return None
                if len(result) == 1 and not result.keep_singleton:
                    result = result[0]
            return _sized(result)

        return function


def _context(scope: Scope) -> Any:
    """`$`: the evaluation's input (an array input is the array)."""
    return _sized(scope.input)


def _relative(scope: Scope) -> Any:
    """The input a relative path starts from (an array: the engine maps over it)."""
    value = scope.input
    if isinstance(value, list):
        raise _FALLBACK
    return value


def _states(scope: Scope) -> Any:
    """`$states`, as `asl.jsonata` binds it."""
    states: dict[str, Any] = {"input": scope.input, "context": scope.context}
    if scope.result is not UNSET:
        states["result"] = scope.result
    if scope.error_output is not UNSET:
        states["errorOutput"] = scope.error_output
    return states


def _member(read: Callable[[Scope], Any]) -> Node:
    def member(scope: Scope) -> Any:
        value = read(scope)
        if value is UNSET:
            return None
        return _null() if value is None else value

    return member


def _null() -> Any:
    from jsonata.utils import Utils

    return Utils.NULL_VALUE


def _undefined(scope: Scope) -> Any:
    return None


_STATES_MEMBERS: dict[str, Node] = {
    "input": _member(lambda scope: scope.input),
    "context": _member(lambda scope: scope.context),
    "result": _member(lambda scope: scope.result),
    "errorOutput": _member(lambda scope: scope.error_output),
}


def _javascript_number(value: float) -> Any:
    """The engine's convert_number for a finite result (an integral float becomes an int)."""
    if not math.isfinite(value):
        raise _FALLBACK
    whole = int(value)
    return whole if whole == value else value


def _compute(op: str, left: Any, right: Any) -> Any:
    """The engine's numeric operator on two numbers (finite results only)."""
    a, b = float(left), float(right)
    if op == "+":
        return _javascript_number(a + b)
    if op == "-":
        return _javascript_number(a - b)
    if op == "*":
        return _javascript_number(a * b)
    if b == 0:
        raise _FALLBACK  # JavaScript's Infinity and NaN: the engine's
    if op == "/":
        return _javascript_number(a / b)
    from jsonata.utils import Utils

    return Utils.convert_number(int(math.fmod(a, b)))


def _arithmetic(op: str, lhs: Node, rhs: Node) -> Node:
    """`+ - * / %` on numbers; anything else (a type error, division by zero) is the engine's."""

    def arithmetic(scope: Scope) -> Any:
        left, right = lhs(scope), rhs(scope)
        if type(left) is int and type(right) is int:  # the common case, first
            return _compute(op, left, right)
        if left is None or right is None:
            if (left is None or _number(left)) and (right is None or _number(right)):
                return None
            raise _FALLBACK
        if not (_number(left) and _number(right)):
            raise _FALLBACK
        return _compute(op, left, right)

    return arithmetic


def _comparison(op: str, lhs: Node, rhs: Node) -> Node:
    """`< <= > >=` on two numbers or two strings; undefined on either side is undefined."""

    def comparison(scope: Scope) -> Any:
        left, right = lhs(scope), rhs(scope)
        lk, rk = type(left), type(right)
        numbers = (lk is int or lk is float) and (rk is int or rk is float)
        if numbers:
            if lk is not rk:
                left, right = float(left), float(right)
        elif not (lk is rk is str):
            # mixed types, or a type JSONata does not compare: undefined only beside a comparable value
            left_ok = left is None or lk is int or lk is float or lk is str
            right_ok = right is None or rk is int or rk is float or rk is str
            if not (left_ok and right_ok and (left is None or right is None)):
                raise _FALLBACK
        if left is None or right is None:
            return None
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        return left >= right

    return comparison
