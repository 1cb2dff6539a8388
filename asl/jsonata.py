"""The JSONata query language: `{% ... %}` expressions, `$states`, and Step Functions' extra functions.

Expressions are parsed once at load by jsonata-python (a maintained pure-Python port of the
JSONata reference implementation). Each compiled expression carries Step Functions' functions
(`asl.jsonata_functions`) and AWS's bounds on evaluation (`asl.jsonata_bounds`); `$eval` is
unavailable, as on AWS. JSON null and "undefined" differ in JSONata: an expression that yields
undefined fails with States.QueryEvaluationError.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeGuard

from asl.errors import Problem, QueryEvaluationError
from asl.lazyre import Pattern
from asl.paths import UNSET, Scope
from asl.source import escape_token

Expr = Callable[[Scope], Any]
_OPEN, _CLOSE = "{%", "%}"

#: asl.jsonata_bounds and asl.jsonata_functions, imported with the first expression compiled (`_load`):
#: a JSONPath-only definition never needs them.
bounds: Any = None
functions: Any = None


def _load() -> None:
    global bounds, functions
    if functions is None:
        from asl import jsonata_bounds, jsonata_functions

        bounds, functions = jsonata_bounds, jsonata_functions


def is_expression(value: Any) -> TypeGuard[str]:
    """True for a string of the form `{% expression %}`."""
    return isinstance(value, str) and value.startswith(_OPEN) and value.endswith(_CLOSE) and len(value) >= 4


def expression_text(value: str) -> str:
    """The expression inside `{% ... %}`, trimmed."""
    return value[2:-2].strip()


class _Compiled:
    __slots__ = ("bounds", "engine", "fast", "field", "text")

    def __init__(self, text: str, field: str) -> None:
        import jsonata

        from asl.jsonata_fast import compile_fast

        _load()
        bounds.install()
        self.text = text
        self.field = field
        self.engine = jsonata.Jsonata(text, bounds.regex_engine)
        self.engine.set_output_convert_nulls(False)
        self.engine.set_validate_input(False)  # the state's data is JSON already (checked where it enters)
        functions.bind(self.engine)
        self.bounds = bounds.Bounds()
        self.engine.environment.set_evaluate_entry_callback(self.bounds.entry)
        self.engine.environment.set_evaluate_exit_callback(self.bounds.exit)
        self.fast = compile_fast(self.engine)  # the common subset as closures (asl.jsonata_fast)

    def _failure(self, what: str) -> QueryEvaluationError:
        return QueryEvaluationError(
            f"The JSONata expression '{self.text}' specified for the field '{self.field}' {what}",
            location=self.field,
        )

    def __call__(self, scope: Scope) -> Any:
        from jsonata.utils import Utils

        if self.fast is not None:
            value = self.fast(scope)
            if value is not None:  # None: undefined, or the engine must answer
                try:
                    return functions.plain(value)
                except Exception:
                    pass  # the engine says how the evaluation fails

        states: dict[str, Any] = {"input": scope.input, "context": scope.context}
        if scope.result is not UNSET:
            states["result"] = scope.result
        if scope.error_output is not UNSET:
            states["errorOutput"] = scope.error_output
        bindings = {k: (Utils.NULL_VALUE if v is None else v) for k, v in scope.variables.items()}
        bindings["states"] = states
        self.bounds.start()
        try:
            result = self.engine.evaluate(scope.input, bindings)
            if result is None:
                raise self._failure("returned nothing (undefined).")
            return functions.plain(result)
        except QueryEvaluationError:
            raise
        except TypeError as exc:
            if getattr(exc, "error", None) is None:
                raise self._failure("returned an unsupported result type.") from None
            raise self._failure(f"threw an error during evaluation. {_detail(exc)}") from None
        except Exception as exc:  # JSONata's errors, the bounds, RecursionError and MemoryError
            if getattr(exc, "scope_deadline", False):
                raise TimeoutError(
                    "the deadline of the enclosing scope passed during a JSONata evaluation"
                ) from None
            raise self._failure(_threw(exc)) from None
        finally:
            self.bounds.stop()


def _detail(exc: BaseException) -> str:
    code = getattr(exc, "error", None)
    return f"{code}: {error_message(exc)}" if code else str(exc)


_ARRAY_OF = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}
_PLACEHOLDER = Pattern(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")


def error_message(exc: BaseException) -> str:
    """A JSONata error's message as the reference implementation words it (and AWS repeats it).

    jsonata-python's catalogue says "Object" where jsonata-js says "function", and inserts values bare
    where jsonata-js writes them as JSON: `Expected "]", got ","`, `Argument 1 of function "sum" ...`.
    """
    from jsonata.jexception import JException

    code = getattr(exc, "error", None)
    template = JException.error_codes.get(code) if isinstance(code, str) else None
    if template is None:
        return str(exc)
    extra = getattr(exc, "extra", None)
    if code == "T0412":  # the element type of an array argument, as jsonata-js names it
        extra = _ARRAY_OF.get(str(extra), extra)
    values = iter([exc.current, exc.expected, extra])  # type: ignore[attr-defined]

    def fill(match: re.Match[str]) -> str:
        value = next(values, None)
        if match.group(1):
            return str(value)
        return json.dumps(value, default=str, ensure_ascii=False)

    return _PLACEHOLDER.sub(fill, template.replace("Object", "function"))


def _threw(exc: Exception) -> str:
    """How AWS ends the sentence for an expression that failed: `. CODE: message`, or `: message` for a bound."""
    if bounds.is_bound_error(exc):
        if getattr(exc, "internal", False):
            return f"threw an internal error during evaluation. {uuid.uuid4()}"
        return f"threw an error during evaluation: {exc}"
    if isinstance(exc, RecursionError):
        return f"threw an error during evaluation: {bounds.STACK_OVERFLOW}"
    if isinstance(exc, MemoryError):
        return f"threw an error during evaluation: {bounds.MEMORY}"
    return f"threw an error during evaluation. {_detail(exc)}"


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
