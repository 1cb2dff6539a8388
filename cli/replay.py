"""`asl replay PATH...`: replay recorded executions (sample cases or AWS histories) and report divergences."""

from __future__ import annotations

import glob
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.app import EXIT_FAILED, EXIT_OK, EXIT_USAGE, App, pass_app

if TYPE_CHECKING:
    from asl.replay import Report

_MAGIC = frozenset("*?[")


def _replayable(match: str) -> bool:
    path = Path(match)
    return (path.is_dir() and (path / "executions").is_dir()) or (path.is_file() and path.suffix == ".json")


def _expand(arguments: tuple[str, ...]) -> Iterator[tuple[str, Path]]:
    """(argument, path) for every argument; a quoted glob expands here to sample folders and JSON files."""
    for argument in arguments:
        if _MAGIC & set(argument) and not Path(argument).exists():
            matches = sorted(m for m in glob.glob(argument, recursive=True) if _replayable(m))
            if matches:
                yield from ((match, Path(match)) for match in matches)
                continue
        yield argument, Path(argument)


def _print(app: App, report: Report) -> None:
    from asl.replay.compare import show

    colour = {"matched": "green", "updated": "cyan", "unchanged": "green", "diverged": "red", "error": "red"}
    app.out.print(
        f"[bold {colour[report.status]}]{report.status.upper():9}[/] {report.case}",
        highlight=False,
        markup=True,
    )
    divergence = report.divergence
    if divergence is not None:
        if divergence.field in ("path", "task results"):
            app.out.print(f"    {divergence.describe()}", highlight=False, markup=False)
        else:
            app.out.print(f"    {divergence.where()}, {divergence.what()}", highlight=False, markup=False)
            app.out.print(f"    expected: {show(divergence.expected)}", highlight=False, markup=False)
            app.out.print(f"    got:      {show(divergence.got)}", highlight=False, markup=False)
        if report.message:
            app.out.print(f"    hint: {report.message}", highlight=False, markup=False)
    elif report.status == "error":
        message = report.message.replace("\n", "\n    ")
        app.out.print(f"    {message}", highlight=False, markup=False)


@click.command(
    epilog="Exit codes: 0 every replay matched (or --update recorded it); 1 a replay diverged; "
    "2 a file is missing or malformed, or a case cannot run."
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--definition",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The definition to replay against: required for AWS histories; for sample cases it replaces "
    "the sample's workflow.json.",
)
@click.option("--update", is_flag=True, help="Record what the definition does now as the cases' expectation.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: a list of {case, status, divergence: {state, field, at, expected, got, message}}.",
)
@click.option(
    "--name",
    "execution_name",
    help="AWS histories: the recorded execution's name, for $$.Execution.Name (default 'replay').",
)
@click.option(
    "--to-mock-config",
    "mock_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="AWS histories: write the recorded task results as a MockConfigFile test case to this file "
    "(added to it if it exists), so `asl run --mock-config` reproduces the execution.",
)
@click.option(
    "--test-case",
    default="Recorded",
    show_default=True,
    help="With --to-mock-config: the test case's name.",
)
@pass_app
def replay(
    app: App,
    paths: tuple[str, ...],
    definition: Path | None,
    update: bool,
    output_format: str,
    execution_name: str | None,
    mock_out: Path | None,
    test_case: str,
) -> None:
    """Replay recorded executions and report where the definition now behaves differently.

    PATH is a sample folder (samples/NAME, replaying every executions/*.json), one case file, a glob,
    or an AWS history (aws stepfunctions get-execution-history output) with --definition.

    \b
    Examples:
      asl replay samples/order-approval samples/hello
      asl replay 'samples/*' --update
      asl replay history.json --definition workflow.json --format json
    """
    from asl import templates
    from asl.replay import ERROR, Report, replay_path

    unreadable = templates.unreadable(definition) if definition is not None else None
    if unreadable:
        app.abort(f"{definition}: {unreadable}", EXIT_USAGE)
    if mock_out is not None:
        _write_mock_config(app, paths, definition, mock_out, test_case)
        if definition is None:
            return
    reports: list[Report] = []
    for argument, path in _expand(paths):
        label = None if path.exists() else argument
        try:
            reports.extend(replay_path(path, definition, update=update, name=execution_name, label=label))
        except Exception as exc:  # never a traceback: report it with the case
            message = f"the replay stopped unexpectedly ({type(exc).__name__}: {exc}); please report this"
            reports.append(Report(label or str(path), ERROR, message=message))
    if output_format == "json":
        click.echo(json.dumps([r.as_json() for r in reports], indent=2, ensure_ascii=False))
    else:
        for report in reports:
            _print(app, report)
        counts = {s: sum(r.status == s for r in reports) for s in dict.fromkeys(r.status for r in reports)}
        summary = ", ".join(f"{n} {'errors' if s == ERROR and n > 1 else s}" for s, n in counts.items())
        app.out.print(summary or "nothing to replay", highlight=False)
    if any(r.status == ERROR for r in reports):
        code = EXIT_USAGE
    elif any(not r.ok for r in reports):
        code = EXIT_FAILED
    else:
        code = EXIT_OK
    click.get_current_context().exit(code)


def _write_mock_config(
    app: App, paths: tuple[str, ...], definition: Path | None, out: Path, test_case: str
) -> None:
    """`--to-mock-config`: one AWS history -> a MockConfigFile test case (written atomically)."""
    from asl.errors import AslError
    from asl.files import write_atomically
    from asl.replay import load_history
    from asl.replay.tomock import read_mock_file, to_mock_config

    if len(paths) != 1 or not Path(paths[0]).is_file():
        app.abort("--to-mock-config takes exactly one AWS history file", EXIT_USAGE)
    try:
        events = load_history(Path(paths[0]))
        name = _machine_name(events, definition)
        data, execution_input = to_mock_config(events, name, test_case, read_mock_file(out))
        write_atomically(out, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    except AslError as exc:
        app.abort(str(exc), EXIT_USAGE)
    target = definition or Path("workflow.json")
    app.err.print(
        f"wrote test case {test_case!r} of state machine {name!r} to {out}; reproduce it with:\n"
        f"  asl run {target} --mock-config {out} --test-case {test_case} --input '{json.dumps(execution_input)}'",
        highlight=False,
        markup=False,
    )


def _machine_name(events: list[dict[str, object]], definition: Path | None) -> str:
    """The name `asl run` gives the definition (its file or template), else the one the history records."""
    from asl.config import Config
    from asl.replay.files import ReplayError
    from asl.runner import Runner

    if definition is not None:
        return Runner(Config()).machine_name(definition)
    started = next((e for e in events if e.get("type") == "ExecutionStarted"), {})
    details = started.get("executionStartedEventDetails") if isinstance(started, dict) else None
    arn = ""
    if isinstance(details, dict):
        arn = str(details.get("stateMachineAliasArn") or details.get("stateMachineVersionArn") or "")
    parts = arn.split(":")
    if len(parts) > 6 and parts[5] == "stateMachine":
        return parts[6]
    raise ReplayError(
        "the history does not name its state machine: give --definition FILE (its name is the machine's name)"
    )
