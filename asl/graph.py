"""State machine diagrams: a definition as Mermaid or Graphviz DOT, optionally with an execution's path.

`build_graph` turns a loaded `Definition` into a small graph model (nodes, labelled edges, nested
clusters for Parallel branches and Map processors); `to_mermaid` and `to_dot` render it.
`execution_path` reads a history (`history_events` accepts GetExecutionHistory pages) and says which
states were visited, which edges were taken and which states failed. A state failed when it exited
through a Catch, or when it was entered and never exited in an execution that ended (not aborted).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from asl.errors import InputError
from asl.model import ChoiceState, Definition, Machine, MapState, ParallelState, State, StateType

_LABEL_LIMIT = 80
_TERMINAL = (StateType.SUCCEED, StateType.FAIL)
_ENDED = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut"})
_NOT_A_FAILURE = frozenset({"MapIterationFailed", "ExecutionFailed", "ExecutionTimedOut"})
_OPERATORS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_TYPE_TESTS = {"IsNull": "null", "IsPresent": "present", "IsNumeric": "numeric", "IsString": "a string",
               "IsBoolean": "a boolean", "IsTimestamp": "a timestamp"}  # fmt: skip
_RULE_EXTRAS = frozenset({"Variable", "Next", "Comment", "Assign", "Output"})


@dataclass(frozen=True, slots=True)
class Node:
    """A state (label = its real name) or a start/end marker; `kind` is the state type, 'start' or 'end'."""

    id: str
    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class Edge:
    """A transition; `kind` is next, choice, default, catch, branch, start or end."""

    source: str
    target: str
    label: str = ""
    kind: str = "next"


@dataclass(frozen=True, slots=True)
class Cluster:
    """A subgraph: a Parallel state's branches, one branch, or a Map state's processor."""

    id: str
    label: str
    members: tuple[str | Cluster, ...]


@dataclass(frozen=True, slots=True)
class Graph:
    """A diagram of a definition: nodes by id, edges in drawing order, and the nesting of clusters."""

    members: tuple[str | Cluster, ...]
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    #: state name -> node id; state name -> its machine (scope) key.
    state_ids: dict[str, str]
    scopes: dict[str, str]
    #: index of the edge into a machine's StartAt (from the start marker or the Parallel/Map node).
    entries: dict[str, int]
    #: index of a state's edge to its machine's end marker.
    ends: dict[str, int]


@dataclass(frozen=True, slots=True)
class Highlight:
    """The path of one execution: visited and failed node ids, and indices of the edges taken."""

    visited: frozenset[str] = frozenset()
    failed: frozenset[str] = frozenset()
    edges: frozenset[int] = frozenset()


def build_graph(definition: Definition) -> Graph:
    """The diagram of a loaded definition; Choice labels are read from `definition.raw`."""
    builder = _Builder()
    builder.nodes["n_start"] = Node("n_start", "start", "start")
    members: list[str | Cluster] = ["n_start"]
    members += builder.machine(definition.machine, definition.raw, "", "n_start", "n_end")
    return Graph(
        tuple(members),
        builder.nodes,
        tuple(builder.edges),
        builder.ids,
        builder.scopes,
        builder.entries,
        builder.ends,
    )


@dataclass
class _Builder:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    scopes: dict[str, str] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)
    ends: dict[str, int] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def unique(self, prefix: str, name: str) -> str:
        base = prefix + re.sub(r"[^0-9A-Za-z_]", "_", name)[:40]
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}_{n}"
        self.used.add(candidate)
        return candidate

    def edge(self, edge: Edge) -> int:
        self.edges.append(edge)
        return len(self.edges) - 1

    def machine(self, machine: Machine, raw: Any, scope: str, entry: str, end: str) -> list[str | Cluster]:
        raw_states = raw.get("States") if isinstance(raw, dict) else None
        raw_states = raw_states if isinstance(raw_states, dict) else {}
        for name in machine.states:
            self.ids[name] = self.unique("s_", name)
            self.scopes[name] = scope
        if machine.start_at in self.ids:
            kind = "start" if entry == "n_start" else "branch"
            self.entries[machine.start_at] = self.edge(Edge(entry, self.ids[machine.start_at], kind=kind))
        for name, state in machine.states.items():
            self.transitions(state, raw_states.get(name), end)
        members: list[str | Cluster] = []
        for name, state in machine.states.items():
            node_id = self.ids[name]
            self.nodes[node_id] = Node(node_id, name, state.type.value)
            members.append(node_id)
            if isinstance(state, ParallelState | MapState):
                members.append(self.cluster(state, raw_states.get(name)))
        if end in self.nodes:
            members.append(end)
        return members

    def transitions(self, state: State, raw: Any, end: str) -> None:
        source = self.ids[state.name]
        if isinstance(state, ChoiceState):
            rules = raw.get("Choices") if isinstance(raw, dict) else None
            for i, rule in enumerate(state.choices):
                text = (
                    describe_rule(rules[i]) if isinstance(rules, list) and i < len(rules) else f"rule {i + 1}"
                )
                self.edge(Edge(source, self.ids[rule.next], _shorten(text), "choice"))
            if state.default is not None:
                self.edge(Edge(source, self.ids[state.default], "Default", "default"))
        elif state.next is not None:
            self.edge(Edge(source, self.ids[state.next]))
        elif state.end or state.type in _TERMINAL:
            self.nodes.setdefault(end, Node(end, "end", "end"))
            self.ends[state.name] = self.edge(Edge(source, end, kind="end"))
        for catcher in state.catch:
            label = _shorten(", ".join(catcher.error_equals))
            self.edge(Edge(source, self.ids[catcher.next], label, "catch"))

    def cluster(self, state: ParallelState | MapState, raw: Any) -> Cluster:
        raw = raw if isinstance(raw, dict) else {}
        cluster_id = self.unique("c_", state.name)
        owner = self.ids[state.name]
        if isinstance(state, MapState):
            body = raw.get("ItemProcessor", raw.get("Iterator"))
            members = self.machine(state.processor, body, cluster_id, owner, f"n_end_{cluster_id}")
            return Cluster(cluster_id, f"{state.name} (Map)", tuple(members))
        raw_branches = raw.get("Branches")
        branches = []
        for i, branch in enumerate(state.branches):
            body = raw_branches[i] if isinstance(raw_branches, list) and i < len(raw_branches) else None
            branch_id = self.unique(f"{cluster_id}_b{i + 1}", "")
            members = self.machine(branch, body, branch_id, owner, f"n_end_{branch_id}")
            branches.append(Cluster(branch_id, f"Branch {i + 1}", tuple(members)))
        return Cluster(cluster_id, f"{state.name} (Parallel)", tuple(branches))


def describe_rule(rule: Any) -> str:
    """A short text for a Choice rule: `$.age < 18`, `$.name matches "A*"`, `And(...)`, or JSONata text."""
    if not isinstance(rule, dict):
        return json.dumps(rule, ensure_ascii=False)
    if "Condition" in rule:
        condition = rule["Condition"]
        if not isinstance(condition, str):
            return json.dumps(condition)
        text = condition.strip()
        return text[2:-2].strip() if text.startswith("{%") and text.endswith("%}") else text
    for combinator in ("And", "Or"):
        if isinstance(rule.get(combinator), list):
            return f"{combinator}({', '.join(describe_rule(r) for r in rule[combinator])})"
    if "Not" in rule:
        return f"Not({describe_rule(rule['Not'])})"
    variable = str(rule.get("Variable", "?"))
    for op, operand in rule.items():
        if op not in _RULE_EXTRAS:
            return _comparison(variable, op, operand)
    return variable


def _comparison(variable: str, op: str, operand: Any) -> str:
    if op in _TYPE_TESTS:
        return f"{variable} is {'' if operand is True else 'not '}{_TYPE_TESTS[op]}"
    if op == "StringMatches":
        return f"{variable} matches {json.dumps(operand, ensure_ascii=False)}"
    by_path = op.endswith("Path")
    base = op[:-4] if by_path else op
    kind = next((k for k in ("String", "Numeric", "Boolean", "Timestamp") if base.startswith(k)), "")
    symbol = _OPERATORS.get(base[len(kind) :]) if kind else None
    value = str(operand) if by_path else json.dumps(operand, ensure_ascii=False)
    return f"{variable} {symbol} {value}" if symbol else f"{variable} {op} {value}"


def _shorten(text: str) -> str:
    return text if len(text) <= _LABEL_LIMIT else text[: _LABEL_LIMIT - 1] + "…"


def history_events(document: Any) -> list[dict[str, Any]]:
    """The events of `{"events": [...]}`, of AWS CLI pages (a list of those), or of a bare event list."""
    pages = document if isinstance(document, list) else [document]
    events: list[Any] = []
    for page in pages:
        if isinstance(page, dict) and isinstance(page.get("events"), list):
            events.extend(page["events"])
        elif isinstance(document, list) and isinstance(page, dict) and "type" in page:
            events.append(page)
        else:
            raise InputError(
                'an execution history must be {"events": [...]} as GetExecutionHistory returns it'
            )
    for number, event in enumerate(events, 1):
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise InputError(f"history event {number} is not an object with a 'type'")
    if not events:
        raise InputError("the execution history has no events")
    if all(isinstance(e.get("id"), int) for e in events):  # pages in any order, or --reverse-order
        events = sorted({e["id"]: e for e in events}.values(), key=lambda e: int(e["id"]))
    return events


def execution_path(graph: Graph, events: list[dict[str, Any]]) -> Highlight:
    """Visited states, edges taken and failed states of the execution whose history `events` is.

    Each StateEntered is matched to the latest unmatched StateExited in the same branch with an edge
    to it (a Catch edge when a failure event came just before that exit), else to the branch's entry.
    """
    between: dict[tuple[str, str], list[int]] = {}
    for index, edge in enumerate(graph.edges):
        between.setdefault((edge.source, edge.target), []).append(index)
    visited: set[str] = set()
    failed: set[str] = set()
    taken: set[int] = set()
    open_states: Counter[str] = Counter()
    exits: dict[str, list[tuple[str, bool]]] = {}
    previous, ended = "", False
    for event in events:
        kind = event["type"]
        if kind.endswith(("StateEntered", "StateExited")):
            name = _state_name(graph, event)
            node = graph.state_ids[name]
            pending = exits.setdefault(graph.scopes[name], [])
            if kind.endswith("StateEntered"):
                visited.add(node)
                open_states[name] += 1
                taken |= _arrival(graph, between, pending, node, name, failed)
            else:
                open_states[name] -= 1
                caught = previous.endswith(("Failed", "TimedOut")) and previous not in _NOT_A_FAILURE
                if caught:
                    failed.add(node)
                if not caught and name in graph.ends:
                    taken.add(graph.ends[name])
                else:
                    pending.append((node, caught))
        ended = ended or kind in _ENDED
        previous = kind
    if ended:
        failed |= {graph.state_ids[name] for name, count in open_states.items() if count > 0}
    for index in taken:
        visited |= {graph.edges[index].source, graph.edges[index].target}
    return Highlight(frozenset(visited), frozenset(failed), frozenset(taken))


def _state_name(graph: Graph, event: dict[str, Any]) -> str:
    key = "stateEnteredEventDetails" if event["type"].endswith("Entered") else "stateExitedEventDetails"
    details = event.get(key)
    name = details.get("name") if isinstance(details, dict) else None
    if not isinstance(name, str):
        raise InputError(f"history event {event.get('id', '?')} ({event['type']}) has no {key}.name")
    if name not in graph.state_ids:
        raise InputError(
            f"the history names state {name!r}, which is not in this definition "
            "(is the history from another workflow?)"
        )
    return name


def _arrival(
    graph: Graph,
    between: dict[tuple[str, str], list[int]],
    pending: list[tuple[str, bool]],
    node: str,
    name: str,
    failed: set[str],
) -> set[int]:
    """The edges that led into `node`: from the latest pending exit with an edge to it, else the entry."""
    for i in range(len(pending) - 1, -1, -1):
        source, caught = pending[i]
        candidates = between.get((source, node))
        if not candidates:
            continue
        del pending[i]
        wanted = [c for c in candidates if (graph.edges[c].kind == "catch") == caught] or candidates
        if all(graph.edges[c].kind == "catch" for c in wanted):
            failed.add(source)
        return set(wanted)
    return {graph.entries[name]} if name in graph.entries else set()


# -- Mermaid ----------------------------------------------------------------------------------------

_MERMAID_SHAPES = {
    "start": ("((", "))"), "end": ("(((", ")))"), "Task": ("[", "]"), "Pass": ("(", ")"),
    "Choice": ("{", "}"), "Wait": ("{{", "}}"), "Succeed": ("([", "])"), "Fail": (">", "]"),
    "Parallel": ("[[", "]]"), "Map": ("[[", "]]"),
}  # fmt: skip
_MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "|": "#124;",
    "`": "#96;",
}
_VISITED = "#1b7f3b"
_FAILED = "#c62828"


def _mermaid_text(text: str) -> str:
    return "".join(_MERMAID_ESCAPES.get(ch, " " if ch < " " else ch) for ch in text)


def _flatten(members: tuple[str | Cluster, ...]) -> Iterator[str]:
    for member in members:
        if isinstance(member, Cluster):
            yield from _flatten(member.members)
        else:
            yield member


def to_mermaid(graph: Graph, highlight: Highlight | None = None) -> str:
    """A Mermaid `flowchart TD` (pastes into GitHub markdown); catches are dotted, ids are safe."""
    lines = ["flowchart TD"]

    def emit(members: tuple[str | Cluster, ...], depth: int) -> None:
        pad = "    " * depth
        for member in members:
            if isinstance(member, Cluster):
                lines.append(f'{pad}subgraph {member.id} ["{_mermaid_text(member.label)}"]')
                emit(member.members, depth + 1)
                lines.append(f"{pad}end")
            else:
                node = graph.nodes[member]
                left, right = _MERMAID_SHAPES[node.kind]
                lines.append(f'{pad}{node.id}{left}"{_mermaid_text(node.label)}"{right}')

    emit(graph.members, 1)
    for edge in graph.edges:
        arrow = "-.->" if edge.kind == "catch" else "-->"
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrow}{label} {edge.target}")
    if highlight is not None:
        lines.append(f"    classDef visited fill:#d1f0d8,stroke:{_VISITED},stroke-width:2px,color:#000")
        lines.append(f"    classDef failed fill:#f8d7da,stroke:{_FAILED},stroke-width:3px,color:#000")
        order = list(_flatten(graph.members))
        visited = [n for n in order if n in highlight.visited and n not in highlight.failed]
        failed = [n for n in order if n in highlight.failed]
        if visited:
            lines.append(f"    class {','.join(visited)} visited")
        if failed:
            lines.append(f"    class {','.join(failed)} failed")
        if highlight.edges:
            indices = ",".join(str(i) for i in sorted(highlight.edges))
            lines.append(f"    linkStyle {indices} stroke:{_VISITED},stroke-width:3px")
    return "\n".join(lines) + "\n"


# -- DOT --------------------------------------------------------------------------------------------

_DOT_SHAPES = {
    "start": "shape=circle, width=0.4, fontsize=9", "end": "shape=doublecircle, width=0.3, fontsize=9",
    "Task": "shape=box", "Pass": "shape=box", "Choice": "shape=diamond", "Wait": "shape=hexagon",
    "Succeed": "shape=oval", "Fail": "shape=octagon", "Parallel": "shape=box3d", "Map": "shape=box3d",
}  # fmt: skip
_DOT_MARKS = {"visited": ("#d1f0d8", _VISITED, 2), "failed": ("#f8d7da", _FAILED, 3)}


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'


def to_dot(graph: Graph, highlight: Highlight | None = None) -> str:
    """A Graphviz digraph; Parallel branches and Map processors are nested clusters, catches dashed."""
    marks = highlight or Highlight()
    lines = [
        "digraph state_machine {",
        "    rankdir=TB;",
        '    graph [fontname="Helvetica", fontsize=10];',
        '    node [fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]

    def emit(members: tuple[str | Cluster, ...], depth: int) -> None:
        pad = "    " * depth
        for member in members:
            if isinstance(member, Cluster):
                lines.append(f"{pad}subgraph cluster_{member.id} {{")
                lines.append(
                    f'{pad}    label={_dot_text(member.label)}; style="rounded,dashed"; color="#888888";'
                )
                emit(member.members, depth + 1)
                lines.append(f"{pad}}}")
            else:
                node = graph.nodes[member]
                styles = ["rounded"] if node.kind == "Pass" else []
                mark = "failed" if node.id in marks.failed else "visited" if node.id in marks.visited else ""
                attrs = f"label={_dot_text(node.label)}, {_DOT_SHAPES[node.kind]}"
                if mark:
                    fill, colour, width = _DOT_MARKS[mark]
                    styles.append("filled")
                    attrs += f', fillcolor="{fill}", color="{colour}", penwidth={width}'
                if styles:
                    attrs += f', style="{",".join(styles)}"'
                lines.append(f"{pad}{node.id} [{attrs}];")

    emit(graph.members, 1)
    for index, edge in enumerate(graph.edges):
        attrs = []
        if edge.label:
            attrs.append(f"label={_dot_text(edge.label)}")
        if edge.kind == "catch":
            attrs.append("style=dashed")
        if index in marks.edges:
            attrs.append(f'color="{_VISITED}", penwidth=3')
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"    {edge.source} -> {edge.target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
