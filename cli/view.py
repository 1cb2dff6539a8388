"""What `asl run --output text` shows: a live table of states while the execution runs, then a summary.

The live table is cheap: each history event only updates a few counters, and the screen is redrawn at
most `REFRESH_PER_SECOND` times, so a 100,000-item Map runs nearly as fast as with `--output json`. The
final table is computed from the whole history, whose `previousEventId` ties every event to its state:
each state shows how often it was entered, how many retries it took, and how it ended (succeeded,
caught, failed, aborted, timed out).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cli.app import App

REFRESH_PER_SECOND = 8
#: Outputs longer than this are printed as plain JSON (syntax highlighting is slow on large documents).
HIGHLIGHT_LIMIT = 64 * 1024
#: Up to this many history events, the final table is computed from the whole history (about 0.3 s for
#: 25,000 events, AWS's quota); past it, from the live counters, without retries and caught errors.
FULL_TABLE_EVENTS = 30_000
_ENDED = {"ABORTED": "aborted", "TIMED_OUT": "timed out", "SUCCEEDED": "succeeded"}
#: How many states the table shows (the most recent ones).
ROWS = 30
_ATTEMPTS = frozenset({"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"})
#: A Parallel or Map state starts its work once per attempt.
_STARTED = {"ParallelStateStarted": "Parallel", "MapStateStarted": "Map"}
_STYLE = {
    "running": "yellow",
    "succeeded": "green",
    "caught": "magenta",
    "failed": "red",
    "timed out": "red",
    "aborted": "yellow",
}


@dataclass
class Row:
    """One state in the table."""

    type: str
    entered: int = 0
    status: str = "running"
    retries: int = 0
    done: int = 0
    total: int | None = None


class LiveView:
    """A live table of states as they run; it appears with the first state, so a pre-run error prints alone."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.rows: dict[str, Row] = {}
        self.live: Any = None
        self._last_map: str | None = None

    def __enter__(self) -> LiveView:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)

    def _start(self) -> None:
        from rich.live import Live

        self.live = Live(
            console=self.app.out,
            get_renderable=lambda: table(self.rows),
            refresh_per_second=REFRESH_PER_SECOND,
            transient=True,
        )
        self.live.__enter__()

    def pause(self) -> None:
        """Stop redrawing while the terminal asks a question."""
        if self.live is not None:
            self.live.stop()

    def resume(self) -> None:
        """Redraw again after a question."""
        if self.live is not None:
            self.live.start()

    def finish(self, result: Any) -> None:
        """Stop the live display, then print the final table once (see `final_rows`)."""
        if self.live is not None:
            self.live.__exit__(None, None, None)
            self.live = None
        if len(result.event_types) <= FULL_TABLE_EVENTS:
            rows = final_rows(result.history, result.status)
        else:
            rows = self.rows
            ended = _ENDED.get(result.status, "failed")
            for row in rows.values():
                row.status = (
                    "succeeded" if row.status == "done" else ended if row.status == "running" else row.status
                )
        if rows:
            self.app.out.print(table(rows))
            if rows is self.rows:
                self.app.out.print(
                    f"(over {FULL_TABLE_EVENTS:,} history events: retries and caught errors are not shown; "
                    "see --history)",
                    highlight=False,
                )

    def event(self, event_type: str, details: dict[str, Any] | None) -> None:
        """A history event: update the counters (the display refreshes on its own)."""
        name = details.get("name") if details else None
        if event_type.endswith("StateEntered") and isinstance(name, str):
            if self.live is None:
                self._start()
            row = self.rows.get(name)
            if row is None:
                row = self.rows[name] = Row(event_type[: -len("StateEntered")])
            row.entered += 1
            row.status = "running"
            if row.type == "Map":
                self._last_map = name
        elif event_type.endswith("StateExited") and isinstance(name, str) and name in self.rows:
            self.rows[name].status = "done"
        elif event_type == "MapStateStarted" and self._last_map in self.rows and details:
            self.rows[self._last_map].done = 0
            self.rows[self._last_map].total = details.get("length")
        elif (
            event_type.startswith("MapIteration")
            and not event_type.endswith("Started")
            and isinstance(name, str)
            and name in self.rows
        ):
            self.rows[name].done += 1


def table(rows: dict[str, Row]) -> Any:
    """The rich Table of (the last `ROWS`) states."""
    from rich.table import Table

    grid = Table(title="states", show_edge=False, expand=False)
    for column in ("state", "type", "entered", "retries", "status"):
        grid.add_column(column)
    for name, row in list(dict(rows).items())[-ROWS:]:
        status = row.status
        if row.total is not None:
            status = f"{status} {row.done:,}/{row.total:,}"
        style = _STYLE.get(row.status, "green")
        grid.add_row(name, row.type, f"{row.entered:,}", str(row.retries or ""), f"[{style}]{status}[/]")
    return grid


