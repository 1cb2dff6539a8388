"""Java hash codes and HashSet order, the model of AWS's States.ArrayUnique output order."""

from __future__ import annotations

from typing import Any

import pytest

from asl.intrinsics.javaset import hash_set_order, java_hash


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # The values java.lang's hashCode() gives (String, Boolean, Integer, Long, Double, List, null).
        ("hello", 99162322),
        ("", 0),
        (True, 1231),
        (False, 1237),
        (-7, -7),
        (2**40, 256),
        (1.5, 1073217536),
        (-0.0, -(2**31)),
        ([1, 2], 994),
        ([], 1),
        (None, 0),
        ({"a": 1}, 97 ^ 1),
    ],
)
def test_java_hash(value: Any, expected: int) -> None:
    assert java_hash(value) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([True, False, True, False], [False, True]),
        ([[1, 2], [1, 2], [2, 1]], [[2, 1], [1, 2]]),
        ([None, None, 1, None], [None, 1]),
        ([1, 1.0], [1.0, 1]),
        (list(range(20, 0, -1)), list(range(1, 21))),
    ],
)
def test_hash_set_order(items: list[Any], expected: list[Any]) -> None:
    assert hash_set_order(items) == expected
