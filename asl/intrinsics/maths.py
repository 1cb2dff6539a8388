"""Bodies of the math and generator intrinsics: MathAdd, MathRandom, UUID."""

from __future__ import annotations

import random
import uuid

from asl.errors import IntrinsicFailure
from asl.intrinsics.values import round_half_up

_RANDOM = random.Random()


def math_add(first: int | float, second: int | float) -> int:
    """States.MathAdd: the sum, each argument first rounded to an integer (halves toward +infinity)."""
    return round_half_up(first) + round_half_up(second)


def math_random(start: int | float, end: int | float, seed: int | float | None = None) -> int:
    """States.MathRandom: an integer from `start` to `end` inclusive; the same seed gives the same number."""
    low, high = round_half_up(start), round_half_up(end)
    if low > high:
        raise IntrinsicFailure(
            f"Invalid arguments in States.MathRandom: the start ({low}) must not be greater than the end ({high})"
        )
    generator = _RANDOM if seed is None else random.Random(round_half_up(seed))
    return generator.randint(low, high)


def uuid4() -> str:
    """States.UUID: a random version 4 UUID."""
    return str(uuid.uuid4())
