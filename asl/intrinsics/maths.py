"""Bodies of the math and generator intrinsics: MathAdd, MathRandom, UUID."""

from __future__ import annotations

import random
import uuid

from asl.errors import IntrinsicFailure
from asl.intrinsics.values import round_half_up

_RANDOM = random.Random()


#: States.MathAdd works on Java ints: operands and sum outside this range fail on AWS
#: (gabrielmoreira/tiny-asl-machine's AWS-run cases MADD-009 to MADD-016).
INT32 = range(-(2**31), 2**31)


def math_add(first: int | float, second: int | float) -> int:
    """States.MathAdd: the sum, each argument first rounded to an integer (halves toward +infinity)."""
    a, b = round_half_up(first), round_half_up(second)
    total = a + b
    for name, value in (("the 1st argument", a), ("the 2nd argument", b), ("the sum", total)):
        if value not in INT32:
            raise IntrinsicFailure(
                f"Invalid arguments in States.MathAdd: {name} ({value}) is outside the integer range "
                f"{INT32.start} to {INT32.stop - 1}"
            )
    return total


def math_random(start: int | float, end: int | float, seed: int | float | None = None) -> int:
    """States.MathRandom: an integer from `start` (inclusive) to `end` (exclusive); a seed repeats it.

    As observed on AWS (gabrielmoreira/tiny-asl-machine's AWS-run cases): the bounds are truncated to
    integers (`1.6, 5.4` can give 1; `1.4, 1.6` fails), the end is never returned (`1, 999` gives
    1..998) and the start must be below the end (`1, 1` fails).
    """
    low, high = int(start), int(end)
    if low >= high:
        raise IntrinsicFailure(
            f"Invalid arguments in States.MathRandom: the start ({low}) must be less than the end ({high})"
        )
    generator = _RANDOM if seed is None else random.Random(round_half_up(seed))
    return generator.randrange(low, high)


def uuid4() -> str:
    """States.UUID: a random version 4 UUID."""
    return str(uuid.uuid4())
