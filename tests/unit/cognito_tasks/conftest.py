"""Fixtures for the Cognito task tests (helpers live in cognito_harness)."""

from __future__ import annotations

import pytest
from cognito_harness import Harness, make_harness


@pytest.fixture
def h() -> Harness:
    return make_harness()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
