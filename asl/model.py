"""The compiled state machine: frozen dataclasses built once by `asl.parse`, read while running.

Every path, template, intrinsic call and JSONata expression here is already compiled: an
`Expr` is a callable `(scope) -> value`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from asl.paths import Path, Scope
from asl.resources import ResourceArn

#: A compiled expression: JSONPath template, intrinsic call or JSONata, evaluated against a scope.
Expr = Callable[[Scope], Any]


class StateType(enum.StrEnum):
    """The eight ASL state types."""

    PASS = "Pass"
    TASK = "Task"
    CHOICE = "Choice"
    WAIT = "Wait"
    SUCCEED = "Succeed"
    FAIL = "Fail"
    PARALLEL = "Parallel"
    MAP = "Map"


class QueryLanguage(enum.StrEnum):
    """The query language of a state."""

    JSONPATH = "JSONPath"
    JSONATA = "JSONata"


#: A value that is either fixed in the definition or read at run time.
@dataclass(frozen=True, slots=True, eq=False)
class Dynamic:
    """A field given literally, by path (`*Path`) or by a JSONata expression."""

    field: str
    value: Any = None
    path: Path | None = None
    expr: Expr | None = None
    text: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class Retrier:
    """One Retry entry."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter: str = "NONE"


@dataclass(frozen=True, slots=True, eq=False)
class Catcher:
    """One Catch entry."""

    error_equals: tuple[str, ...]
    next: str
    result_path: Path | None = None
    discard_result: bool = False
    output: Expr | None = None
    assign: Expr | None = None


@dataclass(frozen=True, slots=True, eq=False)
class ChoiceRule:
    """A Choice rule: a compiled boolean test, and (top level only) where it leads."""

    test: Callable[[Scope], bool]
    next: str = ""
    assign: Expr | None = None
    output: Expr | None = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class State:
    """Fields every state type shares."""

    name: str
    type: StateType
    query_language: QueryLanguage = QueryLanguage.JSONPATH
    next: str | None = None
    end: bool = False
    comment: str = ""
    input_path: Path | None = None
    input_null: bool = False
    output_path: Path | None = None
    output_null: bool = False
    parameters: Expr | None = None
    result_selector: Expr | None = None
    result_path: Path | None = None
    result_discard: bool = False
    output: Expr | None = None
    assign: Expr | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PassState(State):
    """Pass: passes its input (or Result) on."""

    result: Any = None
    has_result: bool = False


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TaskState(State):
    """Task: calls a resource handler."""

    resource: ResourceArn
    arguments: Expr | None = None
    timeout: Dynamic | None = None
    heartbeat: Dynamic | None = None
    credentials: Any = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ChoiceState(State):
    """Choice: picks the next state by rules."""

    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WaitState(State):
    """Wait: delays for seconds or until a timestamp."""

    seconds: Dynamic | None = None
    timestamp: Dynamic | None = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SucceedState(State):
    """Succeed: ends the execution (or branch) successfully."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FailState(State):
    """Fail: ends the execution (or branch) with an error and cause."""

    error: Dynamic | None = None
    cause: Dynamic | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Machine:
    """A set of states with a start: the top level, a Parallel branch or a Map processor."""

    start_at: str
    states: dict[str, State]
    query_language: QueryLanguage = QueryLanguage.JSONPATH
    timeout_seconds: float | None = None
    comment: str = ""
    #: Every state is a Pass, Choice, Succeed or Fail: running it can never suspend.
    never_waits: bool = False


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ParallelState(State):
    """Parallel: runs branches concurrently."""

    branches: tuple[Machine, ...] = ()
    arguments: Expr | None = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MapState(State):
    """Map: runs a processor for each item."""

    processor: Machine
    distributed: bool = False
    items_path: Path | None = None
    items: Expr | None = None
    items_text: str = ""
    item_selector: Expr | None = None
    max_concurrency: Dynamic | None = None
    tolerated_failure_count: Dynamic | None = None
    tolerated_failure_percentage: Dynamic | None = None
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class Definition:
    """A whole loaded definition: the top machine and the raw JSON it came from."""

    machine: Machine
    raw: Any
    version: str = "1.0"
    source_name: str = "<definition>"


def iter_states(machine: Machine) -> Iterator[State]:
    """Every state of `machine`, including those inside Parallel branches and Map processors."""
    stack = [machine]
    while stack:
        current = stack.pop()
        for state in current.states.values():
            yield state
            if isinstance(state, ParallelState):
                stack.extend(state.branches)
            elif isinstance(state, MapState):
                stack.append(state.processor)
