"""TestState: one state run offline by `asl.teststate`, with AWS's request and response shapes."""

from __future__ import annotations

from typing import Any

from asl.server.backend import Backend
from asl.server.errors import ServiceError


async def test_state(backend: Backend, request: dict[str, Any]) -> dict[str, Any]:
    """TestState: Task states without a mock run the handlers this server has (asl.toml [handlers])."""
    from asl.teststate import TestStateError, test_state_async

    try:
        return await test_state_async(
            request,
            registry=backend.runner.registry,
            region=backend.where.region,
            account=backend.where.account,
        )
    except TestStateError as exc:
        raise ServiceError(exc.code, exc.message) from None


test_state.__test__ = False  # type: ignore[attr-defined]  # not a pytest test

ACTIONS = {"TestState": test_state}
