"""Python functions standing in for Lambda functions in the console tests (mapped in the test config)."""

from __future__ import annotations

from typing import Any


class PaymentDeclined(Exception):
    """What a payment service raises for a card it refuses."""


def charge(event: Any, context: Any) -> Any:
    raise PaymentDeclined(f"card {event.get('card', '?')} was declined <by the bank>")
