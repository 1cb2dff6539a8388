"""Payload templates (Parameters, ResultSelector, ItemSelector, Assign in JSONPath states).

A template is compiled once into a closure. Keys ending in `.$` take a JSONPath, context path,
variable path or intrinsic call; everything else is copied literally (constant subtrees are
shared, never rebuilt).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from asl.errors import Problem, StatesRuntime
from asl.history import dumps
from asl.paths import Path, PathNotFound, PathSyntaxError, Scope, compile_path, walk
from asl.source import escape_token

Expr = Callable[[Scope], Any]


def path_getter(path: Path, field: str) -> Expr:
    """A getter for `path` that fails as AWS does when a `.$` field's path matches nothing."""

    def get(scope: Scope) -> Any:
        try:
            return path.get(scope)
        except PathNotFound:
            if _past_the_end(path, scope):
                return None
            doc = scope.input if path.root == "input" else scope.context
            if path.root == "variable":
                raise StatesRuntime(
                    f"The JSONPath '{path.text}' specified for the field '{field}' could not be found: "
                    f"no variable named '{path.variable}' has a value there"
                ) from None
            raise StatesRuntime(
                f"The JSONPath '{path.text}' specified for the field '{field}' could not be found "
                f"in the input '{dumps(doc)}'"
            ) from None

    return get


def _past_the_end(path: Path, scope: Scope) -> bool:
    """True when only the last step, an array index, missed: AWS's `.$` fields read that as null.

    Measured on AWS (floci-io/floci#3199 and its integration test): `"v.$": "$.items[5]"` on a
    two-item array gives `{"v": null}`, while a missing key, a step past the index, or the same path
    as an intrinsic argument fails. Jayway JsonPath over Jackson behaves so: `ArrayNode.get` returns
    null past the end instead of failing.
    """
    steps = path.steps
    if not steps or not isinstance(steps[-1], int) or path.root == "variable":
        return False
    doc = scope.input if path.root == "input" else scope.context
    try:
        parent = walk(doc, steps[:-1])
    except KeyError:
        return False
    return isinstance(parent, list)


def argument_getter(path: Path, expression: str) -> Expr:
    """A getter for a path argument of the intrinsic call `expression`; AWS words a miss differently.

    AWS names the whole call, not the inner one that took the argument, and the argument's path
    (floci-io/floci#2870, causes recorded on AWS).
    """

    def get(scope: Scope) -> Any:
        try:
            return path.get(scope)
        except PathNotFound:
            doc = scope.input if path.root == "input" else scope.context
            raise StatesRuntime(
                f"The function '{expression}' had the following error: The JsonPath argument for the "
                f"field '{path.text}' could not be found in the input '{dumps(doc)}'"
            ) from None

    return get


def compile_dynamic_value(text: Any, field: str, pointer: str, problems: list[Problem]) -> Expr | None:
    """Compile the value of a `.$` field: a path or an intrinsic call."""
    if not isinstance(text, str):
        problems.append(
            Problem(
                pointer, f"the value of '{field}' must be a JSONPath or an intrinsic function call string"
            )
        )
        return None
    compiled, why = _dynamic_or_why(text, field)
    if compiled is None:
        problems.append(Problem(pointer, why, "INVALID_JSONPATH"))
    return compiled


@functools.lru_cache(maxsize=4096)
def _dynamic_or_why(text: str, field: str) -> tuple[Expr | None, str]:
    """The evaluator of a `.$` field's value (a path or intrinsic call), or why there is none.

    Pure, so one evaluator serves every state that repeats the same text in the same field.
    """
    from asl.intrinsics import IntrinsicSyntaxError, compile_intrinsic, is_intrinsic

    stripped = text.strip()
    try:
        if is_intrinsic(stripped):
            return compile_intrinsic(stripped, lambda p: argument_getter(compile_path(p), stripped)), ""
        if stripped.startswith("$"):
            return path_getter(compile_path(stripped), field), ""
    except (PathSyntaxError, IntrinsicSyntaxError) as exc:
        return None, f"{field}: {exc}"
    return None, (
        f"the value of '{field}' must be a JSONPath (starting with '$'), a context path ('$$.'), "
        f"a variable ('$name') or an intrinsic function call (States.Format(...)); got {text!r}"
    )


def compile_template(value: Any, pointer: str, problems: list[Problem]) -> Expr:
    """Compile a JSONPath-mode payload template into a closure `(scope) -> value`."""
    compiled = _compile(value, pointer, problems)
    return compiled if compiled is not None else _constant(value)


def _compile(value: Any, pointer: str, problems: list[Problem]) -> Expr | None:
    """The closure of a template, or None when it holds no `.$` field (a constant, shared as it is)."""
    if isinstance(value, dict):
        dynamic = False
        parts: list[tuple[str, Any]] = []
        for key, item in value.items():
            if isinstance(key, str) and key.endswith(".$"):
                dynamic = True
                child = f"{pointer}/{escape_token(key)}"
                parts.append((key[:-2], compile_dynamic_value(item, key, child, problems)))
            elif isinstance(item, dict | list):
                compiled = _compile(item, f"{pointer}/{escape_token(str(key))}", problems)
                dynamic = dynamic or compiled is not None
                parts.append((key, compiled if compiled is not None else _constant(item)))
            else:  # a constant: nothing to compile, and no problem to place
                parts.append((key, _constant(item)))
        if not dynamic:
            return None

        def build(scope: Scope) -> Any:
            return {key: fn(scope) for key, fn in parts if fn is not None}

        return build
    if isinstance(value, list):
        compiled_items = [_compile(v, f"{pointer}/{i}", problems) for i, v in enumerate(value)]
        if all(fn is None for fn in compiled_items):
            return None
        items = [_constant(v) if fn is None else fn for fn, v in zip(compiled_items, value, strict=True)]
        return lambda scope: [fn(scope) for fn in items]
    return None


def _constant(value: Any) -> Expr:
    return lambda scope: value
