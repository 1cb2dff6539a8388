"""AWS's bounds on one JSONata evaluation: nesting depth, time, memory, and regular expressions.

AWS's "Handling expression errors" (Transforming data with JSONata in Step Functions) lists three
bounds, each failing the state with States.QueryEvaluationError: "Expression evaluation memory limit
exceeded", "Expression evaluation timeout" and "Stack overflow error". The values are AWS's where they
are known (measured against AWS and published in floci's issues #2737 and PR #2783): evaluation may nest
100 levels; one value may hold 6,990,256 bytes (a number counts 8 bytes, a character 1); `$range` may
produce 360,145 elements. AWS documents a one-second timeout; Python evaluates JSONata far slower than
AWS's engine, so the bound here is `TIME_LIMIT` seconds of this thread's CPU time, generous on purpose:
a bound that fails a working state machine costs more than a runaway expression burning a core briefly.

Regular expressions run on the `regex` module with the time that remains, so a pattern that
backtracks catastrophically (`/^(a|a)*$/` on "aaaa...!") ends with the timeout instead of hanging.
"""

from __future__ import annotations

import contextvars
import math
import signal
import threading
import time
from typing import Any

#: AWS refuses an evaluation nested deeper than this (an addition of 101 terms, `$f(32)` non-tail-recursive).
MAX_DEPTH = 100
#: The most one value an expression builds may hold, in bytes (8 per number, 1 per character).
MAX_BYTES = 6_990_256
#: The most elements one `$range` call may produce, checked before anything is allocated.
MAX_RANGE = 360_145
#: CPU seconds one evaluation may take (AWS documents 1 s; see the module docstring).
TIME_LIMIT = 5.0
#: How many evaluation steps pass between two looks at the clock.
_CLOCK_EVERY = 255

STACK_OVERFLOW = "Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive."
TIMEOUT = "Expression evaluation timeout: Check for infinite loop"
MEMORY = "Expression evaluation memory limit exceeded: Check for excessive memory usage"


class Bounds:
    """The counters of one evaluation at a time, installed as the engine's entry and exit callbacks.

    An evaluation that runs long (past `_CLOCK_EVERY` steps) also becomes interruptible: Ctrl-C raises
    KeyboardInterrupt at once (asyncio's own handler would only cancel the task once the loop runs again,
    which a running expression never lets it do), and `wall_deadline` (the run's real-time deadline, set
    by whoever runs the execution) ends it with the evaluation timeout.
    """

    __slots__ = ("deadline", "depth", "guarded", "saved_handler", "steps")

    def __init__(self) -> None:
        self.depth = 0
        self.steps = 0
        self.deadline = 0.0
        self.guarded = False
        self.saved_handler: Any = None

    def start(self) -> None:
        """Reset before an evaluation starts."""
        global _deadline
        self.depth = 0
        self.steps = 0
        self.deadline = _deadline = time.thread_time() + TIME_LIMIT
        self.guarded = False

    def stop(self) -> None:
        """Undo what a long evaluation installed (the Ctrl-C handler)."""
        if self.saved_handler is not None:
            signal.signal(signal.SIGINT, self.saved_handler)
            self.saved_handler = None

    def _long_running(self) -> None:
        """Called at every clock look: CPU time, the run's real-time deadline, and (once) Ctrl-C."""
        if time.thread_time() > self.deadline or time.time() > wall_deadline.get():
            raise bound_error(TIMEOUT)
        if not self.guarded:
            self.guarded = True
            if threading.current_thread() is threading.main_thread():
                handler = signal.getsignal(signal.SIGINT)
                if handler not in (signal.default_int_handler, signal.SIG_IGN, signal.SIG_DFL):
                    self.saved_handler = handler
                    signal.signal(signal.SIGINT, signal.default_int_handler)

    def entry(self, expr: Any, input: Any, env: Any) -> None:
        """Called as each evaluation step starts: depth and (now and then) time."""
        if env.is_parallel_call:
            return
        depth = self.depth = self.depth + 1
        if depth > MAX_DEPTH:
            raise bound_error(STACK_OVERFLOW)
        steps = self.steps = self.steps + 1
        if not steps & _CLOCK_EVERY:
            self._long_running()

    def exit(self, expr: Any, input: Any, env: Any, result: Any) -> None:
        """Called as each evaluation step ends: the size of strings and arrays it built."""
        if env.is_parallel_call:
            return
        self.depth -= 1
        kind = result.__class__
        if kind is str:
            if len(result) > MAX_BYTES:
                raise bound_error(MEMORY)
        elif kind not in _SCALARS and isinstance(result, list):
            lazy = getattr(result, "b", None)  # a lazy [a..b] range, whose len() is one too many
            size = lazy - result.a if lazy is not None else len(result)  # type: ignore[attr-defined]
            if size * 8 > MAX_BYTES:
                raise bound_error(MEMORY)


_SCALARS = frozenset({int, float, bool, type(None)})

