"""`asl run FILE`: execute a workflow locally and show or print its result."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from cli.app import EXIT_FAILED, EXIT_OK, EXIT_USAGE, App, pass_app
from cli.inputs import read_json_option


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` via a temporary file, fsync and rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command(
    epilog="Exit codes: 0 the execution succeeded; 1 it failed, timed out or was aborted; "
    "2 the definition, the input or the command line is invalid."
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--input",
    "input_",
    metavar="JSON",
    help="Execution input: inline JSON, file://PATH, or - for stdin. Default {}.",
)
@click.option(
    "--output",
    "output_format",
    type=click.Choice(["auto", "json", "text"]),
    default="auto",
    show_default=True,
    help="json: print only the execution output JSON on stdout; text: the live view and summary. "
    "auto: text on a terminal, json otherwise.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the execution history here, as GetExecutionHistory returns it.",
)
@click.option(
    "--payload-limit",
    type=click.IntRange(min=0),
    default=256 * 1024,
    show_default=True,
    metavar="BYTES",
    help="Largest state input/output in bytes (States.DataLimitExceeded above it); 0 = no limit.",
)
@click.option(
    "--real-time",
    is_flag=True,
    help="Wait for real in Wait states and retry backoff (default: a virtual clock, no waiting).",
)
@click.option(
    "--region", default="us-east-1", show_default=True, help="Region used in ARNs and the context object."
)
@click.option(
    "--account",
    default="123456789012",
    show_default=True,
    help="Account id used in ARNs and the context object.",
)
@click.option("--name", "execution_name", help="Execution name (default: a random UUID).")
@pass_app
def run(
    app: App,
    file: Path,
    input_: str | None,
    output_format: str,
    history_path: Path | None,
    payload_limit: int,
    real_time: bool,
    region: str,
    account: str,
    execution_name: str | None,
) -> None:
    r"""Run the workflow in FILE locally, exactly as AWS Step Functions would.

    \b
    Example:
      asl run samples/hello/workflow.json --input '{"name": "Ada"}'
    """
    from asl import AslError, StateMachine, TaskRegistry

    try:
        execution_input = read_json_option(input_, "--input")
    except click.BadParameter as exc:
        app.abort(exc.format_message(), EXIT_USAGE)
    if not file.exists():
        app.abort(f"{file}: no such file", EXIT_USAGE)
    registry = TaskRegistry()
    try:
        machine = StateMachine.from_file(
            file, registry=registry, region=region, account=account, payload_limit=payload_limit
        )
        text_mode = output_format == "text" or (output_format == "auto" and app.interactive)
        view = _LiveView(app) if text_mode else None
        started = time.perf_counter()
        if view is not None:
            with view:
                result = machine.run_sync(
                    execution_input, real_time=real_time, execution_name=execution_name, on_event=view.event
                )
        else:
            result = machine.run_sync(execution_input, real_time=real_time, execution_name=execution_name)
        elapsed = time.perf_counter() - started
    except AslError as exc:
        app.abort(str(exc), EXIT_USAGE)
    if history_path is not None:
        write_atomically(history_path, json.dumps({"events": result.history}, indent=2) + "\n")
    if text_mode:
        _summary(app, result, elapsed)
    elif result.status == "SUCCEEDED":
        click.echo(json.dumps(result.output, ensure_ascii=False))
    else:
        failure = {
            "status": result.status,
            "error": result.error,
            "cause": result.cause,
            "state": result.failed_state,
        }
        click.echo(json.dumps(failure, ensure_ascii=False), err=True)
    raise SystemExit(EXIT_OK if result.status == "SUCCEEDED" else EXIT_FAILED)


class _LiveView:
    """A live table of states as they run (terminal only)."""

    def __init__(self, app: App) -> None:
        from rich.live import Live

        self.app = app
        self.rows: dict[str, list[Any]] = {}
        self.live = Live(self.render(), console=app.out, refresh_per_second=10, transient=False)

    def __enter__(self) -> _LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.live.update(self.render())
        self.live.__exit__(*exc)

    def event(self, event_type: str, details: dict[str, Any] | None) -> None:
        if details is None or "name" not in details:
            return
        name = details["name"]
        if event_type.endswith("StateEntered"):
            row = self.rows.setdefault(name, [event_type[: -len("StateEntered")], 0, "running"])
            row[1] += 1
            row[2] = "running"
        elif event_type.endswith("StateExited") and name in self.rows:
            self.rows[name][2] = "done"
        self.live.update(self.render())

    def render(self) -> Any:
        from rich.table import Table

        table = Table(title="states", show_edge=False, expand=False)
        for column in ("state", "type", "entered", "status"):
            table.add_column(column)
        for name, (type_, count, status) in list(self.rows.items())[-30:]:
            style = "yellow" if status == "running" else "green"
            table.add_row(name, type_, str(count), f"[{style}]{status}[/]")
        return table


def _summary(app: App, result: Any, elapsed: float) -> None:
    colour = {"SUCCEEDED": "green", "FAILED": "red", "TIMED_OUT": "red", "ABORTED": "yellow"}[result.status]
    out = app.out
    out.print()
    out.print(
        f"[bold {colour}]{result.status}[/] in {elapsed * 1000:.1f} ms "
        f"({result.transitions} transitions, {result.stop_time - result.start_time:g} s on the execution clock)"
    )
    if result.status == "SUCCEEDED":
        out.print_json(json.dumps(result.output))
    else:
        if result.failed_state:
            out.print(f"state: [bold]{result.failed_state}[/]", highlight=False)
        out.print(f"error: [bold]{result.error}[/]", highlight=False)
        if result.cause:
            out.print(f"cause: {result.cause}", highlight=False)
