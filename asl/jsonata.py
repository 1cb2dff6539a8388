"""The JSONata query language: `{% ... %}` expressions, `$states`, and Step Functions' extra functions.

Expressions are parsed once at load by jsonata-python (a maintained pure-Python port of the
JSONata reference implementation). Each compiled expression carries Step Functions' functions
`$partition`, `$range`, `$hash`, `$random`, `$uuid` and `$parse`; `$eval` is unavailable, as on AWS.
JSON null and "undefined" differ in JSONata: an expression that yields undefined fails with
States.QueryEvaluationError.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeGuard

from asl.errors import Problem, QueryEvaluationError
from asl.paths import UNSET, Scope
from asl.source import escape_token

Expr = Callable[[Scope], Any]
_OPEN, _CLOSE = "{%", "%}"


def is_expression(value: Any) -> TypeGuard[str]:
    """True for a string of the form `{% expression %}`."""
    return isinstance(value, str) and value.startswith(_OPEN) and value.endswith(_CLOSE) and len(value) >= 4


def expression_text(value: str) -> str:
    """The expression inside `{% ... %}`, trimmed."""
    return value[2:-2].strip()


def _partition(array: Any, size: Any) -> Any:
    items = _plain(array)
    if not isinstance(items, list) or not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ValueError("$partition expects an array and a positive integer chunk size")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _range(start: Any, end: Any, step: Any) -> Any:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end, step)) or step == 0:
        raise ValueError("$range expects integer start, end and a non-zero step")
    values = list(range(start, end + (1 if step > 0 else -1), step))
    if len(values) > 1000:
        raise ValueError("$range can produce at most 1000 elements")
    return values


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _hash(data: Any, algorithm: Any) -> Any:
    if not isinstance(data, str) or algorithm not in _HASHES:
        raise ValueError(f"$hash expects a string and one of {', '.join(_HASHES)}")
    return hashlib.new(_HASHES[algorithm], data.encode()).hexdigest()


def _random(*seed: Any) -> Any:
    if seed and seed[0] is not None:
        return random.Random(seed[0]).random()
    return random.random()


def _parse(text: Any) -> Any:
    from jsonata.utils import Utils

    if not isinstance(text, str):
        raise ValueError("$parse expects a JSON string")
    return _to_jsonata(json.loads(text), Utils.NULL_VALUE)


class _Unsupported(Exception):
    """A JSONata result that is not JSON (a function, a regex...)."""


def _plain(value: Any) -> Any:
    """Convert jsonata-python's values (NULL sentinel, JList) back to plain JSON; reject non-JSON."""
    from jsonata.utils import Utils

    if value is Utils.NULL_VALUE:
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    raise _Unsupported


def _to_jsonata(value: Any, null: Any) -> Any:
    if value is None:
        return null
    return value


_PLAIN_PATH = re.compile(
    r"^\$(states\.(?:input|result|context|errorOutput)|[A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)$"
)
_FALLBACK: Any = object()
_UNDEFINED: Any = object()


