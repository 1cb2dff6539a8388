"""A time bound for one test example: a hang becomes a failure that names it, instead of a stuck CI job."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Hang(BaseException):
    """The code under test ran past its bound."""


@contextlib.contextmanager
def bounded(seconds: float, what: str = "the example") -> Iterator[None]:
    """Raise `Hang` in the main thread if the block runs longer than `seconds` (SIGALRM; POSIX, main thread)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"{what} did not finish within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
