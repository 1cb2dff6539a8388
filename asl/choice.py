"""Choice rules in JSONPath mode, compiled into predicates `(scope) -> bool`.

Comparisons follow the ASL spec: an operand of the wrong type makes the comparison false (not
an error); `IsPresent` is the only test that may look at a missing path; numbers compare by
value; timestamps are RFC 3339 strings compared as instants.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from asl.errors import Problem, StatesRuntime
from asl.paths import Path, PathNotFound, PathSyntaxError, Scope, compile_path

Test = Callable[[Scope], bool]
_MISSING = object()

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_KINDS = ("String", "Numeric", "Boolean", "Timestamp")
COMPARISONS: frozenset[str] = frozenset(
    [f"{k}{o}" for k in _KINDS for o in _ORDER if not (k == "Boolean" and o != "Equals")]
    + [f"{k}{o}Path" for k in _KINDS for o in _ORDER if not (k == "Boolean" and o != "Equals")]
    + ["StringMatches", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"]
)

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def is_number(value: Any) -> bool:
    """True for JSON numbers (not booleans)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_timestamp(value: Any) -> datetime | None:
    """Parse an RFC 3339 timestamp as Step Functions accepts it; None when it is not one."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return None
    text = value.replace("Z", "+00:00") if value.endswith("Z") else value
    if "." in text:
        head, _, tail = text.partition(".")
        digits = re.match(r"\d+", tail)
        frac = digits.group(0) if digits else ""
        text = f"{head}.{(frac + '000000')[:6]}{tail[len(frac) :]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _segments(pattern: str) -> list[str]:
    r"""The literal parts of a StringMatches pattern between its `*` wildcards.

    A backslash makes the next character literal (`\*` is a star, `\\` a backslash); a lone
    trailing backslash is itself. "No characters other than "*" have any special meaning" (ASL spec).
    """
    segments = [""]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            segments[-1] += pattern[i + 1]
            i += 2
            continue
        if ch == "*":
            segments.append("")
        else:
            segments[-1] += ch
        i += 1
    return segments


def _string_matches(pattern: str) -> Callable[[str], bool]:
    """A glob matcher in linear time: no regular expression, so no backtracking on hostile input.

    The first part must start the value, the last must end it, and the parts between are found left
    to right, each as early as possible (for `*`-only globs the earliest place is always safe).
    """
    segments = _segments(pattern)
    if len(segments) == 1:
        literal = segments[0]
        return lambda s: s == literal
    head, middle, tail = segments[0], segments[1:-1], segments[-1]
    least = len(head) + len(tail) + sum(map(len, middle))

    def matches(value: str) -> bool:
        if len(value) < least or not value.startswith(head) or not value.endswith(tail):
            return False
        at, stop = len(head), len(value) - len(tail)
        for part in middle:
            found = value.find(part, at, stop)
            if found < 0:
                return False
            at = found + len(part)
        return True

    return matches


def _coerce(kind: str, value: Any) -> Any:
    """The comparable form of `value` for `kind`, or _MISSING when the type does not fit."""
    if kind == "String":
        return value if isinstance(value, str) else _MISSING
    if kind == "Numeric":
        return (
            value if is_number(value) and not (isinstance(value, float) and math.isnan(value)) else _MISSING
        )
    if kind == "Boolean":
        return value if isinstance(value, bool) else _MISSING
    ts = parse_timestamp(value)
    return ts if ts is not None else _MISSING


def compile_rule(rule: Any, pointer: str, problems: list[Problem], top: bool = True) -> Test | None:
    """Compile one Choice rule (a comparison or And/Or/Not) into a predicate."""
    if not isinstance(rule, dict):
        problems.append(Problem(pointer, "a Choice rule must be an object"))
        return None
    for combinator in ("And", "Or"):
        if combinator in rule:
            subs = rule[combinator]
            if not isinstance(subs, list) or not subs:
                problems.append(
                    Problem(f"{pointer}/{combinator}", f"{combinator} must be a non-empty array of rules")
                )
                return None
            tests = [
                compile_rule(s, f"{pointer}/{combinator}/{i}", problems, False) for i, s in enumerate(subs)
            ]
            if any(t is None for t in tests):
                return None
            done = [t for t in tests if t is not None]
            if combinator == "And":
                return lambda scope: all(t(scope) for t in done)
            return lambda scope: any(t(scope) for t in done)
    if "Not" in rule:
        inner = compile_rule(rule["Not"], f"{pointer}/Not", problems, False)
        if inner is None:
            return None
        return lambda scope: not inner(scope)
    ops = [k for k in rule if k in COMPARISONS]
    if len(ops) != 1:
        found = ", ".join(ops) if ops else "none"
        problems.append(
            Problem(
                pointer,
                f"a Choice rule needs exactly one comparison operator (found: {found})",
                "INVALID_CHOICE_RULE",
            )
        )
        return None
    op = ops[0]
    variable = rule.get("Variable")
    if not isinstance(variable, str):
        problems.append(Problem(f"{pointer}/Variable", "a comparison needs a 'Variable' path string"))
        return None
    try:
        var_path = compile_path(variable)
    except PathSyntaxError as exc:
        problems.append(Problem(f"{pointer}/Variable", str(exc), "INVALID_JSONPATH"))
        return None
    return _comparison(op, rule[op], var_path, f"{pointer}/{op}", problems)


def _read(path: Path, scope: Scope) -> Any:
    try:
        return path.get(scope)
    except PathNotFound:
        return _MISSING


def _comparison(op: str, operand: Any, var: Path, pointer: str, problems: list[Problem]) -> Test | None:
    if op.startswith("Is"):
        if not isinstance(operand, bool):
            problems.append(Problem(pointer, f"{op} takes true or false"))
            return None
        want = operand
        if op == "IsPresent":
            return lambda scope: (_read(var, scope) is not _MISSING) == want
        check = _IS_TESTS[op]

        def is_test(scope: Scope) -> bool:
            value = _read(var, scope)
            if value is _MISSING:
                raise StatesRuntime(
                    f"Invalid path '{var.text}': The choice state's condition path references an invalid value."
                )
            return check(value) == want

        return is_test
    if op == "StringMatches":
        if not isinstance(operand, str):
            problems.append(Problem(pointer, "StringMatches takes a string pattern"))
            return None
        matches = _string_matches(operand)
        return lambda scope: isinstance(v := _value(var, scope), str) and matches(v)
    by_path = op.endswith("Path")
    base = op[:-4] if by_path else op
    kind = next(k for k in _KINDS if base.startswith(k))
    compare = _ORDER[base[len(kind) :]]
    if by_path:
        if not isinstance(operand, str):
            problems.append(Problem(pointer, f"{op} takes a path string"))
            return None
        try:
            other = compile_path(operand)
        except PathSyntaxError as exc:
            problems.append(Problem(pointer, str(exc), "INVALID_JSONPATH"))
            return None

        def path_test(scope: Scope) -> bool:
            left = _coerce(kind, _value(var, scope))
            right = _coerce(kind, _single(kind, _value(other, scope)))
            return left is not _MISSING and right is not _MISSING and compare(left, right)

        return path_test
    right = _coerce(kind, operand)
    if right is _MISSING:
        problems.append(Problem(pointer, f"{op} takes a {_KIND_NAMES[kind]}", "INVALID_CHOICE_RULE"))
        return None

    def literal_test(scope: Scope) -> bool:
        left = _coerce(kind, _value(var, scope))
        return left is not _MISSING and compare(left, right)

    return literal_test


def _single(kind: str, value: Any) -> Any:
    """A Numeric*Path operand that is a one-item array compares as that item.

    AWS takes `"NumericGreaterThanPath": "$.right"` with `right: [6]` and `left: 7` as a match
    (gabrielmoreira/tiny-asl-machine, Choice.NumericGreaterThanPath, observed on AWS).
    """
    if kind == "Numeric" and isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def _value(path: Path, scope: Scope) -> Any:
    value = _read(path, scope)
    if value is _MISSING:
        raise StatesRuntime(
            f"Invalid path '{path.text}': The choice state's condition path references an invalid value."
        )
    return value


_KIND_NAMES = {"String": "string", "Numeric": "number", "Boolean": "boolean", "Timestamp": "timestamp string"}
_IS_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}
