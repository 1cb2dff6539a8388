"""Task mocks that answer from queues: one list of answers per state, consumed in invocation order."""

from __future__ import annotations

import json
from typing import Any

from asl.errors import HeartbeatTimeout, StatesRuntime, StatesTimeout, TaskFailed
from asl.machine import StateMachine
from asl.model import Machine, MapState, ParallelState, TaskState
from asl.replay.compare import normalise
from asl.replay.steps import Answer
from asl.resources import Handler, TaskContext


def task_states(machine: StateMachine) -> list[str]:
    """The names of every Task state, nested ones included."""
    names: list[str] = []
    stack: list[Machine] = [machine.definition.machine]
    while stack:
        current = stack.pop()
        for state in current.states.values():
            if isinstance(state, TaskState):
                names.append(state.name)
            elif isinstance(state, ParallelState):
                stack.extend(state.branches)
            elif isinstance(state, MapState):
                stack.append(state.processor)
    return names


def top_level_states(machine: StateMachine) -> frozenset[str]:
    """The names of the definition's top-level states (not inside a Map or Parallel)."""
    return frozenset(machine.definition.machine.states)


class Answers:
    """Answer queues by state name; a state that asks for more than it has is remembered in `exhausted`.

    An invocation takes the first unused answer recorded for the same request (the task's
    parameters, compared normalised), else the first unused one: concurrent Map iterations get
    their own results even when the recording interleaved them differently.
    """

    def __init__(self, queues: dict[str, list[Answer]], source: str = "the recording") -> None:
        self.queues = {state: list(answers) for state, answers in queues.items()}
        self.requests = {
            state: [None if a.request is None else _key(a.request) for a in answers]
            for state, answers in queues.items()
        }
        self.used: dict[str, set[int]] = {}
        self.source = source
        #: (state, how many answers it had) for each state that ran out.
        self.exhausted: list[tuple[str, int]] = []

    def reset(self) -> None:
        """Start every queue from its first answer again (for another run)."""
        self.used.clear()
        self.exhausted.clear()

    def take(self, state: str, payload: Any) -> Answer | None:
        """The answer for this invocation of `state`, marked used; None when none is left."""
        queue = self.queues.get(state, [])
        used = self.used.setdefault(state, set())
        unused = [index for index in range(len(queue)) if index not in used]
        if not unused:
            return None
        request = _key(payload)
        recorded = self.requests[state]
        same = [index for index in unused if recorded[index] == request]
        index = same[0] if same else unused[0]
        used.add(index)
        return queue[index]

    def handler(self, state: str) -> Handler:
        """The mock for `state`: its next answer, or States.Runtime when there is none left."""

        async def answer(payload: Any, ctx: TaskContext) -> Any:
            found = self.take(state, payload)
            if found is None:
                count = len(self.queues.get(state, []))
                self.exhausted.append((state, count))
                raise StatesRuntime(
                    f"no task result left for state {state!r} in {self.source}: it has {count}, "
                    f"this execution asked for invocation {count + 1}"
                )
            return reply(found)

        return answer

    def install(self, machine: StateMachine, every_task: bool = False) -> None:
        """Answer `machine`'s states from the queues (`every_task`: Task states without a queue too)."""
        names = task_states(machine) if every_task else list(self.queues)
        for name in names:
            machine.mocks[name] = self.handler(name)


def _key(request: Any) -> str:
    return json.dumps(normalise(request, timestamps=True), sort_keys=True)


def reply(answer: Answer) -> Any:
    """The answer's value, or raise its error as the task's failure."""
    if answer.returns:
        return answer.value
    if answer.timed_out or answer.error in ("States.Timeout", "States.HeartbeatTimeout"):
        if answer.error == "States.HeartbeatTimeout":
            raise HeartbeatTimeout(answer.cause or None)
        raise StatesTimeout(answer.cause or None)
    raise TaskFailed(answer.error, answer.cause or None)


def parse_answers(raw: Any, where: str) -> dict[str, list[Answer]]:
    """Inline mocks from JSON: `{"State": [{"Return": value} | {"Throw": {"Error", "Cause"}}, ...]}`."""
    from asl.replay.files import ReplayError

    if not isinstance(raw, dict):
        raise ReplayError(f"{where}: 'mocks' must map state names to lists of answers")
    queues: dict[str, list[Answer]] = {}
    for state, items in raw.items():
        if not isinstance(items, list):
            raise ReplayError(f"{where}: mocks.{state} must be a list of answers")
        queue = []
        for number, item in enumerate(items):
            here = f"{where}: mocks.{state}[{number}]"
            if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in ("Return", "Throw"):
                raise ReplayError(f'{here} must be {{"Return": value}} or {{"Throw": {{"Error", "Cause"}}}}')
            if "Return" in item:
                queue.append(Answer(True, item["Return"]))
                continue
            throw = item["Throw"]
            if not isinstance(throw, dict) or not isinstance(throw.get("Error"), str):
                raise ReplayError(f"{here}.Throw needs an 'Error' string")
            queue.append(Answer(False, error=throw["Error"], cause=str(throw.get("Cause", ""))))
        queues[str(state)] = queue
    return queues
