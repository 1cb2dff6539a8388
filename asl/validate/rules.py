"""Semantic rules: transitions, reachability, terminal states, names, error names and timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from asl.lazyre import Pattern
from asl.validate.diagnostic import Aws, Diagnostic, make
from asl.validate.shape import suggest
from asl.validate.walk import Machine, State, Tree

#: Error names the ASL predefines; any other name starting with "States." is reserved.
PREDEFINED_ERRORS = frozenset(
    {
        "States.ALL",
        "States.BranchFailed",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.Http.Socket",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
    }
)

#: "A Label ... can't contain whitespace, brackets, wildcards, special or control characters" (Map state docs).
_BAD_LABEL = Pattern(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def check_rules(tree: Tree) -> list[Diagnostic]:
    """Every semantic rule over the whole definition."""
    found: list[Diagnostic] = []
    by_machine: dict[str, list[State]] = {}
    for state in tree.states:
        by_machine.setdefault(state.machine.pointer, []).append(state)
    for machine in tree.machines:
        found += _machine_graph(machine, by_machine.get(machine.pointer, []), tree)
    found += _unique_names(tree)
    found += _labels(tree)
    for state in tree.states:
        found += _error_names(state)
        found += _heartbeat(state)
    found += _calendar(tree)
    return found


#: The last instant an ISO 8601 timestamp can name.
_LAST_TIMESTAMP = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def _calendar(tree: Tree) -> list[Diagnostic]:
    """Literal Timestamps from which the longest literal Seconds of the definition would pass year 9999."""
    waits = [s for s in tree.states if s.type == "Wait"]
    seconds = [s.body["Seconds"] for s in waits if isinstance(s.body.get("Seconds"), int)]
    longest = max([0, *(n for n in seconds if not isinstance(n, bool) and 0 <= n <= 99999999)])
    found = []
    if waits:
        from asl.choice import parse_timestamp  # loaded when a Wait state needs it
    for state in waits:
        moment = parse_timestamp(state.body.get("Timestamp"))
        if moment is None or moment.tzinfo is None:
            continue
        if moment > _LAST_TIMESTAMP - timedelta(seconds=longest):
            found.append(
                make(
                    "WAIT_PAST_CALENDAR",
                    f"Waiting until {state.body['Timestamp']} and then {longest} seconds (the longest Wait here) "
                    "goes past 9999-12-31T23:59:59Z, the last time a timestamp can name; an execution "
                    "lasts at most a year, so wait for a time within it",
                    f"{state.pointer}/Timestamp",
                )
            )
    return found


def _names(machine: Machine) -> set[str]:
    raw = machine.body.get("States")
    return set(raw) if isinstance(raw, dict) else set()


def transitions(state: State) -> Iterator[tuple[str, str]]:
    """Every (target state name, pointer of the field naming it) of one state."""
    body, pointer = state.body, state.pointer
    if isinstance(body.get("Next"), str):
        yield body["Next"], f"{pointer}/Next"
    if state.type == "Choice":
        if isinstance(body.get("Default"), str):
            yield body["Default"], f"{pointer}/Default"
        yield from _listed(body.get("Choices"), f"{pointer}/Choices")
    yield from _listed(body.get("Catch"), f"{pointer}/Catch")


def _listed(items: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("Next"), str):
                yield item["Next"], f"{pointer}/{i}/Next"


def _where(machine: Machine) -> str:
    if not machine.pointer:
        return "the state machine"
    return "this Parallel branch" if "/Branches/" in machine.pointer else "this Map's ItemProcessor"


def _missing(target: str, pointer: str, field: str, machine: Machine, tree: Tree) -> Diagnostic:
    names = sorted(_names(machine))
    elsewhere = any(s.name == target for s in tree.states)
    if elsewhere:
        hint = "; that state belongs to another machine, and a branch or Map body can only move between its own states"
    else:
        hint = (
            suggest(target, names)
            or f"; the states here are {', '.join(repr(n) for n in names[:10]) or 'none'}"
        )
    # AWS says "Next" for every kind of transition (StartAt, Default, a Choice rule's or a catcher's Next).
    return make(
        "MISSING_TRANSITION_TARGET",
        f"{field} names '{target}', which is not a state of {_where(machine)}{hint}",
        pointer,
        Aws("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", pointer),
    )


def _machine_graph(machine: Machine, mine: list[State], tree: Tree) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    names = _names(machine)
    edges: dict[str, list[str]] = {}
    broken: set[str] = set()
    for state in mine:
        edges[state.name] = []
        if state.type not in ("Choice", "Succeed", "Fail") and not isinstance(state.body.get("Next"), str):
            broken.add(state.name)  # its missing transition is a shape error already; do not pile on
        for target, pointer in transitions(state):
            if target in names:
                edges[state.name].append(target)
            else:
                broken.add(state.name)
                found.append(_missing(target, pointer, pointer.rsplit("/", 1)[-1], machine, tree))
    start = machine.start_at
    if isinstance(start, str) and start not in names:
        found.append(_missing(start, f"{machine.pointer}/StartAt", "StartAt", machine, tree))
    if not mine:
        return found
    terminal = {s.name for s in mine if s.type in ("Succeed", "Fail") or s.body.get("End") is True}
    if not terminal and not machine.pointer:
        # AWS checks for a terminal state only at the top level, then skips the reachability walk
        # (measured: floci PR #2786's table of ValidateStateMachineDefinition answers).
        found.append(
            make(
                "MISSING_END_STATE",
                f'No state of {_where(machine)} ends the execution: give the last state "End": true, '
                "or add a Succeed or Fail state",
                f"{machine.pointer}/States",
                Aws("MISSING_END_STATE", "Workflow has no terminal state", None),
            )
        )
        return found
    reached = _closure([start], edges) if isinstance(start, str) and start in edges else set()
    for state in mine:
        if state.name not in reached:
            found.append(
                make(
                    "MISSING_TRANSITION_TARGET",
                    f'State "{state.name}" is not reachable: no StartAt, Next, Default, Choice rule or Catch '
                    "leads to it; link it from another state or remove it",
                    state.pointer,
                    Aws(
                        "MISSING_TRANSITION_TARGET", f'State "{state.name}" is not reachable.', state.pointer
                    ),
                )
            )
    if terminal and reached:
        found += _endless(mine, edges, terminal | broken, reached)
    return found


def _closure(starts: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen = set(starts)
    stack = list(starts)
    while stack:
        for target in edges.get(stack.pop(), []):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _endless(
    mine: list[State], edges: dict[str, list[str]], ends: set[str], reached: set[str]
) -> list[Diagnostic]:
    """States from which no path reaches an end: one warning per machine, at the first such state."""
    can_end = set(ends)
    can_end |= {s.name for s in mine if s.type == "Choice" and "Default" not in s.body}
    reverse: dict[str, list[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    can_end = _closure(list(can_end), reverse)
    stuck = [s for s in mine if s.name in reached and s.name not in can_end]
    if not stuck:
        return []
    listed = ", ".join(f"'{s.name}'" for s in stuck[:5]) + (", ..." if len(stuck) > 5 else "")
    return [
        make(
            "NO_PATH_TO_END",
            f"The execution can never end once it reaches {listed}: no path from there leads to a Succeed, "
            'Fail or "End": true state; add a Choice rule or Catch that leads out of the loop',
            stuck[0].pointer,
        )
    ]


def _unique_names(tree: Tree) -> list[Diagnostic]:
    first: dict[str, str] = {}
    found = []
    for state in tree.states:
        if state.name in first:
            found.append(
                make(
                    "DUPLICATE_STATE_NAME",
                    f"State name '{state.name}' is already used at {first[state.name]}; state names must be "
                    "unique across the whole definition, including Parallel branches and Map bodies: rename one",
                    state.pointer,
                    Aws("DUPLICATE_STATE_NAME", f"Duplicate State name: {state.name}", state.pointer),
                )
            )
        else:
            first[state.name] = state.pointer
    return found


def _labels(tree: Tree) -> list[Diagnostic]:
    first: dict[str, str] = {}
    found = []
    for state in tree.states:
        label = state.body.get("Label")
        if state.type != "Map" or not isinstance(label, str):
            continue
        pointer = f"{state.pointer}/Label"
        if len(label) > 40 or _BAD_LABEL.search(label) or not label:
            found.append(
                make(
                    "INVALID_LABEL_NAME",
                    f"Label '{label}' is not valid: use 1 to 40 characters without whitespace, brackets, "
                    "wildcards (? *), quotes or any of # % \\ ^ | ~ ` $ & , ; : /",
                    pointer,
                )
            )
        elif label in first:
            found.append(
                make(
                    "DUPLICATE_LABEL_NAME",
                    f"Label '{label}' is already used at {first[label]}; labels must be unique",
                    pointer,
                )
            )
        else:
            first[label] = pointer
    return found


def _error_names(state: State) -> list[Diagnostic]:
    found = []
    for field in ("Retry", "Catch"):
        items = state.body.get(field)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            names = item.get("ErrorEquals") if isinstance(item, dict) else None
            if not isinstance(names, list):
                continue
            pointer = f"{state.pointer}/{field}/{i}"
            kind = "retrier" if field == "Retry" else "catcher"
            if "States.ALL" in names and len(names) > 1:
                found.append(
                    make(
                        "STATES_ALL_NOT_ALONE",
                        "States.ALL must be the only name in its ErrorEquals: it already matches every error; "
                        "remove the other names or move them to an earlier " + kind,
                        f"{pointer}/ErrorEquals",
                    )
                )
            if "States.ALL" in names and i != len(items) - 1:
                found.append(
                    make(
                        "STATES_ALL_NOT_LAST",
                        f"The {kind} with States.ALL must be the last one in {field}: the {kind}s after it "
                        "can never match; move it to the end",
                        pointer,
                    )
                )
            for j, name in enumerate(names):
                if isinstance(name, str) and name.startswith("States.") and name not in PREDEFINED_ERRORS:
                    hint = (
                        suggest(name, sorted(PREDEFINED_ERRORS))
                        or "; use a name without the 'States.' prefix"
                    )
                    found.append(
                        make(
                            "RESERVED_ERROR_NAME",
                            f"'{name}' is not a predefined error, and names starting with 'States.' are reserved{hint}",
                            f"{pointer}/ErrorEquals/{j}",
                        )
                    )
    return found


def _heartbeat(state: State) -> list[Diagnostic]:
    heartbeat, timeout = state.body.get("HeartbeatSeconds"), state.body.get("TimeoutSeconds")
    if state.type != "Task" or not isinstance(heartbeat, int) or isinstance(heartbeat, bool):
        return []
    if isinstance(timeout, int) and not isinstance(timeout, bool):
        limit = timeout
    elif "TimeoutSecondsPath" in state.body or "TimeoutSeconds" in state.body:
        return []
    else:
        limit = 99999999  # the default TimeoutSeconds
    if heartbeat < limit:
        return []
    return [
        make(
            "HEARTBEAT_NOT_BELOW_TIMEOUT",
            f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({limit}); lower it or raise TimeoutSeconds",
            f"{state.pointer}/HeartbeatSeconds",
        )
    ]
