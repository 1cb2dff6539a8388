"""`asl graph FILE`: draw a workflow as Mermaid, DOT or SVG, optionally with an execution's path."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click

from cli.app import EXIT_FAILED, EXIT_USAGE, App, pass_app
from cli.inputs import sub_option

NO_GRAPHVIZ = (
    "--format svg needs Graphviz's 'dot' program, which is not installed (or not on PATH). "
    "Install Graphviz (apt install graphviz, brew install graphviz, ...) or use --format dot or --format mermaid."
)

HELP = (
    "Draw the state machine in FILE: states, transitions, Choice rules, Catches, Parallel branches and Map "
    "processors.\n\n"
    "\b\nExamples:\n"
    "  asl graph samples/hello/workflow.json\n"
    "  asl graph workflow.json --format svg --out workflow.svg\n"
    "  asl run workflow.json --history run.json; asl graph workflow.json --execution run.json\n"
)


@click.command(
    help=HELP,
    epilog="Exit codes: 0 the diagram was written; 1 Graphviz failed to render SVG; "
    "2 the definition, the history or the command line is invalid, or Graphviz is missing for --format svg.",
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["mermaid", "dot", "svg"]),
    default="mermaid",
    show_default=True,
    help="mermaid: a flowchart to paste into GitHub markdown; dot: Graphviz source; svg: rendered by Graphviz's dot.",
)
@click.option(
    "--execution",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="HISTORY",
    help="Highlight the path of this execution: a history as `asl run --history` or "
    "`aws stepfunctions get-execution-history` writes it.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the diagram to this file instead of stdout.",
)
@sub_option
@pass_app
def graph(
    app: App,
    file: Path,
    output_format: str,
    history_path: Path | None,
    out_path: Path | None,
    subs: tuple[str, ...],
) -> None:
    """Draw the state machine in FILE (the `asl graph` command)."""
    from asl import templates
    from asl.config import find_config, load_config
    from asl.errors import AslError
    from asl.graph import build_graph, execution_path, history_events, to_dot, to_mermaid
    from asl.parse import load_definition
    from cli.inputs import pairs

    unreadable = templates.unreadable(file)
    if unreadable:
        app.abort(f"{file}: {unreadable}", EXIT_USAGE)
    if output_format == "svg" and shutil.which("dot") is None:
        app.abort(NO_GRAPHVIZ, EXIT_USAGE)
    try:
        given = pairs(subs, "--sub")
    except click.BadParameter as exc:
        app.abort(exc.format_message(), EXIT_USAGE)
    try:
        found = find_config(templates.split_ref(file)[0])
        substitutions = {**(load_config(found).substitutions if found else {}), **given}
        loaded = templates.read_any(file, substitutions)
        diagram = build_graph(load_definition(loaded.definition, loaded.source))
    except AslError as exc:
        app.abort(str(exc), EXIT_USAGE)
    highlight = None
    if history_path is not None:
        try:
            highlight = execution_path(diagram, history_events(_read_history(history_path)))
        except AslError as exc:
            app.abort(f"{history_path}: {exc}", EXIT_USAGE)
    if output_format == "mermaid":
        text = to_mermaid(diagram, highlight)
    else:
        text = to_dot(diagram, highlight)
        if output_format == "svg":
            text = _svg(app, text)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        from asl.files import write_atomically

        try:
            write_atomically(out_path, text)
        except OSError as exc:
            app.abort(f"cannot write {out_path}: {exc.strerror or exc}", EXIT_USAGE)


def _read_history(path: Path) -> Any:
    """The parsed history file; bad JSON is reported with its line and column."""
    from asl.errors import InputError
    from asl.files import FileReadError, read_text

    try:
        text = read_text(path)
    except FileReadError as exc:
        raise InputError(f"cannot read the execution history: {exc.reason}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the execution history is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None


def _svg(app: App, dot_source: str) -> str:
    """Render DOT to SVG with Graphviz's `dot -Tsvg`."""
    executable = shutil.which("dot")
    if executable is None:
        app.abort(NO_GRAPHVIZ, EXIT_USAGE)
    try:
        done = subprocess.run(
            [executable, "-Tsvg"],
            input=dot_source,
            capture_output=True,
            encoding="utf-8",
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        app.abort(f"Graphviz could not render the diagram: {exc}", EXIT_FAILED)
    if done.returncode != 0:
        app.abort(f"Graphviz failed (exit {done.returncode}): {done.stderr.strip()}", EXIT_FAILED)
    return done.stdout
