"""The order in which AWS's States.ArrayUnique returns values: a Java HashSet's iteration order.

AWS keeps the first of equal values but lists them in the order a `java.util.HashSet` of the values
(Jackson's plain Java objects: Integer, Long, Double, String, Boolean, List, Map, null) iterates:
bucket by bucket, by Java `hashCode`. That explains every order recorded on AWS in
gabrielmoreira/tiny-asl-machine's conformance cases: `[true, false, true, false]` -> `[false, true]`,
`[[1, 2], [1, 2], [2, 1]]` -> `[[2, 1], [1, 2]]`, `[null, null, 1, null]` -> `[null, 1]`, while small
integers and one-letter strings keep their first-seen order.
"""

from __future__ import annotations

import struct
from typing import Any

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def java_hash(value: Any) -> int:
    """`hashCode()` of the Java object Jackson reads `value` as (null hashes to 0 in a HashMap)."""
    if value is None:
        return 0
    if value is True:
        return 1231
    if value is False:
        return 1237
    if isinstance(value, int):
        if _INT_MIN <= value <= _INT_MAX:
            return value
        if _LONG_MIN <= value <= _LONG_MAX:
            bits = value & 0xFFFFFFFFFFFFFFFF
            return _int32(bits ^ (bits >> 32))
        return _big_integer_hash(value)
    if isinstance(value, float):
        (bits,) = struct.unpack(">Q", struct.pack(">d", value))
        return _int32(bits ^ (bits >> 32))
    if isinstance(value, str):
        h = 0
        data = value.encode("utf-16-be")
        for i in range(0, len(data), 2):
            h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
        return _int32(h)
    if isinstance(value, list):
        h = 1
        for item in value:
            h = (31 * h + java_hash(item)) & 0xFFFFFFFF
        return _int32(h)
    if isinstance(value, dict):
        return _int32(sum(java_hash(k) ^ java_hash(v) for k, v in value.items()))
    return 0


def _big_integer_hash(value: int) -> int:
    magnitude, sign = abs(value), (1 if value > 0 else -1)
    words = []
    while magnitude:
        words.append(magnitude & 0xFFFFFFFF)
        magnitude >>= 32
    h = 0
    for word in reversed(words):
        h = (31 * h + word) & 0xFFFFFFFF
    return _int32(_int32(h) * sign)


def java_key(value: Any) -> Any:
    """A hashable key equal exactly when Java's `equals` is: `1` and `1.0` differ, map order does not."""
    if value is None or isinstance(value, bool):
        return ("z", value)
    if isinstance(value, int):
        return ("i", value)
    if isinstance(value, float):
        return ("d", struct.pack(">d", value))
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("l", tuple(java_key(item) for item in value))
    if isinstance(value, dict):
        return ("m", frozenset((key, java_key(item)) for key, item in value.items()))
    return ("?", repr(value))


def _table_size(count: int) -> int:
    """The table capacity of `new HashSet<>(collection)` for a collection of `count` items."""
    wanted = max(int(count / 0.75) + 1, 16)
    size = 1
    while size < wanted:
        size <<= 1
    return size


def hash_set_order(items: list[Any]) -> list[Any]:
    """The distinct items (first of equals kept) in a Java HashSet's iteration order."""
    mask = _table_size(len(items)) - 1
    buckets: dict[int, list[Any]] = {}
    seen: set[Any] = set()
    for item in items:
        key = java_key(item)
        if key in seen:
            continue
        seen.add(key)
        h = java_hash(item) & 0xFFFFFFFF
        buckets.setdefault((h ^ (h >> 16)) & mask, []).append(item)
    return [item for index in sorted(buckets) for item in buckets[index]]
