"""JSON as AWS accepts it: strict parsing of text, checks of Python values, and JSON type names.

AWS parses definitions, execution inputs, `States.StringToJson` and JSONata's `$parse` with a strict
JSON parser: `NaN` and `Infinity` are not JSON (RFC 8259, section 6), and neither is a number too large
for a double. Python's `json` accepts all three, and fails with `ValueError` on an integer of more than
4,300 digits or `RecursionError` on deep nesting; `loads` turns each into a `JsonValueError` that says
what and where. Values are also bounded in depth (`MAX_DEPTH`) so that nothing downstream recurses past
Python's stack.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any, NoReturn

from asl.lazyre import Pattern

#: The deepest nesting of objects and arrays accepted anywhere (definitions, inputs, parsed strings).
MAX_DEPTH = 500
#: The longest integer literal Python converts (`sys.get_int_max_str_digits()`, 4300 by default).
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300

# Outside string literals: a non-standard constant, or a number whose exponent may overflow a double.
_STRING_OR_TOKEN = Pattern(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)|(-?\d+(?:\.\d+)?[eE][+-]?\d{3,})')
_LONG_INT = Pattern(r'"(?:[^"\\]|\\.)*"|(-?\d{' + str(MAX_INT_DIGITS + 1) + ",})")


class JsonValueError(ValueError):
    """Text or a value that is not JSON as AWS accepts it; `line`/`column` (1-based) say where, when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")


def json_type(value: Any) -> str:
    """The JSON type of a value as AWS names it in causes: string, number, boolean, null, array, object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def loads(text: str, object_pairs_hook: Any = None) -> Any:
    """Parse JSON text strictly; `json.JSONDecodeError` for bad syntax, `JsonValueError` for what AWS refuses."""
    if text.count("[") + text.count("{") > MAX_DEPTH:
        _check_depth(text)
    hook = _finite if ("e" in text or "E" in text) and _exponent_at(text) else None
    try:
        return json.loads(
            text, parse_constant=_constant(text), parse_float=hook, object_pairs_hook=object_pairs_hook
        )
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise JsonValueError(f"the JSON nests objects and arrays more than {MAX_DEPTH} levels deep") from None
    except JsonValueError as exc:
        if exc.line is None:
            raise JsonValueError(exc.message, *_where(text, _STRING_OR_TOKEN, 2)) from None
        raise
    except ValueError:
        line, column = _where(text, _LONG_INT, 1)
        raise JsonValueError(
            f"a number has more than {MAX_INT_DIGITS} digits, which is more than asl-runner can read",
            line,
            column,
        ) from None


def value_problem(value: Any) -> str | None:
    """Why a Python value is not JSON as AWS accepts it (with a JSON pointer), or None when it is.

    Checked on every execution input, so it is quick: strings, booleans and nulls are passed over where
    they sit, and a pointer is spelled out only for the value found wrong.
    """
    stack: list[tuple[Any, Any, int]] = [(value, None, 1)]
    while stack:
        node, way, depth = stack.pop()
        kind = type(node)
        if kind is dict or kind is list:
            if depth > MAX_DEPTH:
                where = _pointer(way) or "the top level"
                return f"the value nests objects and arrays more than {MAX_DEPTH} levels deep (at {where})"
            if kind is list:
                pairs: Any = enumerate(node)
            else:
                pairs = node.items()
                for key in node:
                    if type(key) is not str and not isinstance(key, str):
                        where = _pointer(way) or "the top level"
                        return f"the object at {where} has the key {key!r}, but JSON keys are strings"
            for step, child in pairs:
                child_kind = type(child)
                if child_kind is str or child_kind is bool or child is None:
                    continue
                if child_kind is int and abs(child) < _INT_LIMIT:
                    continue
                if child_kind is float and math.isfinite(child):
                    continue
                stack.append((child, (way, step), depth + 1))
            continue
        problem = _scalar_problem(node, kind)
        if problem is _PLAIN:
            stack.append((_plain(node), way, depth))
        elif problem is not None:
            return problem.format(where=_pointer(way) or "the top level")
    return None


_PLAIN = "plain"


def _scalar_problem(node: Any, kind: type) -> str | None:
    """A message template (`{where}` to fill) for a value that is not an object or array, _PLAIN, or None."""
    if kind is str or kind is bool or node is None:
        return None
    if kind is int:
        return (
            None
            if abs(node) < _INT_LIMIT
            else f"the integer at {{where}} has more than {MAX_INT_DIGITS} digits"
        )
    if kind is float:
        return (
            None
            if math.isfinite(node)
            else f"{node} at {{where}} is not a JSON number (JSON has no NaN or Infinity)"
        )
    if isinstance(node, bool | int | float | str | list | dict):
        return _PLAIN
    return f"the value at {{where}} is a Python {kind.__name__}, which is not JSON"


def _pointer(way: Any) -> str:
    """The JSON pointer of a (parent's way, key or index) chain."""
    parts: list[str] = []
    while way is not None:
        way, step = way
        parts.append(_escape(step) if isinstance(step, str) else str(step))
    return "".join(f"/{part}" for part in reversed(parts))


def check_input(value: Any, what: str = "the execution input") -> None:
    """Raise `InputError` when `value` is not JSON as AWS accepts it (NaN, Infinity, too deep...)."""
    problem = value_problem(value)
    if problem is not None:
        from asl.errors import InputError

        raise InputError(f"{what} is not valid JSON: {problem}")


def depth(value: Any) -> int:
    """How deeply objects and arrays nest in `value` (iteratively: any depth is safe to measure)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in node if isinstance(child, dict | list))
    return deepest


_INT_LIMIT = 10**MAX_INT_DIGITS


def _plain(value: Any) -> Any:
    """A subclass of a JSON type (an IntEnum, a StrEnum...) as its base value."""
    for base in (bool, int, float, str):
        if isinstance(value, base):
            return base(value)
    return list(value) if isinstance(value, list) else dict(value)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _constant(text: str) -> Any:
    def refuse(name: str) -> NoReturn:
        line, column = _where(text, _STRING_OR_TOKEN, 1)
        raise JsonValueError(f"{name} is not valid JSON (JSON has no NaN or Infinity)", line, column)

    return refuse


def _finite(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise JsonValueError(f"the number {literal} is too large for a double")
    return value


def _exponent_at(text: str) -> bool:
    return any(m.group(2) for m in _STRING_OR_TOKEN.finditer(text))


def _where(text: str, pattern: Pattern, group: int) -> tuple[int | None, int | None]:
    """The (line, column) of the first match of `group` outside string literals."""
    for match in pattern.finditer(text):
        if match.group(group):
            offset = match.start(group)
            line = text.count("\n", 0, offset) + 1
            return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
    return None, None


def _check_depth(text: str) -> None:
    """Refuse text nesting deeper than MAX_DEPTH before the parser recurses into it."""
    level = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        char = match.group()
        if char in "[{":
            level += 1
            if level > MAX_DEPTH:
                offset = match.start()
                line = text.count("\n", 0, offset) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
                raise JsonValueError(
                    f"the JSON nests objects and arrays more than {MAX_DEPTH} levels deep", line, column
                )
        elif char in "]}":
            level -= 1
