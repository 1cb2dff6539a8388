"""Declared signatures: what each intrinsic accepts, as data checked once when a call is compiled.

A `Param` names an argument, the JSON kinds it may have and value constraints (`checks`). The
compiler applies kinds and checks to literal arguments at load time (an `IntrinsicSyntaxError`)
and to path and nested-call arguments at run time (an `IntrinsicFailure`), so function bodies
receive values that already fit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asl.intrinsics.kinds import Kind
from asl.intrinsics.values import shown

#: A value constraint: a description of what is wrong with the value, or None when it is fine.
Check = Callable[[Any], str | None]


@dataclass(frozen=True, slots=True)
class Param:
    """One declared argument: its name, allowed kinds and constraints.

    `template` marks the `States.Format` template: the body receives it split at its `{}` placeholders.
    """

    name: str
    kind: Kind = Kind.ANY
    checks: tuple[Check, ...] = ()
    template: bool = False


@dataclass(frozen=True, slots=True)
class Intrinsic:
    """A `States.*` function: its signature as data, and the body that computes its value."""

    name: str
    body: Callable[..., Any]
    params: tuple[Param, ...] = ()
    returns: Kind = Kind.ANY
    optional: int = 0
    rest: Param | None = None

    @property
    def min_args(self) -> int:
        """The fewest arguments a call may pass."""
        return len(self.params) - self.optional

    @property
    def max_args(self) -> int | None:
        """The most arguments a call may pass, or None when the tail is variadic."""
        return None if self.rest is not None else len(self.params)

    def param(self, index: int) -> Param:
        """The declared parameter for the argument at `index` (the variadic one past the fixed ones)."""
        if index < len(self.params):
            return self.params[index]
        if self.rest is None:
            raise IndexError(f"{self.name} has no parameter {index}")
        return self.rest

    def arity(self) -> str:
        """How many arguments this function takes, in words."""
        low, high = self.min_args, self.max_args
        if high is None:
            return f"at least {_count(low)}"
        if low == high:
            return f"exactly {_count(low)}" if low else "no arguments"
        return f"{low} to {_count(high)}"


def _count(n: int) -> str:
    return f"{n} argument" if n == 1 else f"{n} arguments"


def ordinal(n: int) -> str:
    """1 -> `1st`, 2 -> `2nd`, 11 -> `11th`."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def is_integral(value: Any) -> bool:
    """True for an int, or a float with no fractional part (`2.0`); never for a boolean."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def non_negative(value: Any) -> str | None:
    """Check: a number >= 0 (an index; AWS truncates a fractional one)."""
    return None if value >= 0 else f"must not be negative, but got {shown(value)}"


def positive_integer(value: Any) -> str | None:
    """Check: an integer > 0."""
    return (
        None
        if is_integral(value) and value > 0
        else f"must be a positive, non-zero integer, but got {shown(value)}"
    )


def finite(value: Any) -> str | None:
    """Check: a finite number (JSON has no NaN or infinity)."""
    return None if math.isfinite(value) else f"must be a finite number, but got {value}"


def non_zero(value: Any) -> str | None:
    """Check: a number that does not truncate to 0 (States.ArrayRange's step; `0.9` is 0, as on AWS)."""
    return None if int(value) != 0 else f"must not be 0, but got {shown(value)}"


def must_be_false(value: Any) -> str | None:
    """Check: the boolean false (States.JsonMerge supports only shallow merging)."""
    return None if value is False else "must be false: only shallow merging is supported"


def at_most_chars(limit: int) -> Check:
    """Check: a string of at most `limit` characters."""

    def check(value: Any) -> str | None:
        if len(value) <= limit:
            return None
        return f"must be at most {limit:,} characters long, but has {len(value):,}"

    return check


def one_of(*choices: str) -> Check:
    """Check: one of the given strings, compared exactly."""
    listed = ", ".join(choices)

    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {listed}, but got {shown(value)}"

    return check
