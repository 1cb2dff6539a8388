"""What a definition can cover: states, transitions (the diagram's edges), Choice rules, retriers, catchers.

Element keys are plain, JSON-friendly strings so coverage data from many runs merges by equality:
a state is its name (unique in a definition), a transition `A -> B` (`start -> A`, `A -> end`, with
` [catch States.ALL]` or ` [Default]` when that is the kind), a Choice rule `State #1` (1-based) or
`State Default`, a retrier `State Retry #1`, a catcher `State Catch #1`.
"""

from __future__ import annotations

from dataclasses import dataclass

from asl.graph import Edge, Graph, build_graph
from asl.model import ChoiceState, Definition, State, iter_states

KINDS = ("states", "transitions", "rules", "retriers", "catchers")


@dataclass(frozen=True)
class Elements:
    """Every coverable element of one definition, by kind, in definition order."""

    states: tuple[str, ...]
    transitions: tuple[str, ...]
    rules: tuple[str, ...]
    retriers: tuple[str, ...]
    catchers: tuple[str, ...]

    def of(self, kind: str) -> tuple[str, ...]:
        """The elements of one kind."""
        found: tuple[str, ...] = getattr(self, kind)
        return found


def edge_key(graph: Graph, edge: Edge) -> str:
    """`A -> B`, with the edge's kind when it is a Default or Catch edge."""
    names = {node_id: name for name, node_id in graph.state_ids.items()}
    source = names.get(edge.source, graph.nodes[edge.source].kind)
    target = names.get(edge.target, graph.nodes[edge.target].kind)
    key = f"{source} -> {target}"
    if edge.kind == "catch":
        return f"{key} [catch {edge.label}]"
    if edge.kind == "default":
        return f"{key} [Default]"
    if edge.kind == "choice":
        return f"{key} [{edge.label}]"
    return key


def rule_key(state: str, index: int | None) -> str:
    """`State #n` (1-based), or `State Default`."""
    return f"{state} Default" if index is None else f"{state} #{index + 1}"


def retrier_key(state: str, index: int) -> str:
    """`State Retry #n` (1-based)."""
    return f"{state} Retry #{index + 1}"


def catcher_key(state: str, index: int) -> str:
    """`State Catch #n` (1-based)."""
    return f"{state} Catch #{index + 1}"


def _ordered(definition: Definition) -> list[State]:
    """States in the order they are written (iter_states walks nested machines last-first)."""
    order = {name: i for i, name in enumerate(_names(definition.raw))}
    return sorted(iter_states(definition.machine), key=lambda s: order.get(s.name, len(order)))


def _names(raw: object) -> list[str]:
    found: list[str] = []
    if isinstance(raw, dict):
        states = raw.get("States")
        if isinstance(states, dict):
            for name, body in states.items():
                found.append(name)
                if isinstance(body, dict):
                    for branch in body.get("Branches") or []:
                        found += _names(branch)
                    found += _names(body.get("ItemProcessor") or body.get("Iterator"))
    return found


def elements(definition: Definition, graph: Graph | None = None) -> Elements:
    """Every coverable element of `definition`."""
    graph = graph or build_graph(definition)
    states = _ordered(definition)
    rules: list[str] = []
    for state in states:
        if isinstance(state, ChoiceState):
            rules += [rule_key(state.name, i) for i in range(len(state.choices))]
            if state.default is not None:
                rules.append(rule_key(state.name, None))
    return Elements(
        states=tuple(s.name for s in states),
        transitions=tuple(dict.fromkeys(edge_key(graph, e) for e in graph.edges if e.kind != "branch")),
        rules=tuple(rules),
        retriers=tuple(retrier_key(s.name, i) for s in states for i in range(len(s.retry))),
        catchers=tuple(catcher_key(s.name, i) for s in states for i in range(len(s.catch))),
    )