def final_rows(events: list[dict[str, Any]], status: str) -> dict[str, Row]:
    """Each state's row from the whole history: entries, retries and how its last entry ended.

    An event belongs to the state entered on its `previousEventId` chain; a state's attempts are its
    TaskScheduled (or ParallelStateStarted, MapStateStarted) events, so retries are attempts minus one.
    """
    rows: dict[str, Row] = {}
    entry_of: dict[int, int] = {}  # event id -> id of the StateEntered event it belongs to
    name_of: dict[int, str] = {}  # StateEntered id -> state name
    last_entry: dict[str, int] = {}
    attempts: dict[int, int] = {}
    outcome: dict[int, str] = {}
    types = {event["id"]: event["type"] for event in events}
    for event in events:
        kind, event_id = event["type"], event["id"]
        details = next(
            (v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {}
        )
        if kind.endswith("StateEntered"):
            name = details.get("name", "?")
            row = rows.get(name) or rows.setdefault(name, Row(kind[: -len("StateEntered")]))
            row.entered += 1
            entry_of[event_id] = event_id
            name_of[event_id] = name
            last_entry[name] = event_id
            outcome[event_id] = "failed" if row.type == "Fail" else "running"
            continue
        if kind.startswith("MapIteration") and not kind.endswith("Started"):
            map_row = rows.get(details.get("name", ""))
            if map_row is not None:
                map_row.done += 1
        exited = last_entry.get(details.get("name", "")) if kind.endswith("StateExited") else None
        if exited is not None:
            entry = entry_of[event_id] = exited
            before = types.get(event.get("previousEventId", 0), "")
            failed = before.endswith(("Failed", "TimedOut")) and not before.startswith("MapIteration")
            outcome[entry] = "caught" if failed else "succeeded"
            continue
        owner = entry_of.get(event.get("previousEventId", 0))
        if owner is None:
            continue
        entry = entry_of[event_id] = owner
        if kind in _ATTEMPTS or (kind in _STARTED and rows[name_of[entry]].type == _STARTED[kind]):
            attempts[entry] = attempts.get(entry, 0) + 1
            if kind == "MapStateStarted":
                row = rows[name_of[entry]]
                row.done, row.total = 0, details.get("length")
        elif kind.endswith("Aborted"):
            outcome[entry] = "aborted"
        elif kind.endswith("TimedOut") and outcome[entry] == "running":
            outcome[entry] = "timed out"
        elif kind.endswith("Failed") and outcome[entry] == "running":
            outcome[entry] = "failed"
    for entry, count in attempts.items():
        rows[name_of[entry]].retries += max(count - 1, 0)
    ended = _ENDED.get(status, "failed")
    for name, entry in last_entry.items():
        rows[name].status = ended if outcome[entry] == "running" else outcome[entry]
    return rows


def duration(seconds: float) -> str:
    """A duration as a person reads it: "850 ms", "2.13 s", "3 min 05 s"."""
    if seconds <= 0:
        return "0 s"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms" if seconds >= 0.001 else f"{seconds * 1000:.2f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def summary(app: App, result: Any, elapsed: float) -> None:
    """Status, durations, and the output or the error of a finished execution."""
    colour = {"SUCCEEDED": "green", "FAILED": "red", "TIMED_OUT": "red", "ABORTED": "yellow"}[result.status]
    out = app.out
    out.print()
    clock = duration(result.stop_time - result.start_time)
    out.print(
        f"[bold {colour}]{result.status}[/] in {duration(elapsed)} "
        f"({result.transitions:,} transitions, {clock} on the execution clock)",
        highlight=False,
    )
    if result.status == "SUCCEEDED":
        text = json.dumps(result.output, ensure_ascii=False)
        if len(text) <= HIGHLIGHT_LIMIT:
            out.print_json(text)
        else:
            out.file.write(json.dumps(result.output, ensure_ascii=False, indent=2) + "\n")
        return
    if result.failed_state:
        out.print(f"state: [bold]{result.failed_state}[/]", highlight=False)
    if result.error:
        out.print(f"error: [bold]{result.error}[/]", highlight=False)
    if result.cause:
        out.print(f"cause: {result.cause}", highlight=False)
    if result.status == "ABORTED":
        out.print("stopped by Ctrl-C: the states that were running are shown as aborted", highlight=False)
