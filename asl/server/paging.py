"""List paging: `maxResults` (0 or absent means AWS's default of 100) and opaque `nextToken`s."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from asl.server.errors import ServiceError

DEFAULT_PAGE = 100


def page_size(request: dict[str, Any], default: int = DEFAULT_PAGE) -> int:
    """The page size asked for."""
    size = request.get("maxResults") or 0
    return int(size) if size > 0 else default


def read_token(request: dict[str, Any], kind: str, start: int) -> int:
    """The position a `nextToken` continues from (`start` without one)."""
    token = request.get("nextToken")
    if not token:
        return start
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        found, _, position = text.partition(":")
        if found == kind:
            return int(position)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise ServiceError("InvalidToken", f"Invalid Token: '{token}' is not a nextToken this list returned")


def make_token(kind: str, position: int) -> str:
    """A `nextToken` for the position after the last item returned."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode()


def page(
    items: list[dict[str, Any]], size: int, kind: str, key: str
) -> tuple[list[dict[str, Any]], str | None]:
    """Split a query's `size + 1` rows into the page and the token for the next one."""
    if len(items) <= size:
        return items, None
    shown = items[:size]
    return shown, make_token(kind, int(shown[-1][key]))


async def fetch_page(
    db: Any, request: dict[str, Any], kind: str, key: str, start: int, query: Any, *args: Any
) -> tuple[list[dict[str, Any]], str | None]:
    """Run a store query for the page the request asks for: `query(connection, *args, position, size + 1)`."""
    size = page_size(request)
    position = read_token(request, kind, start)
    found = await db.query(query, *args, position, size + 1)
    return page(found, size, kind, key)
