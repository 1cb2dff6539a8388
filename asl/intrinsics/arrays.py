"""Bodies of the array intrinsics; arguments arrive already checked against their signatures."""

from __future__ import annotations

from typing import Any

from asl.errors import IntrinsicFailure
from asl.intrinsics.javaset import hash_set_order
from asl.intrinsics.values import dumps

#: "The newly generated array can't contain more than 1000 items." (States.ArrayRange)
MAX_RANGE_ITEMS = 1000


def array(*values: Any) -> list[Any]:
    """States.Array: the arguments, in order, as an array."""
    return list(values)


def array_partition(items: list[Any], size: int | float) -> list[list[Any]]:
    """States.ArrayPartition: consecutive chunks of `size` items; the last may be shorter."""
    step = int(size)
    return [items[i : i + step] for i in range(0, len(items), step)]


def array_contains(items: list[Any], value: Any) -> bool:
    """States.ArrayContains: whether an item has the same text as `value`.

    AWS compares text, not JSON values: a string by its characters, anything else by its compact
    JSON. So `"true"` matches `true` and `"9007199254740991"` matches the number, while objects match
    only with their keys in the same order (AWS-run cases in gabrielmoreira/tiny-asl-machine).
    """
    target = _text(value)
    return any(_text(item) == target for item in items)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else dumps(value)


def array_range(start: int | float, end: int | float, step: int | float) -> list[int]:
    """States.ArrayRange: `start`, `start + step`, ... up to and including `end` when it lands on it.

    Fractional arguments are truncated toward zero: AWS gives `[1]` for `1.6, 1.4, 1` and `[5, 3, 1]`
    for `5.4, -0.6, -2.4` (observations on AWS noted in gabrielmoreira/tiny-asl-machine).
    """
    first, last, increment = int(start), int(end), int(step)
    count = max(0, (last - first) // increment + 1)
    if count > MAX_RANGE_ITEMS:
        raise IntrinsicFailure(
            f"Invalid arguments in States.ArrayRange: the array would have {count:,} items; "
            f"it can't contain more than {MAX_RANGE_ITEMS}"
        )
    return list(range(first, first + count * increment, increment))


def array_get_item(items: list[Any], index: int | float) -> Any:
    """States.ArrayGetItem: the item at a 0-based index; a fractional index is truncated (1.2 -> 1, as AWS)."""
    position = int(index)
    if position >= len(items):
        raise IntrinsicFailure(
            f"Invalid arguments in States.ArrayGetItem: index {position} is out of bounds "
            f"for an array of length {len(items)}"
        )
    return items[position]


def array_length(items: list[Any]) -> int:
    """States.ArrayLength: the number of items."""
    return len(items)


def array_unique(items: list[Any]) -> list[Any]:
    """States.ArrayUnique: the items without duplicates, in the order AWS returns them (see `javaset`)."""
    return hash_set_order(items)