#: The CPU-time deadline of the evaluation under way (read by the regular expressions it runs).
_deadline = 0.0
#: A wall-clock time (`time.time()`) past which no evaluation may go on: the code that runs an execution
#: in real time sets it to the execution's (or the state's) deadline, so an endless expression stops with
#: the run's TimeoutSeconds instead of only at `TIME_LIMIT`.
wall_deadline: contextvars.ContextVar[float] = contextvars.ContextVar(
    "asl_jsonata_wall_deadline", default=math.inf
)


def bound_error(message: str, *, internal: bool = False) -> Exception:
    """A JSONata error (so the engine passes it through untouched) carrying one of AWS's bound messages."""
    error = _BoundError(message)
    error.internal = internal
    return error  # type: ignore[no-any-return]


_BoundError: Any = None


def internal_error() -> Exception:
    """The error AWS reports as "threw an internal error during evaluation" (for `$base64decode` of non-base-64)."""
    return bound_error("internal error", internal=True)


def is_bound_error(exc: BaseException) -> bool:
    """True for an error raised by one of the bounds above."""
    return _BoundError is not None and isinstance(exc, _BoundError)


def check_range(count: int) -> None:
    """Refuse a `$range` of more than MAX_RANGE elements before building it."""
    if count > MAX_RANGE:
        raise bound_error(MEMORY)


def check_length(length: float) -> None:
    """Refuse a string about to be built longer than MAX_BYTES (for `$pad`)."""
    if length > MAX_BYTES:
        raise bound_error(MEMORY)


class _Regex:
    """A compiled pattern whose every use is bounded by the time left to the evaluation."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern

    def search(self, string: str, pos: int = 0) -> Any:
        return self._bounded(lambda t: self.pattern.search(string, pos, timeout=t))

    def finditer(self, string: str) -> Any:
        return iter(self._bounded(lambda t: list(self.pattern.finditer(string, timeout=t))))

    def sub(self, repl: Any, string: str, count: int = 0) -> Any:
        return self._bounded(lambda t: self.pattern.sub(repl, string, count=count, timeout=t))

    def split(self, string: str, maxsplit: int = 0) -> Any:
        return self._bounded(lambda t: self.pattern.split(string, maxsplit=maxsplit, timeout=t))

    @staticmethod
    def _bounded(run: Any) -> Any:
        remaining = max(0.01, _deadline - time.thread_time())
        try:
            return run(remaining)
        except TimeoutError:
            raise bound_error(TIMEOUT) from None


def regex_engine(pattern: str, flags: Any) -> Any:
    """Compile a JSONata regex literal on the `regex` module, with its case and multiline flags."""
    import regex

    options = regex.VERSION0
    if flags.case_insensitive:
        options |= regex.IGNORECASE
    if flags.multiline:
        options |= regex.MULTILINE
    return _Regex(regex.compile(pattern, options))


def install() -> None:
    """Once per process: the bound error class, and JavaScript's arithmetic for the engine.

    JSONata's reference implementation is JavaScript, where `1/0` is Infinity and `5 % 0` is NaN; the
    Python port raises ZeroDivisionError and ValueError there. AWS answers the JavaScript value (written
    "Infinity" in the output, as floci measured), so the engine's numeric operator gets the same.
    """
    global _BoundError
    if _BoundError is not None:
        return
    from jsonata.jexception import JException
    from jsonata.jsonata import Jsonata
    from jsonata.utils import Utils

    class BoundError(JException):  # type: ignore[misc]
        """One of AWS's evaluation bounds was passed; the message is AWS's."""

        def __init__(self, message: str) -> None:
            RuntimeError.__init__(self, message)
            self.error, self.location, self.current, self.expected, self.extra = None, -1, None, None, None
            self.type, self.remaining = None, None

    _BoundError = BoundError

    numeric = Jsonata.evaluate_numeric_expression

    def javascript_numeric(self: Any, lhs: Any, rhs: Any, op: Any) -> Any:
        try:
            return numeric(self, lhs, rhs, op)
        except (ZeroDivisionError, ValueError, OverflowError) as exc:
            if is_bound_error(exc) or not (Utils.is_numeric(lhs) and Utils.is_numeric(rhs)):
                raise
            return _javascript(float(lhs), float(rhs), op)
        except Exception as exc:
            if getattr(exc, "error", None) == "D1001" and Utils.is_numeric(lhs) and Utils.is_numeric(rhs):
                return _javascript(float(lhs), float(rhs), op)
            raise

    Jsonata.evaluate_numeric_expression = javascript_numeric


def _javascript(lhs: float, rhs: float, op: str) -> float:
    """The non-finite result JavaScript gives where Python raises (division by zero, overflow)."""
    if op == "/":
        if lhs == 0 or math.isnan(lhs):
            return math.nan
        return math.copysign(math.inf, lhs) * math.copysign(1.0, rhs)
    if op == "%":
        return math.nan
    results = {"+": lambda: lhs + rhs, "-": lambda: lhs - rhs, "*": lambda: lhs * rhs}
    return results[op]() if op in results else math.nan