class _Compiled:
    __slots__ = ("engine", "field", "plain", "text")

    def __init__(self, text: str, field: str) -> None:
        import jsonata

        self.text = text
        self.field = field
        # `$states.input.a.b` / `$var.x`: read directly when every step is an object (JSONata's answer is then
        # plain lookup); arrays, strings along the way or an array result go through the engine.
        match = _PLAIN_PATH.match(text)
        self.plain: tuple[str, tuple[str, ...]] | None = (
            (match.group(1), tuple(match.group(2).split(".")[1:])) if match else None
        )
        self.engine = jsonata.Jsonata(text)
        self.engine.set_output_convert_nulls(False)
        for name, fn in _FUNCTIONS.items():
            self.engine.register_lambda(name, fn)
        self.engine.environment.bind("eval", None)

    def _read_plain(self, scope: Scope) -> Any:
        """The value of a plain path, _UNDEFINED when it has none, or _FALLBACK when the engine must decide."""
        assert self.plain is not None
        root, steps = self.plain
        if root.startswith("states."):
            value = {"input": scope.input, "context": scope.context, "result": scope.result}.get(
                root[7:], scope.error_output
            )
            if value is UNSET:
                return _UNDEFINED
        elif root in scope.variables:
            value = scope.variables[root]
        else:
            return _UNDEFINED if root != "states" else _FALLBACK
        for step in steps:
            if not isinstance(value, dict):
                return _FALLBACK
            if step not in value:
                return _UNDEFINED
            value = value[step]
        return _FALLBACK if isinstance(value, list) else value

    def _undefined(self) -> QueryEvaluationError:
        return QueryEvaluationError(
            f"The JSONata expression '{self.text}' specified for the field '{self.field}' "
            "returned nothing (undefined).",
            location=self.field,
        )

    def __call__(self, scope: Scope) -> Any:
        from jsonata.utils import Utils

        if self.plain is not None:
            value = self._read_plain(scope)
            if value is _UNDEFINED:
                raise self._undefined()
            if value is not _FALLBACK:
                return value

        states: dict[str, Any] = {"input": scope.input, "context": scope.context}
        if scope.result is not UNSET:
            states["result"] = scope.result
        if scope.error_output is not UNSET:
            states["errorOutput"] = scope.error_output
        bindings = {k: (Utils.NULL_VALUE if v is None else v) for k, v in scope.variables.items()}
        bindings["states"] = states
        try:
            result = self.engine.evaluate(scope.input, bindings)
        except Exception as exc:
            code = getattr(exc, "error", None)
            detail = f"{code}: {exc}" if code else str(exc)
            if code is None and isinstance(exc, TypeError):
                raise QueryEvaluationError(
                    f"The JSONata expression '{self.text}' specified for the field '{self.field}' "
                    "returned an unsupported result type.",
                    location=self.field,
                ) from None
            raise QueryEvaluationError(
                f"The JSONata expression '{self.text}' specified for the field '{self.field}' "
                f"threw an error during evaluation. {detail}",
                location=self.field,
            ) from None
        if result is None:
            raise self._undefined()
        try:
            return _plain(result)
        except _Unsupported:
            raise QueryEvaluationError(
                f"The JSONata expression '{self.text}' specified for the field '{self.field}' "
                "returned an unsupported result type.",
                location=self.field,
            ) from None


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": _random,
    "uuid": lambda: str(uuid.uuid4()),
    "parse": _parse,
}


def compile_expression(text: str, field: str, pointer: str, problems: list[Problem]) -> Expr | None:
    """Compile one `{% %}` string's expression; syntax errors become problems."""
    try:
        return _Compiled(expression_text(text), field)
    except Exception as exc:
        code = getattr(exc, "error", "")
        problems.append(
            Problem(
                pointer,
                f"invalid JSONata expression {text!r}: {code + ': ' if code else ''}{exc}",
                "INVALID_JSONATA",
            )
        )
        return None


def compile_template(value: Any, field: str, pointer: str, problems: list[Problem]) -> Expr:
    """Compile a JSONata-mode value: `{% %}` strings anywhere inside objects and arrays."""
    if is_expression(value):
        compiled = compile_expression(value, field, pointer, problems)
        return compiled if compiled is not None else (lambda scope: None)
    if isinstance(value, dict):
        if not _has_expression(value):
            return lambda scope: value
        parts = [
            (k, compile_template(v, f"{field}/{k}", f"{pointer}/{escape_token(str(k))}", problems))
            for k, v in value.items()
        ]
        return lambda scope: {k: fn(scope) for k, fn in parts}
    if isinstance(value, list):
        if not _has_expression(value):
            return lambda scope: value
        items = [compile_template(v, f"{field}/{i}", f"{pointer}/{i}", problems) for i, v in enumerate(value)]
        return lambda scope: [fn(scope) for fn in items]
    return lambda scope: value


def _has_expression(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_expression(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_expression(v) for v in value)
    return is_expression(value)
