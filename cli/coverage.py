"""`asl coverage [FOLDER]`: report which states, transitions, rules, retriers and catchers executions reached."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from cli.app import EXIT_FAILED, EXIT_OK, EXIT_USAGE, App, pass_app


@click.command(
    epilog="Exit codes: 0 the report was written (and coverage is at least --fail-under); 1 coverage is below "
    "--fail-under; 2 the folder holds no coverage data."
)
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="text: per definition, each kind covered/total and what was missed; json: the same as data; "
    "html: a page with each diagram, unreached states in red.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here instead of stdout.",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Exit 1 when total coverage is below PERCENT.",
)
@click.option("--erase", is_flag=True, help="Delete the recorded executions instead of reporting.")
@pass_app
def coverage(
    app: App,
    folder: Path | None,
    output_format: str,
    out_path: Path | None,
    fail_under: float | None,
    erase: bool,
) -> None:
    """Report the workflow coverage recorded in FOLDER (default: $ASL_COVERAGE, else .asl-coverage).

    Record it by running with ASL_COVERAGE=FOLDER (asl run, asl replay, asl.testing) or with
    pytest --asl-coverage=FOLDER.

    \b
    Examples:
      ASL_COVERAGE=.asl-coverage asl replay 'samples/*'
      asl coverage --fail-under 80
      asl coverage --format html --out coverage.html
    """
    from asl import coverage as recorder
    from asl.coverage.report import CoverageError, load, percent, render_html, render_json, render_text, total
    from asl.files import write_atomically

    folder = folder or recorder.folder() or Path(recorder.DEFAULT_FOLDER)
    if erase:
        if folder.is_dir():
            shutil.rmtree(folder)
        app.err.print(f"erased {folder}", highlight=False)
        return
    try:
        entries = load(folder)
    except CoverageError as exc:
        app.abort(str(exc), EXIT_USAGE)
    renderers = {"text": render_text, "json": render_json, "html": render_html}
    text = renderers[output_format](entries)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        write_atomically(out_path, text)
    covered, of = total(entries)
    if fail_under is not None and percent(covered, of) < fail_under:
        app.err.print(
            f"coverage {percent(covered, of):.1f}% is below --fail-under {fail_under:g}%", highlight=False
        )
        raise SystemExit(EXIT_FAILED)
    raise SystemExit(EXIT_OK)
