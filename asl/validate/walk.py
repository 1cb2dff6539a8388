"""The definition as the checks see it: every machine and every state, with pointers and query languages.

Machines are the top level, Parallel branches and Map bodies. Any JSON is tolerated: malformed parts are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl.lazyre import Pattern
from asl.source import escape_token

JSONPATH = "JSONPath"
JSONATA = "JSONata"
STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
#: A string that reads like a path or an intrinsic call: "$", "$.a", "$$.Execution", "$['a']", "States.Format(".
LOOKS_LIKE_PATH = Pattern(r"^(\$\$?(\.|\[|$)|States\.[A-Za-z]+\()")


@dataclass(frozen=True, slots=True)
class Machine:
    """A set of states with a StartAt: the definition itself, a Parallel branch or a Map body."""

    pointer: str
    body: dict[str, Any]
    states: dict[str, dict[str, Any]]

    @property
    def start_at(self) -> Any:
        """The raw StartAt value (anything, if the definition is malformed)."""
        return self.body.get("StartAt")


@dataclass(frozen=True, slots=True)
class State:
    """One state: its name, pointer, raw fields, effective query language and the machine holding it."""

    name: str
    pointer: str
    body: dict[str, Any]
    language: str
    machine: Machine
    #: The state's Type, or "" when missing or not a string.
    type: str


@dataclass(frozen=True, slots=True)
class Tree:
    """Every machine and state of one definition, in document order."""

    root: dict[str, Any]
    language: str
    machines: list[Machine]
    states: list[State]


def pointer_to(*tokens: str | int) -> str:
    """A JSON pointer from reference tokens."""
    return "".join(f"/{escape_token(str(t))}" for t in tokens)


def query_language(value: Any, default: str) -> str:
    """The query language a `QueryLanguage` value selects (absent: `default`).

    Present, only the exact string "JSONPath" is JSONPath and anything else is JSONata, as AWS resolves
    it (measured in floci's ValidateStateMachineDefinition tests); the value itself is also reported
    against the enumeration.
    """
    if value is None:
        return default
    return JSONPATH if value == JSONPATH else JSONATA


def build(definition: dict[str, Any]) -> Tree:
    """Collect the machines and states of `definition` (iteratively, so depth cannot overflow the stack)."""
    top = query_language(definition.get("QueryLanguage"), JSONPATH)
    machines: list[Machine] = []
    states: list[State] = []
    pending: list[tuple[str, dict[str, Any]]] = [("", definition)]
    while pending:
        pointer, body = pending.pop(0)
        raw = body.get("States")
        own = {k: v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}
        machine = Machine(pointer, body, own)
        machines.append(machine)
        for name, state in own.items():
            state_pointer = f"{pointer}/States/{escape_token(name)}"
            language = query_language(state.get("QueryLanguage"), top)
            type_ = state.get("Type")
            states.append(
                State(name, state_pointer, state, language, machine, type_ if isinstance(type_, str) else "")
            )
            pending.extend(_children(state_pointer, state))
    return Tree(definition, top, machines, states)


def _children(pointer: str, state: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    children = []
    branches = state.get("Branches")
    if state.get("Type") == "Parallel" and isinstance(branches, list):
        children += [(f"{pointer}/Branches/{i}", b) for i, b in enumerate(branches) if isinstance(b, dict)]
    if state.get("Type") == "Map":
        for field in ("ItemProcessor", "Iterator"):
            body = state.get(field)
            if isinstance(body, dict):
                children.append((f"{pointer}/{field}", body))
    return children
