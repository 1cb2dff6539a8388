"""Syntax tree -> one evaluator closure, with every signature check that can be done at load time.

Literal arguments are checked against their declared kinds and constraints here, once; so are the
declared return kinds of nested calls. Path arguments and nested calls whose result might not fit
are wrapped in a run-time check that raises `IntrinsicFailure`. Evaluation then only resolves paths
and runs function bodies.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from asl.errors import IntrinsicFailure
from asl.intrinsics.errors import IntrinsicSyntaxError
from asl.intrinsics.kinds import Kind, describe_value, kind_bits, kind_of
from asl.intrinsics.parser import Call, Literal, Node, PathArg
from asl.intrinsics.signature import Intrinsic, Param, ordinal
from asl.intrinsics.text import split_template
from asl.intrinsics.values import plural

Evaluator = Callable[[Any], Any]
PathCompiler = Callable[[str], Evaluator]


def compile_call(
    text: str, call: Call, compile_path: PathCompiler, functions: Mapping[str, Intrinsic]
) -> Evaluator:
    """Check `call` (parsed from `text`) against `functions` and build its evaluator."""
    return _Compiler(text, compile_path, functions).call(call)


class _Compiler:
    """Compiles the nodes of one call tree; holds what every node needs."""

    __slots__ = ("compile_path", "functions", "text")

    def __init__(self, text: str, compile_path: PathCompiler, functions: Mapping[str, Intrinsic]) -> None:
        self.text = text
        self.compile_path = compile_path
        self.functions = functions

    def fail(self, message: str, position: int) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(message, self.text, position)

    def lookup(self, call: Call) -> Intrinsic:
        function = self.functions.get(call.name)
        if function is not None:
            return function
        hint = _suggest(call.name, self.functions)
        raise self.fail(f"unknown intrinsic function {call.name!r}{hint}", call.position)

    def call(self, call: Call) -> Evaluator:
        function = self.lookup(call)
        count, high = len(call.args), function.max_args
        if count < function.min_args or (high is not None and count > high):
            position = call.args[high].position if high is not None and count > high else call.position
            given = f"{count} {'was' if count == 1 else 'were'} given"
            raise self.fail(f"{function.name} takes {function.arity()}, but {given}", position)
        evaluators = [self.argument(function, index, node) for index, node in enumerate(call.args)]
        self.check_template(function, call)
        return _invoke(function.body, evaluators)

    def check_template(self, function: Intrinsic, call: Call) -> None:
        """A literal States.Format template must have one `{}` per remaining argument."""
        if not (function.params and function.params[0].template and call.args):
            return
        template = call.args[0]
        if isinstance(template, Literal):
            placeholders, values = len(template.segments) - 1, len(call.args) - 1
            if placeholders != values:
                raise self.fail(
                    f"{function.name}: the template has {plural(placeholders, 'placeholder')} '{{}}' "
                    f"but {plural(values, 'value')} {'was' if values == 1 else 'were'} given",
                    template.position,
                )

    def argument(self, function: Intrinsic, index: int, node: Node) -> Evaluator:
        param = function.param(index)
        if isinstance(node, Literal):
            problem = _problem(node.value, param)
            if problem is not None:
                raise self.fail(f"{function.name}: {_label(index, param)} {problem}", node.position)
            return _constant(node.segments if param.template else node.value)
        if isinstance(node, PathArg):
            return _checked(self.path(node), function.name, index, param)
        inner = self.call(node)
        returns = self.lookup(node).returns
        if not returns & param.kind:
            raise self.fail(
                f"{function.name}: {_label(index, param)} must be {param.kind.describe()}, "
                f"but {node.name} returns {returns.describe()}",
                node.position,
            )
        if returns in param.kind and not param.checks and not param.template:
            return inner
        return _checked(inner, function.name, index, param, always=True)

    def path(self, node: PathArg) -> Evaluator:
        try:
            return self.compile_path(node.text)
        except IntrinsicSyntaxError:
            raise
        except ValueError as exc:
            offset = getattr(exc, "position", 0)
            position = node.position + offset if isinstance(offset, int) else node.position
            raise self.fail(f"invalid path {node.text!r}: {exc}", position) from exc


def _problem(value: Any, param: Param) -> str | None:
    """What is wrong with `value` as an argument for `param`, or None."""
    if not kind_of(value) & param.kind:
        return f"must be {param.kind.describe()}, but got {describe_value(value)}"
    for check in param.checks:
        problem = check(value)
        if problem is not None:
            return problem
    return None


def _label(index: int, param: Param) -> str:
    return f"the {ordinal(index + 1)} argument ({param.name})"


def _checked(get: Evaluator, name: str, index: int, param: Param, *, always: bool = False) -> Evaluator:
    """Wrap `get` so a value that does not fit `param` fails at run time (skipped when anything fits)."""
    if param.kind == Kind.ANY and not param.checks and not param.template and not always:
        return get
    allowed, checks, template = param.kind.value, param.checks, param.template

    def checked(scope: Any) -> Any:
        value = get(scope)
        if not kind_bits(value) & allowed:
            raise IntrinsicFailure(
                f"Invalid arguments in {name}: {_label(index, param)} must be {param.kind.describe()}, "
                f"but got {describe_value(value)}"
            )
        for check in checks:
            problem = check(value)
            if problem is not None:
                raise IntrinsicFailure(f"Invalid arguments in {name}: {_label(index, param)} {problem}")
        return split_template(value) if template else value

    return checked


def _constant(value: Any) -> Evaluator:
    return lambda scope: value


def _invoke(body: Callable[..., Any], args: list[Evaluator]) -> Evaluator:
    """An evaluator that evaluates `args` in order and calls `body`; unrolled for the common arities."""
    if not args:
        return lambda scope: body()
    if len(args) == 1:
        (a,) = args
        return lambda scope: body(a(scope))
    if len(args) == 2:
        a, b = args
        return lambda scope: body(a(scope), b(scope))
    if len(args) == 3:
        a, b, c = args
        return lambda scope: body(a(scope), b(scope), c(scope))
    frozen = tuple(args)
    return lambda scope: body(*[arg(scope) for arg in frozen])


def _suggest(name: str, functions: Mapping[str, Intrinsic]) -> str:
    if not name.startswith("States."):
        return ": intrinsic functions are named States.<Name>, such as States.Format"
    by_lower = {known.lower(): known for known in functions}
    if name.lower() in by_lower:
        return f"; did you mean {by_lower[name.lower()]}? (names are case-sensitive)"
    close = difflib.get_close_matches(name, list(functions), n=1)
    return f"; did you mean {close[0]}?" if close else ""
