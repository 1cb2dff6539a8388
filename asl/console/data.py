"""What the console's pages show, read from the server's backend: the store, running executions, users.

Reads go through the store's query functions (no SQL here) and the objects the server already
shares: `backend.runtime.live` for callbacks a running execution waits for, and
`backend.runner.directory` (under its lock) for Cognito pools and users.

Diagrams are drawn, and histories read, in a worker thread, one at a time (the `limiter` the pages
hold): a big one takes a second, and the server keeps answering meanwhile.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
from markupsafe import Markup

from asl.console import layout, runs, svg
from asl.errors import DefinitionError, InputError
from asl.graph import Graph, build_graph, execution_path
from asl.model import Definition, TaskState, iter_states
from asl.store import console as console_sql
from asl.store import executions as exec_sql
from asl.store import machines as machine_sql

if TYPE_CHECKING:
    from asl.server.backend import Backend

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
#: Rows per list page, and at most this many events or state runs on an execution page.
PAGE = 100
EVENTS_SHOWN = 250
#: How many history events one query reads (the store runs one query at a time).
SLICE = 1000


async def machines(backend: Backend) -> list[dict[str, Any]]:
    """Every state machine, in creation order."""
    return await backend.db.query(machine_sql.list_machines, 0, 10_000)


async def machine(backend: Backend, name: str) -> dict[str, Any] | None:
    """One state machine by name."""
    return await backend.db.query(machine_sql.get_machine, backend.where.machine(name))


async def executions(
    backend: Backend, machine_arn: str | None, status: str | None, before: int
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of executions, newest first, and the `before` of the next page (None on the last)."""
    found = await backend.db.query(console_sql.recent_executions, machine_arn, status, before, PAGE + 1)
    if len(found) > PAGE:
        return found[:PAGE], int(found[PAGE - 1]["seq"])
    return found, None


async def counts(backend: Backend, machine_arn: str | None) -> dict[str, int]:
    """Executions by status."""
    return await backend.db.query(console_sql.status_counts, machine_arn)


async def progress(backend: Backend, arn: str) -> tuple[str, int] | None:
    """(status, events so far) of an execution."""
    return await backend.db.query(console_sql.progress, arn)


@dataclass
class Diagram:
    """A definition's diagram and what its states are (no definition when this version cannot load it)."""

    text: str
    definition: Definition | None
    #: state name -> (type, Task resource or "").
    types: dict[str, tuple[str, str]]
    problem: str = ""

    async def svg(
        self,
        limiter: anyio.CapacityLimiter,
        analysis: runs.Analysis | None = None,
        events: list[dict[str, Any]] | None = None,
    ) -> Markup:
        """The SVG, coloured by an execution's outcomes when given, drawn off the event loop."""
        if self.definition is None:
            return Markup('<p class="error">The diagram cannot be drawn: {}</p>').format(self.problem)
        work = partial(draw, self.text, self.definition, analysis, events)
        return await anyio.to_thread.run_sync(work, limiter=limiter)


#: Layouts by definition text (an execution page, polled while it runs, draws the same one again).
_LAYOUTS: dict[str, layout.Layout] = {}
_KEPT = 32
_KEEPING = threading.Lock()


def draw(
    text: str, definition: Definition, analysis: runs.Analysis | None, events: list[dict[str, Any]] | None
) -> Markup:
    """A definition's SVG, with a note when it is too big to draw in full (bounded work, any thread)."""
    graph = build_graph(definition)
    placed = _LAYOUTS.get(text)
    if placed is None:
        placed = layout.layout(graph)
        with _KEEPING:  # pages may be drawn on several worker threads
            if len(_LAYOUTS) >= _KEPT:
                _LAYOUTS.pop(next(iter(_LAYOUTS)))
            _LAYOUTS[text] = placed
    note = _note(graph, placed.detail)
    if placed.detail is layout.Detail.NONE:
        return note
    if analysis is None:
        return note + svg.render(graph, placed)
    taken: frozenset[int] = frozenset()
    if events and placed.detail is layout.Detail.FULL:
        try:
            taken = execution_path(graph, events).edges
        except InputError:  # a history the path reader cannot follow still shows its outcomes
            taken = frozenset()
    return note + svg.render(graph, placed, analysis.outcomes, analysis.counts, taken)


