"""Execution clocks: a virtual one (default; waits take no real time) and a real one."""

from __future__ import annotations

import time
from typing import Protocol

import anyio


class Clock(Protocol):
    """What the interpreter needs of time: read it, and sleep on it."""

    def now(self) -> float:
        """Seconds since the epoch, as this clock sees them."""

    async def sleep(self, seconds: float) -> None:
        """Let `seconds` pass on this clock."""


class VirtualClock:
    """Starts at the real time; `sleep` advances it at once and records the delay in `sleeps`."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self.sleeps: list[float] = []

    def now(self) -> float:
        """The virtual time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward without sleeping."""
        if seconds > 0:
            self._now += seconds

    async def sleep(self, seconds: float) -> None:
        """Advance the clock by `seconds`, yielding once so other tasks run."""
        self.sleeps.append(seconds)
        self.advance(seconds)
        await anyio.sleep(0)


class RealClock:
    """Wall-clock time; `sleep` really waits."""

    def now(self) -> float:
        """The current time."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Wait for real."""
        await anyio.sleep(max(seconds, 0))
