"""`asl validate FILE...`: check definitions offline and report in text, JSON, GitHub or SARIF form."""

from __future__ import annotations

import glob
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.app import EXIT_FAILED, EXIT_OK, EXIT_USAGE, App, pass_app
from cli.inputs import sub_option

if TYPE_CHECKING:
    from asl.validate import Severity

_MAGIC = frozenset("*?[")


def expand(arguments: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The files named by `arguments` (globs expanded, duplicates dropped) and the problems with them."""
    files: dict[str, None] = {}
    problems = []
    from asl import templates

    for argument in arguments:
        if argument == "-" or templates.exists(argument):
            files[argument] = None
        elif _MAGIC & set(argument):
            matches = sorted(m for m in glob.glob(argument, recursive=True) if Path(m).is_file())
            if not matches:
                problems.append(f"no files match {argument!r}")
            files.update(dict.fromkeys(matches))
        elif Path(argument).is_dir():
            problems.append(
                f"{argument!r} is a directory; pass files, or a glob such as '{argument}/**/*.json'"
            )
        else:
            reason = templates.unreadable(argument)
            problems.append(
                f"{argument!r} does not exist" if reason == "no such file" else f"{argument!r} {reason}"
            )
    return list(files), problems


@click.command(
    epilog="Exit codes: 0 no definition has errors; 1 a definition has errors (or warnings, with "
    "--severity WARNING), or cannot be read or parsed; 2 a file is missing or a glob matches nothing."
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="text: messages with the offending line; json: ValidateStateMachineDefinition's response per file "
    "(AWS's code, message and location, plus our hint, pointer, line and column); "
    "github: workflow-command annotations; sarif: SARIF 2.1.0 for code scanning.",
)
@click.option(
    "--severity",
    type=click.Choice(["error", "warning"], case_sensitive=False),
    default="error",
    show_default=True,
    help="The lowest severity that fails the run (either case: WARNING works too).",
)
@click.option(
    "--local",
    is_flag=True,
    help="Also warn (NO_LOCAL_HANDLER) about Task resources nothing serves locally: the handlers and state "
    "machines of the project configuration (asl.toml next to each file, or --config) and the built-in "
    "Cognito actions. Imports the configured handler modules.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The configuration file to use for every FILE (--local's handlers, templates' [substitutions]).",
)
@sub_option
@click.option("--watch", is_flag=True, help="Validate again each time a file in the FILEs' folders is saved.")
@pass_app
def validate(
    app: App,
    files: tuple[str, ...],
    output_format: str,
    severity: str,
    local: bool,
    config_path: Path | None,
    subs: tuple[str, ...],
    watch: bool,
) -> None:
    """Check state machine definitions: fields, transitions, paths, expressions and resources.

    FILE may be a glob such as 'workflows/**/*.asl.json' (quoted globs are expanded here), or - for stdin.
    YAML files and SAM/CloudFormation/CDK templates are read too: each state machine of a template is
    checked (template.yaml#LogicalId picks one).
    """
    from cli.inputs import pairs

    try:
        given = pairs(subs, "--sub")
    except click.BadParameter as exc:
        app.abort(exc.format_message(), EXIT_USAGE)

    def once() -> None:
        paths, problems = expand(files)
        if problems:
            app.abort("; ".join(problems), EXIT_USAGE)
        threshold: Severity = "WARNING" if severity.upper() == "WARNING" else "ERROR"
        from asl.errors import AslError

        try:
            registries = {p: _local_registry(p, config_path) for p in paths if p != "-"} if local else {}
            substitutions = {p: _substitutions(p, config_path, given) for p in paths if p != "-"}
        except AslError as exc:
            app.abort(str(exc), EXIT_USAGE)
        try:
            failed = _run(app, paths, output_format, threshold, registries, substitutions)
        except Exception as exc:  # never show a traceback
            app.abort(
                f"validation stopped unexpectedly ({type(exc).__name__}: {exc}); please report this",
                EXIT_FAILED,
            )
        raise SystemExit(EXIT_FAILED if failed else EXIT_OK)

    if watch:
        from cli.watch import watch as watching

        watching(app, [f for f in files if f != "-" and not _MAGIC & set(f)] or ["."], once)
        return
    once()


def _substitutions(path: str, config_path: Path | None, given: dict[str, str]) -> dict[str, str]:
    """Templates' substitutions for `path`: the configuration's [substitutions], then --sub."""
    from asl.config import find_config, load_config
    from asl.templates import split_ref

    found = config_path or find_config(split_ref(path)[0])
    values = dict(load_config(found).substitutions) if found is not None else {}
    values.update(given)
    return values


def _local_registry(path: str, config_path: Path | None) -> Any:
    """The registry `asl run` would use for the workflow at `path` (its handlers, Cognito, child machines)."""
    import cognito_tasks
    from asl.config import Config, find_config, load_config
    from asl.runner import build_runner

    found = config_path or find_config(Path(path))
    config = load_config(found) if found is not None else Config(root=Path(path).resolve().parent)
    mock_file, config.mock_config, config.test_case = config.mock_config, None, None
    runner = build_runner(config)
    cognito_tasks.register(runner.registry, cognito_tasks.UserDirectory(region=config.region))
    if mock_file is not None:
        _register_mocked(runner.registry, Path(path), runner.machine_name(Path(path)), mock_file)
    return runner.registry


def _register_mocked(registry: Any, path: Path, machine: str, mock_file: Path) -> None:
    """Count the resources of states that some test case of the mock file answers as served."""
    import contextlib

    from asl.mocks import load_mock_config
    from asl.validate.walk import build

    cases = load_mock_config(mock_file)["StateMachines"].get(machine, {}).get("TestCases", {})
    mocked = {state for case in cases.values() if isinstance(case, dict) for state in case}
    from asl.errors import AslError
    from asl.templates import read_any

    try:
        definition = read_any(path, strict=False).definition
    except (AslError, OSError, ValueError):
        return  # the file's own report says what is wrong with it
    if not isinstance(definition, dict):
        return
    tree = build(definition)

    async def mocked_only(payload: Any, ctx: Any) -> Any:
        raise NotImplementedError("validation only")

    for state in tree.states:
        resource = state.body.get("Resource")
        if state.name in mocked and isinstance(resource, str) and resource not in registry:
            with contextlib.suppress(ValueError):  # a malformed ARN is reported by the validator itself
                registry.register(resource, mocked_only)


def _run(
    app: App,
    paths: list[str],
    output_format: str,
    threshold: Severity,
    registries: dict[str, Any],
    substitutions: dict[str, dict[str, str]],
) -> bool:
    from asl.templates import is_template_file, reads
    from asl.templates.validate import validate_reference
    from asl.validate.files import FileReport, validate_file, validate_text
    from asl.validate.report import plain_text, render_github, render_json, render_sarif, render_text

    reports: list[FileReport] = []
    for p in paths:
        if p == "-":
            reports.append(validate_text(sys.stdin.read(), "<stdin>"))
        elif reads(p) or is_template_file(p):
            reports += validate_reference(p, substitutions.get(p), registries.get(p))
        else:
            reports.append(validate_file(p, registries.get(p)))
    if output_format == "text" and app.interactive:
        render_text(reports, app.out, threshold)
    elif output_format == "text":  # not a terminal: the same text without styles, and without rich
        click.echo(plain_text(reports, threshold), nl=False)
    else:
        renderers = {"json": render_json, "github": render_github, "sarif": render_sarif}
        click.echo(renderers[output_format](reports, threshold))
    return any(r.fails(threshold) for r in reports)
