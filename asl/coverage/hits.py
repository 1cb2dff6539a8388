"""Which elements one execution covered, read from its history and the machine model (no instrumentation).

States and transitions come from the diagram's execution path (`asl.graph.execution_path`). A Choice
rule is the first rule that holds for the Choice state's recorded input (when a rule reads what the
history does not hold, such as variables, the first rule leading to the state that came next). A
retrier is the state's first retrier matching a failure that another attempt followed; a catcher is
the first catcher matching the error that the state left through its Next.
"""

from __future__ import annotations

import json
from typing import Any

from asl.coverage.elements import KINDS, catcher_key, edge_key, retrier_key, rule_key
from asl.graph import Graph, build_graph, execution_path
from asl.io import effective_input
from asl.model import ChoiceState, Definition, MapState, ParallelState, QueryLanguage, State, iter_states
from asl.paths import Scope
from asl.retry import first_match

_FAILURES = ("Failed", "TimedOut")
_ATTEMPTS = ("LambdaFunctionScheduled", "TaskScheduled", "ActivityScheduled")


def hits(
    definition: Definition, events: list[dict[str, Any]], graph: Graph | None = None
) -> dict[str, list[str]]:
    """The covered elements of each kind (see `asl.coverage.elements`) of the execution `events` record."""
    graph = graph or build_graph(definition)
    path = execution_path(graph, events)
    names = {node_id: name for name, node_id in graph.state_ids.items()}
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    found["states"] = {names[n] for n in path.visited if n in names}
    found["transitions"] = {
        edge_key(graph, graph.edges[i]) for i in path.edges if graph.edges[i].kind != "branch"
    }
    states = {s.name: s for s in iter_states(definition.machine)}
    following = _children(events)
    variables: dict[str, Any] = {}
    for event in events:
        if event["type"].endswith("StateExited"):
            _learn(variables, event)
        if not event["type"].endswith("StateEntered"):
            continue
        state = states.get(event.get("stateEnteredEventDetails", {}).get("name"))
        if state is None:
            continue
        visit = _visit(event, following)
        after = _next_state(visit, following)
        if isinstance(state, ChoiceState):
            rule = _rule(state, event, after, variables)
            if rule is not None:
                found["rules"].add(rule)
        _errors(state, visit, after, found)
    return {kind: sorted(found[kind]) for kind in KINDS}


def _children(events: list[dict[str, Any]]) -> dict[Any, list[dict[str, Any]]]:
    children: dict[Any, list[dict[str, Any]]] = {}
    for event in events:
        children.setdefault(event.get("previousEventId"), []).append(event)
    return children


def _visit(entered: dict[str, Any], following: dict[Any, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The events of one state visit, from its Entered to its Exited (following previousEventId)."""
    visit = [entered]
    current = entered
    while not current["type"].endswith("StateExited"):
        children = [
            c
            for c in following.get(current.get("id"), [])
            if not c["type"].startswith(("MapIteration", "Parallel"))
        ]
        nested = [c for c in children if not c["type"].endswith("StateEntered")]
        if not nested:
            break
        current = nested[-1] if current["type"] in ("MapStateStarted", "ParallelStateStarted") else nested[0]
        visit.append(current)
    return visit


def _next_state(visit: list[dict[str, Any]], following: dict[Any, list[dict[str, Any]]]) -> str | None:
    last = visit[-1]
    if not last["type"].endswith("StateExited"):
        return None
    for child in following.get(last.get("id"), []):
        if child["type"].endswith("StateEntered"):
            name = child.get("stateEnteredEventDetails", {}).get("name")
            return name if isinstance(name, str) else None
    return None


def _learn(variables: dict[str, Any], exited: dict[str, Any]) -> None:
    """Variables an Exited event says its state assigned (as AWS records them: JSON text per name)."""
    assigned = exited.get("stateExitedEventDetails", {}).get("assignedVariables")
    if isinstance(assigned, dict):
        for name, text in assigned.items():
            try:
                variables[name] = json.loads(text)
            except (TypeError, ValueError):
                variables.pop(name, None)


def _rule(
    state: ChoiceState, entered: dict[str, Any], after: str | None, variables: dict[str, Any]
) -> str | None:
    """The Choice rule this visit took."""
    try:
        raw = json.loads(entered["stateEnteredEventDetails"]["input"])
        scope = Scope(raw, None, dict(variables))
        if state.query_language is not QueryLanguage.JSONATA:
            scope = Scope(effective_input(state, raw, scope), None, dict(variables))
        for index, rule in enumerate(state.choices):
            if rule.test(scope):
                if after is None or rule.next == after:
                    return rule_key(state.name, index)
                break
        else:
            if after is None or after == state.default:
                return rule_key(state.name, None) if state.default is not None else None
    except Exception:
        pass
    if after is None:
        return None
    leading = next((i for i, rule in enumerate(state.choices) if rule.next == after), None)
    if leading is not None:
        return rule_key(state.name, leading)
    return rule_key(state.name, None) if after == state.default else None


def _errors(state: State, visit: list[dict[str, Any]], after: str | None, found: dict[str, set[str]]) -> None:
    """Retriers used and the catcher taken in one visit."""
    last_error: str | None = None
    for position, event in enumerate(visit):
        kind = event["type"]
        if not kind.endswith(_FAILURES) or kind.endswith(("StateFailed", "IterationFailed")):
            continue
        details = next(
            (v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {}
        )
        error = details.get("error", "States.Timeout" if kind.endswith("TimedOut") else "")
        last_error = error
        retried = any(e["type"] in _ATTEMPTS for e in visit[position + 1 :])
        retrier = first_match(error, state.retry)
        if retried and retrier is not None:
            found["retriers"].add(retrier_key(state.name, retrier))
    if after is None or not state.catch or after == state.next:
        return
    index = first_match(last_error, state.catch) if last_error is not None else None
    if index is None or state.catch[index].next != after:
        if isinstance(state, MapState | ParallelState) or last_error is None:
            index = next((i for i, c in enumerate(state.catch) if c.next == after), None)
        else:
            index = None
    if index is not None:
        found["catchers"].add(catcher_key(state.name, index))
