"""Execution clocks: a virtual one that is a discrete-event scheduler (the default), and a real one.

The virtual clock never waits for real. Every task of an execution that waits on it (a Wait state,
retry backoff, a task timeout, a callback) registers what it waits for; the clock counts the tasks
that can still run, and only when none can does it jump to the earliest deadline and wake whatever
waits for that instant. So concurrent waits overlap (a Map whose iterations wait 10, 5 and 1 s takes
10 s), timeouts race results exactly, and ties wake in registration order, which makes a run
reproducible.

How a task is counted:

- the task that runs an execution counts while it runs (`running()`), and every child started
  through `Group` counts from the moment it is started until it returns;
- waiting on the clock (`sleep_until`, `wait`) uncounts the task until something wakes it; the waker
  counts it again at once, so no jump can happen between the wake-up and the task resuming;
- a task that is cancelled while it waits counts again when it resumes. Cancellation only ever comes
  from a parent that stays counted until its children have finished, so that window is covered too;
- work that is not the clock's (a handler awaiting real I/O, a sleep on the event loop) counts as
  running: the virtual clock stands still until it returns.

An answer that can come from outside the process (a person at the terminal completing a task token)
is a `hold`: while it is open the clock may jump to deadlines before the hold's deadline, never past
it. When nothing can run, nothing is due and nothing is held, waits marked `stall=True` are woken as
stalled (a callback that nobody can answer any more).

We wrote this scheduler rather than use trio's MockClock (autojump) or looptime: both jump whenever the
event loop is idle, also while a handler waits for real I/O, and trio's scheduler randomises the order
of ready tasks; an execution needs the jump decided by its own tasks, in a fixed order, on any
event loop.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import anyio.abc

# anyio is imported where it is used: a run that never waits needs no event loop (asl.machine).


class Signal:
    """Something that happens once (a result arrives, a group needs its parent); tasks `wait` for it."""

    __slots__ = ("_waiters", "is_set")

    def __init__(self) -> None:
        self.is_set = False
        self._waiters: list[_Waiter] = []

    def set(self) -> None:
        """Mark it happened and wake every task waiting for it (they count as running at once)."""
        self.is_set = True
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter.wake(WOKEN_BY_SIGNAL)


WOKEN_BY_SIGNAL = "signal"
WOKEN_BY_DEADLINE = "deadline"
WOKEN_AS_STALLED = "stalled"


class _Waiter:
    """One task waiting on a clock: for a signal, a deadline, or both."""

    __slots__ = ("clock", "event", "progress", "reason", "stall")

    def __init__(self, clock: Any, stall: bool) -> None:
        import anyio

        self.clock = clock
        self.event = anyio.Event()
        self.reason: str | None = None
        self.stall = stall
        #: Its deadline is progress (a Wait, a backoff, a task timeout), not just a limit.
        self.progress = False

    def wake(self, reason: str) -> bool:
        """Wake the task unless something else already did; True when this call woke it."""
        if self.reason is not None:
            return False
        self.reason = reason
        self.clock._woken(self)
        self.event.set()
        return True


class Clock(Protocol):
    """What the interpreter needs of time."""

    def now(self) -> float:
        """Seconds since the epoch, as this clock sees them."""

    async def sleep(self, seconds: float) -> None:
        """Let `seconds` pass on this clock."""

    async def sleep_until(self, deadline: float) -> None:
        """Return when this clock reaches `deadline` (at once if it has)."""

    async def wait(
        self, signal: Signal, deadline: float | None = None, *, stall: bool = False, background: bool = False
    ) -> str:
        """Wait for `signal` or `deadline`: return WOKEN_BY_SIGNAL, WOKEN_BY_DEADLINE or WOKEN_AS_STALLED.

        `stall`: when nothing else can make progress, this wait ends as stalled. `background`: the
        deadline is only a limit (an execution's timeout), not progress: stalled waits end first.
        """

    def running(self) -> Any:
        """A context manager: the current task counts as running on this clock while inside it."""

    def hold(self, deadline: float | None) -> Any:
        """A context manager: an answer may come from outside until `deadline` (None: any time)."""

    def enter(self) -> None:
        """Count one more task as running (a task about to start)."""

    def leave(self) -> None:
        """Count one task fewer (a task that is ending)."""


#: The clocks the current task already counts on (so nested executions do not count it twice).
_COUNTED: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar("asl_clock_counted", default=())


class VirtualClock:
    """A discrete-event scheduler: time jumps to the next deadline only when nothing else can run.

    `sleeps` lists every delay asked of `sleep` (retry backoff and Wait states), for assertions.
    """

    def __init__(self, start: float | datetime | None = None) -> None:
        if isinstance(start, datetime):
            if start.tzinfo is None:
                raise ValueError("VirtualClock(start): give a datetime with a time zone, e.g. tzinfo=UTC")
            start = start.timestamp()
        if start is not None and not (isinstance(start, int | float) and math.isfinite(start)):
            raise TypeError(f"VirtualClock(start): epoch seconds or an aware datetime, not {start!r}")
        self._now = time.time() if start is None else float(start)
        self.sleeps: list[float] = []
        self._running = 0
        self._timers: list[tuple[float, int, _Waiter]] = []
        self._order = itertools.count()
        self._holds: dict[int, float] = {}
        self._stallable: dict[int, _Waiter] = {}
        #: Waiters whose deadline is progress and that have not been woken yet.
        self._progress = 0

    def now(self) -> float:
        """The virtual time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by hand (tests of time-dependent handlers)."""
        if seconds > 0:
            self._now += seconds

    async def sleep(self, seconds: float) -> None:
        """Let `seconds` pass; the task waits (uncounted) until the clock reaches that time."""
        self.sleeps.append(seconds)
        await self.wait(Signal(), self._now + max(seconds, 0))

    async def sleep_until(self, deadline: float) -> None:
        """Wait until the clock reaches `deadline` (the delay is recorded in `sleeps`)."""
        self.sleeps.append(max(deadline - self._now, 0))
        await self.wait(Signal(), deadline)

    async def wait(
        self, signal: Signal, deadline: float | None = None, *, stall: bool = False, background: bool = False
    ) -> str:
        """Wait for `signal` or the clock reaching `deadline`, whichever comes first."""
        import anyio.lowlevel

        if signal.is_set:
            await anyio.lowlevel.checkpoint()
            return WOKEN_BY_SIGNAL
        waiter = _Waiter(self, stall)
        signal._waiters.append(waiter)
        if deadline is not None and math.isfinite(deadline):
            heapq.heappush(self._timers, (deadline, next(self._order), waiter))
            if not background:
                self._progress += 1
                waiter.progress = True
        if stall:
            self._stallable[id(waiter)] = waiter
        self._running -= 1
        if self._running <= 0:
            self._advance()
        try:
            await waiter.event.wait()
        finally:
            if waiter.reason is None:  # cancelled while waiting: it runs again now
                waiter.reason = "cancelled"
                self._woken(waiter)
                if waiter in signal._waiters:
                    signal._waiters.remove(waiter)
        return waiter.reason

    def _woken(self, waiter: _Waiter) -> None:
        self._running += 1
        self._stallable.pop(id(waiter), None)
        if waiter.progress:
            waiter.progress = False
            self._progress -= 1

    def _advance(self) -> None:
        """Nothing can run: jump to the earliest deadline and wake what waits for it."""
        timers = self._timers
        while self._running <= 0:
            while timers and timers[0][2].reason is not None:
                heapq.heappop(timers)
            if not self._holds and self._stallable and not self._progress:
                self._stall()
                return
            if not timers:
                return
            when, _, first = timers[0]
            if self._holds and (when >= min(self._holds.values()) or not first.progress):
                return  # an outside answer may come first; a limit is no reason to stop waiting for it
            if when > self._now:
                self._now = when
            while timers and timers[0][0] == when:
                heapq.heappop(timers)[2].wake(WOKEN_BY_DEADLINE)

    def _stall(self) -> None:
        """Nothing can run, nothing is due, nothing is held: wake the waits that would never end."""
        stalled = list(self._stallable.values())
        self._stallable.clear()
        for waiter in stalled:
            waiter.wake(WOKEN_AS_STALLED)

    @contextmanager
    def running(self) -> Iterator[None]:
        """Count the current task while inside (once, however deeply executions nest)."""
        counted = _COUNTED.get()
        if id(self) in counted:
            yield
            return
        token = _COUNTED.set((*counted, id(self)))
        self._running += 1
        try:
            yield
        finally:
            _COUNTED.reset(token)
            self.leave()

    def enter(self) -> None:
        """Count a task that is about to start."""
        self._running += 1

    def leave(self) -> None:
        """Uncount a task that is ending; if it was the last one running, time moves on."""
        self._running -= 1
        if self._running <= 0:
            self._advance()

    @contextmanager
    def hold(self, deadline: float | None) -> Iterator[None]:
        """Keep the clock from jumping to `deadline` or past it while an outside answer may come."""
        key = next(self._order)
        self._holds[key] = math.inf if deadline is None else deadline
        try:
            yield
        finally:
            del self._holds[key]
            if self._running <= 0:
                self._advance()


class RealClock:
    """Wall-clock time. `scale` multiplies Wait and retry delays (0.1: a 10 s Wait takes 1 s; 0: none)."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def now(self) -> float:
        """The current time."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Wait for real (scaled)."""
        import anyio

        await anyio.sleep(max(seconds, 0) * self.scale)

    async def sleep_until(self, deadline: float) -> None:
        """Wait until `deadline` (the remaining time, scaled)."""
        import anyio

        await anyio.sleep(max(deadline - time.time(), 0) * self.scale)

    async def wait(
        self, signal: Signal, deadline: float | None = None, *, stall: bool = False, background: bool = False
    ) -> str:
        """Wait for `signal`, or until `deadline` passes (timeouts are not scaled)."""
        import anyio.lowlevel

        if signal.is_set:
            await anyio.lowlevel.checkpoint()
            return WOKEN_BY_SIGNAL
        waiter = _Waiter(self, stall)
        signal._waiters.append(waiter)
        try:
            if deadline is None or not math.isfinite(deadline):
                await waiter.event.wait()
            else:
                with anyio.move_on_after(max(deadline - time.time(), 0)):
                    await waiter.event.wait()
        finally:
            if waiter in signal._waiters:
                signal._waiters.remove(waiter)
        return waiter.reason or WOKEN_BY_DEADLINE

    def _woken(self, waiter: _Waiter) -> None:
        """Nothing to count on the real clock."""

    @contextmanager
    def running(self) -> Iterator[None]:
        """Nothing to count on the real clock."""
        yield

    @contextmanager
    def hold(self, deadline: float | None) -> Iterator[None]:
        """Nothing to hold: real time passes anyway."""
        yield

    def enter(self) -> None:
        """Nothing to count on the real clock."""

    def leave(self) -> None:
        """Nothing to count on the real clock."""


class Group:
    """Concurrent children on a clock (Parallel branches, Map workers), with fail-fast stopping.

    `start` counts a child as running before it is scheduled; `stop()` (from a child) wakes the parent,
    which cancels the rest; `__aexit__` waits (uncounted) until every child returned or one stopped the
    group, then joins the cancelled children while the parent counts, so the clock cannot jump while
    they unwind.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.stopped = False
        self._cancelled = False
        self._pending = 0
        self._attention = Signal()
        self._tg: anyio.abc.TaskGroup | None = None

    async def __aenter__(self) -> Group:
        import anyio

        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        return self

    def start(self, function: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Run `function(*args)` as a child, counted from now."""
        assert self._tg is not None
        self._pending += 1
        self.clock.enter()
        self._tg.start_soon(self._child, function, args)

    async def _child(self, function: Callable[..., Awaitable[Any]], args: tuple[Any, ...]) -> None:
        try:
            await function(*args)
        finally:
            self._pending -= 1
            if self._pending == 0:
                self._attention.set()
            self.clock.leave()

    def stop(self) -> None:
        """Stop the group (from a child): the parent wakes and cancels the children still running."""
        self.stopped = True
        self._attention.set()

    def cancel(self) -> None:
        """Cancel every child now (from the parent, which keeps counting while they unwind)."""
        assert self._tg is not None
        self._cancelled = True
        self._tg.cancel_scope.cancel()

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        assert self._tg is not None
        if exc_info[0] is None and self._pending and not (self.stopped or self._cancelled):
            try:
                await self.clock.wait(self._attention)
            except BaseException as err:
                self._tg.cancel_scope.cancel()
                if not await self._tg.__aexit__(type(err), err, err.__traceback__):
                    raise
                return None
        if exc_info[0] is not None or self.stopped:
            self._tg.cancel_scope.cancel()
        return await self._tg.__aexit__(*exc_info)
