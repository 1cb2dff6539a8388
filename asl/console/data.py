"""What the console's pages show, read from the server's backend: the store, running executions, users.

Reads go through the store's query functions (no SQL here) and the objects the server already
shares: `backend.runtime.live` for callbacks a running execution waits for, and
`backend.runner.directory` (under its lock) for Cognito pools and users.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from markupsafe import Markup

from asl.console import layout, runs, svg
from asl.errors import DefinitionError, InputError
from asl.graph import Graph, build_graph, execution_path
from asl.model import TaskState, iter_states
from asl.store import console as console_sql
from asl.store import executions as exec_sql
from asl.store import machines as machine_sql

if TYPE_CHECKING:
    from asl.server.backend import Backend

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
#: Rows per list page, and at most this many events or state runs on an execution page.
PAGE = 100
EVENTS_SHOWN = 250


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
    """A definition's diagram and what its states are (no graph when this version cannot load it)."""

    graph: Graph | None
    #: state name -> (type, Task resource or "").
    types: dict[str, tuple[str, str]]
    problem: str = ""
    #: The layout, or why there is none (made once per definition text: see `_LAYOUTS`).
    placed: layout.Layout | layout.TooLarge | None = None

    def svg(
        self, analysis: runs.Analysis | None = None, events: list[dict[str, Any]] | None = None
    ) -> Markup:
        """The SVG, coloured by an execution's outcomes when given."""
        if self.graph is None:
            return Markup('<p class="error">The diagram cannot be drawn: {}</p>').format(self.problem)
        placed = self.placed
        if isinstance(placed, layout.TooLarge) or placed is None:
            return Markup('<p class="note">The diagram is not drawn: {}.</p>').format(placed)
        if analysis is None:
            return svg.render(self.graph, placed)
        taken: frozenset[int] = frozenset()
        if events:
            try:
                taken = execution_path(self.graph, events).edges
            except InputError:  # a history the path reader cannot follow still shows its outcomes
                taken = frozenset()
        return svg.render(self.graph, placed, analysis.outcomes, analysis.counts, taken)


#: Layouts by definition text (an execution page, polled while it runs, draws the same one again).
_LAYOUTS: dict[str, layout.Layout | layout.TooLarge] = {}
_KEPT = 32
_KEEPING = threading.Lock()


async def diagram(backend: Backend, definition: str) -> Diagram:
    """The diagram of a definition text the server accepted, laid out (on a worker thread).

    Laying out a large definition takes a while: the thread keeps the server's other requests
    going, and `asl.console.layout` bounds the cost. A store written by an older version may hold
    a definition this version refuses: its pages still show everything else, and say why there is
    no diagram.
    """
    return await anyio.to_thread.run_sync(_diagram, backend, definition)


def _diagram(backend: Backend, definition: str) -> Diagram:
    try:
        compiled = backend.compile(definition)
    except DefinitionError as exc:
        return Diagram(None, {}, str(exc))
    types: dict[str, tuple[str, str]] = {}
    for state in iter_states(compiled.machine):
        resource = state.resource.raw if isinstance(state, TaskState) else ""
        types[state.name] = (state.type.value, resource)
    graph = build_graph(compiled)
    placed = _LAYOUTS.get(definition)
    if placed is None:
        try:
            placed = layout.layout(graph)
        except layout.TooLarge as exc:
            placed = exc
        with _KEEPING:  # pages are drawn on several worker threads
            if len(_LAYOUTS) >= _KEPT:
                _LAYOUTS.pop(next(iter(_LAYOUTS)))
            _LAYOUTS[definition] = placed
    return Diagram(graph, types, placed=placed)


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


async def execution(backend: Backend, arn: str, lane: str = "", after: int = 0) -> ExecutionView | None:
    """An execution with its history read (only `lane` and what runs inside it, when given)."""
    row = await backend.db.query(exec_sql.get_execution, arn)
    if row is None:
        return None
    events = await backend.db.query(exec_sql.all_events, arn)
    drawn = await diagram(backend, row["definition"])
    analysis = runs.analyse(events, drawn.types, row["status"])
    picture = await anyio.to_thread.run_sync(drawn.svg, analysis, events)

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
