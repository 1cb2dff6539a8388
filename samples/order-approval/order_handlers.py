"""Local stand-ins for the order workflow's Lambda functions."""

from __future__ import annotations

from typing import Any


class InvalidOrder(Exception):
    """The order cannot be processed."""


def validate_order(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Check the order lines and compute the total, as the deployed Lambda function does."""
    lines = event.get("lines") or []
    if not lines:
        raise InvalidOrder(f"order {event.get('orderId')} has no lines")
    total = sum(line["quantity"] * line["price"] for line in lines)
    return {"total": round(total, 2), "lines": len(lines), "checkedBy": context.function_name}
