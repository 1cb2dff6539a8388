"""Walking a JSON document: every place in it, as a path of keys and indexes (for mutation tests)."""

from __future__ import annotations

from typing import Any


def places(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value in `node`, the root `()` first, in document order."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += places(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += places(value, (*prefix, index))
    return found