def _note(graph: Graph, detail: layout.Detail) -> Markup:
    """What a diagram drawn in part leaves out, and where to find it."""
    states = sum(1 for node in graph.nodes.values() if node.kind not in ("start", "end"))
    if detail is layout.Detail.STATES:
        return Markup(
            '<p class="note">The diagram shows the states only, layer by layer: {:,} states and {:,} '
            "transitions are more than the console draws (at most {:,} transitions; `asl graph` draws "
            "any size). The definition below has every transition.</p>"
        ).format(states, len(graph.edges), layout.MAX_EDGES)
    if detail is layout.Detail.NONE:
        return Markup(
            '<p class="note">The diagram is not drawn: {:,} states are more than the console draws (at most '
            "{:,}; `asl graph` draws any size). The definition below has them all.</p>"
        ).format(states, layout.MAX_NODES)
    return Markup("")


async def diagram(backend: Backend, limiter: anyio.CapacityLimiter, definition: str) -> Diagram:
    """The diagram of a definition text the server accepted (compiled on the worker thread).

    A store written by an older version may hold a definition this version refuses: its pages
    still show everything else, and say why there is no diagram.
    """
    return await anyio.to_thread.run_sync(_diagram, backend, definition, limiter=limiter)


def _diagram(backend: Backend, definition: str) -> Diagram:
    try:
        compiled = backend.compile(definition)
    except DefinitionError as exc:
        return Diagram(definition, None, {}, str(exc))
    types: dict[str, tuple[str, str]] = {}
    for state in iter_states(compiled.machine):
        resource = state.resource.raw if isinstance(state, TaskState) else ""
        types[state.name] = (state.type.value, resource)
    return Diagram(definition, compiled, types)


async def history(backend: Backend, arn: str) -> list[dict[str, Any]]:
    """An execution's whole history, read `SLICE` events a query, so the API's queries go in between."""
    events: list[dict[str, Any]] = []
    while True:
        found = await backend.db.query(
            console_sql.events_after, arn, events[-1]["id"] if events else 0, SLICE
        )
        events.extend(found)
        if len(found) < SLICE:
            return events


@dataclass
class Waiting:
    """A task waiting for SendTaskSuccess/SendTaskFailure: its token and where it waits."""

    token: str
    state: str
    resource: str


def waiting(backend: Backend, arn: str) -> list[Waiting]:
    """The callbacks a running execution waits for (task tokens and activity tasks)."""
    live = backend.runtime.live.get(arn)
    if live is None:
        return []
    found = []
    for token, waiter in list(live.execution.waiters.items()):
        if waiter.done:
            continue
        context = waiter.context
        found.append(Waiting(token, context.state_name, context.resource.raw))
    return found


@dataclass
class ExecutionView:
    """Everything an execution page shows."""

    row: dict[str, Any]
    analysis: runs.Analysis
    diagram: Markup
    waiting: list[Waiting]
    events: list[runs.EventRow]
    states: list[runs.StateRun]
    lane: str
    more_events: int | None
    total_events: int


async def execution(
    backend: Backend, limiter: anyio.CapacityLimiter, arn: str, lane: str = "", after: int = 0
) -> ExecutionView | None:
    """An execution with its history read (only `lane` and what runs inside it, when given)."""
    row = await backend.db.query(exec_sql.get_execution, arn)
    if row is None:
        return None
    events = await history(backend, arn)
    drawn = await diagram(backend, limiter, row["definition"])
    analysis = await anyio.to_thread.run_sync(
        runs.analyse, events, drawn.types, row["status"], limiter=limiter
    )
    picture = await drawn.svg(limiter, analysis, events)

    def inside(key: str) -> bool:
        return not lane or key == lane or key.startswith(lane + "/")

    shown = [e for e in analysis.events if inside(e.lane) and e.id > after]
    more = shown[EVENTS_SHOWN - 1].id if len(shown) > EVENTS_SHOWN else None
    states = [r for r in analysis.runs if inside(r.lane)][:EVENTS_SHOWN]
    return ExecutionView(
        row,
        analysis,
        picture,
        waiting(backend, arn),
        shown[:EVENTS_SHOWN],
        states,
        lane,
        more,
        len(events),
    )


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """The execution's input and output, pretty-printed."""
    return {"input": runs.pretty(row.get("input")), "output": runs.pretty(row.get("output"))}


def pretty_json(value: Any) -> str:
    """A JSON value indented for reading."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
