"""Python functions that stand in for Lambda functions in the server tests (mapped in asl.toml's [handlers])."""

from __future__ import annotations

from typing import Any


def double(event: Any, context: Any) -> Any:
    return {"value": event["value"] * 2}


def explode(event: Any, context: Any) -> Any:
    raise ValueError("no good")
