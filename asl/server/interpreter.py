"""The one module where the server meets the interpreter: load, validate, start, finish, resume, stop.

Everything the server needs from `asl.machine`, `asl.executor` and `asl.history` goes through here,
so that a change of the interpreter's API is a change of this file only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from asl.clock import Clock, RealClock
from asl.errors import DefinitionError
from asl.executor import Execution
from asl.history import dumps
from asl.machine import ExecutionResult, StateMachine
from asl.model import Definition
from asl.parse import load_definition
from asl.runtime import TaskTokenError, TokenWaiter
from asl.source import Source

__all__ = [
    "DefinitionError",
    "Execution",
    "TokenWaiter",
    "ExecutionResult",
    "TaskTokenError",
    "compile_definition",
    "diagnostics",
    "dumps",
    "finish",
    "make_clock",
    "new_machine",
    "redrive",
    "resume",
    "start",
]

#: Receives each history event as GetExecutionHistory shows it, plus its "lane".
OnRecord = Callable[[dict[str, Any]], None]


def compile_definition(text: str) -> Definition:
    """Parse and compile a definition; raise DefinitionError with every problem AWS would refuse."""
    from asl.source import load_json

    source = Source(text)
    return load_definition(load_json(text), source)


def diagnostics(text: str) -> list[Any]:
    """The validator's findings for a definition text, malformed JSON included (errors and warnings)."""
    from asl.validate.files import validate_text

    return list(validate_text(text).diagnostics)


def new_machine(definition: Definition, name: str, **settings: Any) -> StateMachine:
    """A StateMachine over an already compiled definition (cheap: one per execution)."""
    return StateMachine(definition, name=name, **settings)


def make_clock(scale: float) -> Clock:
    """The clock `--wait-scale` asks for: Wait states and retry delays multiplied by `scale`."""
    return RealClock(scale)


def start(
    machine: StateMachine,
    input: Any,
    *,
    clock: Clock,
    execution_name: str,
    seed: int,
    on_record: OnRecord,
) -> Execution:
    """Record ExecutionStarted and return the execution, ready for `finish`."""
    return machine.start(
        input,
        clock=clock,
        execution_name=execution_name,
        seed=seed,
        on_record=_recorder(on_record),
        callbacks_from_outside=True,
    )


def _recorder(on_record: OnRecord) -> OnRecord:
    """The store keeps timestamps as epoch seconds."""

    def record(event: dict[str, Any]) -> None:
        on_record({**event, "timestamp": datetime.fromisoformat(event["timestamp"]).timestamp()})

    return record


async def finish(machine: StateMachine, execution: Execution) -> ExecutionResult:
    """Run a started execution to its end."""
    return await machine.finish(execution)


def resume(
    machine: StateMachine,
    events: list[dict[str, Any]],
    *,
    clock: Clock,
    execution_name: str,
    seed: int,
    on_record: OnRecord,
    heartbeats: dict[str, float] | None = None,
) -> Execution | None:
    """Continue an execution from its stored history (see `asl.resume`), or None when it cannot be.

    `events` are the stored events in id order, each as `on_record` received it. The returned
    execution is run with `finish`, and records only the events that come after `events`.
    `heartbeats`: the last heartbeat acknowledged for each task token (epoch seconds).
    """
    try:
        execution = machine.resume(
            events,
            clock=clock,
            execution_name=execution_name,
            seed=seed,
            on_record=_recorder(on_record),
            callbacks_from_outside=True,
        )
    except ValueError:
        return None
    execution.settings.heartbeats.update(heartbeats or {})
    return execution


def redrive(
    machine: StateMachine,
    events: list[dict[str, Any]],
    *,
    clock: Clock,
    execution_name: str,
    seed: int,
    on_record: OnRecord,
) -> Execution:
    """Redrive an execution that ended unsuccessfully (records ExecutionRedriven); run it with `finish`."""
    return machine.redrive(
        events,
        clock=clock,
        execution_name=execution_name,
        seed=seed,
        on_record=_recorder(on_record),
        callbacks_from_outside=True,
    )


def now() -> float:
    """The wall-clock time used for API timestamps."""
    return time.time()
