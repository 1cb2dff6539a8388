"""`asl test-state`: AWS's TestState offline, one state at a time (asl.teststate)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cli.app import EXIT_FAILED, EXIT_OK, EXIT_USAGE, App, pass_app
from cli.inputs import pairs, read_json_option, sub_option


@click.command(
    "test-state",
    epilog="Exit codes: 0 the state SUCCEEDED; 1 its status is FAILED, RETRIABLE or CAUGHT_ERROR; "
    "2 the request, the definition or the command line is invalid (AWS's error code is printed).",
)
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option(
    "--state",
    "--state-name",
    "state_name",
    help="The state of FILE's (or --definition's) state machine to test.",
)
@click.option(
    "--definition",
    metavar="JSON",
    help="The state (or a state machine, with --state) as JSON, file://PATH or -.",
)
@click.option(
    "--input", "input_", metavar="JSON", help="The state's input: JSON, file://PATH or -. Default {}."
)
@click.option("--variables", metavar="JSON", help="Variables the state sees, as a JSON object.")
@click.option(
    "--context",
    "context_",
    metavar="JSON",
    help="Fields of the context object ($$) to set, as a JSON object.",
)
@click.option(
    "--mock",
    metavar="JSON",
    help='A mocked result or error: {"result": "<JSON>"} or {"errorOutput": {"error": "E", "cause": "c"}}, '
    'with "fieldValidationMode": STRICT (default), PRESENT or NONE.',
)
@click.option(
    "--inspection-level",
    type=click.Choice(["INFO", "DEBUG", "TRACE"]),
    default="INFO",
    show_default=True,
    help="DEBUG and TRACE add inspectionData: the data after each step, and how Retry or Catch treat an error.",
)
@click.option(
    "--state-configuration",
    metavar="JSON",
    help='{"retrierRetryCount": N}: how many retries were already made (decides RETRIABLE or Catch).',
)
@click.option("--reveal-secrets", is_flag=True, help="Accepted as AWS takes it (locally nothing is hidden).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="asl.toml whose handlers serve unmocked Tasks.",
)
@sub_option
@pass_app
def test_state(
    app: App,
    file: Path | None,
    state_name: str | None,
    definition: str | None,
    input_: str | None,
    variables: str | None,
    context_: str | None,
    mock: str | None,
    inspection_level: str,
    state_configuration: str | None,
    reveal_secrets: bool,
    config_path: Path | None,
    subs: tuple[str, ...],
) -> None:
    """Test one state as AWS's TestState API does: print its response (status, output, nextState...).

    The state comes from FILE (a definition, a YAML file or a template's machine, with --state NAME) or
    from --definition as AWS's CLI takes it.

    \b
    Examples:
      asl test-state samples/hello/workflow.json --state PickPlan --input '{"welcome": {"age": 12}}'
      asl test-state --definition '{"Type": "Pass", "Result": 1, "End": true}' --inspection-level DEBUG
      asl test-state flow.json --state Charge --mock '{"errorOutput": {"error": "Busy"}}' \\
          --state-configuration '{"retrierRetryCount": 1}' --inspection-level DEBUG
    """
    from asl.errors import AslError
    from asl.teststate import TestStateError
    from asl.teststate import test_state as run_test_state

    if (file is None) == (definition is None):
        app.abort("give the state machine as FILE or the state as --definition (one of them)", EXIT_USAGE)
    try:
        request: dict[str, Any] = {"inspectionLevel": inspection_level}
        for key, value, option in (
            ("input", input_, "--input"),
            ("variables", variables, "--variables"),
            ("context", context_, "--context"),
            ("mock", mock, "--mock"),
            ("stateConfiguration", state_configuration, "--state-configuration"),
        ):
            if value is not None:
                request[key] = read_json_option(value, option)
        given = pairs(subs, "--sub")
    except click.BadParameter as exc:
        app.abort(exc.format_message(), EXIT_USAGE)
    if reveal_secrets:
        request["revealSecrets"] = True
    if state_name is not None:
        request["stateName"] = state_name
    try:
        registry, region, account = _registry(file, config_path)
        if file is not None:
            request["definition"] = _read(file, given, config_path)
        else:
            request["definition"] = read_json_option(definition, "--definition")
        response = run_test_state(request, registry=registry, region=region, account=account)
    except click.BadParameter as exc:
        app.abort(exc.format_message(), EXIT_USAGE)
    except TestStateError as exc:
        app.abort(f"{exc.code}: {exc.message}", EXIT_USAGE)
    except AslError as exc:
        app.abort(str(exc), EXIT_USAGE)
    click.echo(json.dumps(response, indent=2, ensure_ascii=False))
    raise SystemExit(EXIT_OK if response["status"] == "SUCCEEDED" else EXIT_FAILED)


def _read(file: Path, given: dict[str, str], config_path: Path | None) -> Any:
    from asl import templates
    from asl.config import find_config, load_config

    unreadable = templates.unreadable(file)
    if unreadable:
        raise click.BadParameter(f"{file}: {unreadable}", param_hint="FILE")
    found = config_path or find_config(templates.split_ref(file)[0])
    substitutions = {**(load_config(found).substitutions if found else {}), **given}
    return templates.read_any(file, substitutions).definition


def _registry(file: Path | None, config_path: Path | None) -> tuple[Any, str, str]:
    """The handlers `asl run` would use (asl.toml next to FILE, or --config), and the region and account."""
    from asl.config import Config, find_config, load_config
    from asl.runner import build_runner
    from asl.templates import split_ref

    found = config_path or (find_config(split_ref(file)[0]) if file is not None else None)
    config = load_config(found) if found is not None else Config(root=Path.cwd())
    config.mock_config, config.test_case = None, None
    runner = build_runner(config)
    return runner.registry, config.region, config.account
