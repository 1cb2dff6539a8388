"""`asl run FILE`: execute a workflow locally and show or print its result."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from asl.files import write_atomically, write_problem
from cli.app import EXIT_FAILED, EXIT_OK, EXIT_USAGE, App, pass_app
from cli.inputs import pairs, read_json_option, sub_option

if TYPE_CHECKING:
    from cli.view import LiveView


@click.command(
    epilog="Exit codes: 0 the execution succeeded; 1 it failed, timed out or was aborted; "
    "2 the definition, the input, the configuration or the command line is invalid."
)
@click.argument("file", type=click.Path(path_type=Path))
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
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: asl.toml next to FILE, or [tool.asl] in pyproject.toml).",
)
@click.option(
    "--payload-limit",
    type=click.IntRange(min=0),
    metavar="BYTES",
    help="Largest state input/output in bytes (States.DataLimitExceeded above it); 0 = no limit. Default 262144.",
)
@click.option(
    "--history-limit",
    type=click.IntRange(min=0),
    metavar="EVENTS",
    help="Fail the execution (States.Runtime) past this many history events, as AWS does at 25000 "
    "(the default); 0 = no limit.",
)
@click.option(
    "--real-time",
    is_flag=True,
    help="Wait for real in Wait states and retry backoff (default: a virtual clock, no waiting).",
)
@click.option("--region", help="Region used in ARNs and the context object (default us-east-1).")
@click.option("--account", help="Account id used in ARNs and the context object (default 123456789012).")
@click.option("--name", "execution_name", help="Execution name (default: a random UUID).")
@click.option(
    "--seed",
    type=int,
    help="Seed for retry jitter and task tokens: with --name and --start-time, a run is the same every time.",
)
@click.option(
    "--start-time",
    metavar="TIMESTAMP",
    help="Start the virtual clock here (ISO 8601, e.g. 2024-01-01T00:00:00Z; default: now).",
)
@click.option(
    "--handler",
    "handlers",
    multiple=True,
    metavar="KEY=MODULE:FUNCTION",
    help="Serve a resource ARN, Lambda function name or activity ARN with a local Python function (repeatable).",
)
@click.option(
    "--state-machine",
    "state_machines",
    multiple=True,
    metavar="NAME=FILE",
    help="A local definition for states:startExecution, by name or ARN (repeatable).",
)
@click.option(
    "--mock-config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="AWS Step Functions Local MockConfigFile to answer tasks from.",
)
@click.option("--test-case", help="The test case of the mock file to use.")
@click.option(
    "--s3-root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder standing in for S3 in Distributed Map's ItemReader/ResultWriter: s3://bucket/key is DIR/bucket/key.",
)
@click.option(
    "--users",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Cognito user directory JSON: loaded before the run, written back atomically after it (even when asl.toml says save_users = false).",
)
@sub_option
@click.option(
    "--watch", is_flag=True, help="Run again each time a file in FILE's folder is saved (Ctrl-C stops)."
)
@click.option(
    "--strict-resources",
    is_flag=True,
    help="Refuse to start while any Task state has no handler or mock (default: warn, and fail only a "
    "Task the execution reaches, with <Service>.ResourceNotFoundException as on AWS).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Processes for Distributed Map child executions (default: one per CPU core; 1: all in this process). "
    "Children run in workers when their handlers come from the configuration and nothing in them waits on "
    "the clock; the results are the same either way.",
)
@click.option(
    "--prompt/--no-prompt",
    default=None,
    help="Ask on the terminal to complete .waitForTaskToken tasks that have no handler or mock (default: when interactive).",
)
@pass_app
def run(
    app: App,
    file: Path,
    input_: str | None,
    output_format: str,
    history_path: Path | None,
    config_path: Path | None,
    payload_limit: int | None,
    history_limit: int | None,
    real_time: bool,
    region: str | None,
    account: str | None,
    execution_name: str | None,
    seed: int | None,
    start_time: str | None,
    handlers: tuple[str, ...],
    state_machines: tuple[str, ...],
    mock_config: Path | None,
    test_case: str | None,
    s3_root: Path | None,
    users: Path | None,
    subs: tuple[str, ...],
    watch: bool,
    strict_resources: bool,
    workers: int | None,
    prompt: bool | None,
) -> None:
    """Run the workflow in FILE locally, exactly as AWS Step Functions would.

    \b
    Examples:
      asl run samples/hello/workflow.json --input '{"name": "Ada", "age": 36}'
      asl run workflow.json --mock-config mocks.json --test-case HappyPath
      asl run workflow.json --handler greet=handlers:greet --history out.json
      asl run template.yaml#OrderFlow --sub TopicArn=arn:aws:sns:us-east-1:123456789012:orders
    """
    if watch:  # the same command, without --watch, on every save
        from cli.watch import watch as watching

        params = {**click.get_current_context().params, "watch": False}
        ignore = [history_path] if history_path is not None else []
        watching(app, [file], lambda: click.get_current_context().invoke(run, **params), ignore)
        return
    from asl import AslError, coverage, unserved

    try:
        execution_input = read_json_option(input_, "--input")
        extra_handlers = pairs(handlers, "--handler")
        extra_machines = pairs(state_machines, "--state-machine")
        substitutions = pairs(subs, "--sub")
    except click.BadParameter as exc:
        app.abort(exc.format_message(), EXIT_USAGE)
    from asl import templates

    unreadable = templates.unreadable(file)
    if unreadable:
        app.abort(f"{file}: {unreadable}", EXIT_USAGE)
    for option, target in (("--history", history_path), ("--users", users)):
        problem = write_problem(target) if target is not None else None
        if problem:
            app.abort(f"{option} {target}: cannot write it: {problem}", EXIT_USAGE)
    text_mode = output_format == "text" or (output_format == "auto" and app.interactive)
    if text_mode:
        from cli.view import LiveView

    view = LiveView(app) if text_mode else None
    ask = prompt if prompt is not None else app.interactive
    users_lock = contextlib.ExitStack()
    try:
        runner, machine, config = _prepare(
            app,
            file,
            config_path,
            view,
            ask,
            s3_root,
            history_limit,
            substitutions,
            (region, account, payload_limit, mock_config, test_case, users, extra_handlers, extra_machines),
            users_lock,
        )
        machine.strict_resources = machine.strict_resources or strict_resources
        missing = machine.missing_resources()
        if missing and not machine.strict_resources:
            message = unserved.describe(missing, machine.serve_hint)
            app.err.print(f"warning: {message}", highlight=False, markup=False)
        machine.workers = workers or os.cpu_count() or 1
        distributed = _has_distributed_map(machine)
        if distributed:
            from asl.workers import in_process_notes

            for note in in_process_notes(machine, real_time):
                app.err.print(f"note: {note}", highlight=False, markup=False)
        since = (
            (len(runner.directory.events), len(runner.directory.codes))
            if runner.directory is not None
            else (0, 0)
        )
        started = time.perf_counter()
        # A handler's print() must not mix with the output JSON: in json mode stdout is stderr while running.
        with view or contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings():
            warnings.simplefilter("ignore", unserved.UnservedResourceWarning)  # said above, in CLI terms
            if distributed:
                from asl.workers import InProcessWarning

                warnings.simplefilter("ignore", InProcessWarning)  # said above, as a note
            try:
                result = machine.run_sync(
                    execution_input,
                    clock=_clock(app, real_time, start_time),
                    execution_name=execution_name,
                    seed=seed,
                    on_event=view.event if view is not None else None,
                )
            finally:
                machine.close()  # the worker processes, if a Distributed Map started any
        elapsed = time.perf_counter() - started
        if coverage.folder() is not None:  # when ASL_COVERAGE is set (the history is built only then)
            coverage.record(machine.definition, machine.name, result.history)
    except AslError as exc:
        users_lock.close()
        app.abort(_explain(str(exc)), EXIT_USAGE)
    hint = _hint(result, machine)
    if view is not None:
        view.finish(result)
        from cli.view import summary

        summary(app, result, elapsed)
        if hint:
            app.out.print(f"hint: {hint}", highlight=False)
        if runner.directory is not None:
            _directory_summary(app, runner.directory, since)
    elif result.status == "SUCCEEDED":
        click.echo(json.dumps(result.output, ensure_ascii=False))
    else:
        failure = {
            "status": result.status,
            "error": result.error,
            "cause": result.cause,
            "state": result.failed_state,
            "hint": hint,
        }
        shown = {key: value for key, value in failure.items() if value is not None}
        click.echo(json.dumps(shown, ensure_ascii=False), err=True)
    with users_lock:  # the users file stays locked from loading it to saving it
        unsaved = _save(app, result, runner, config, history_path)
    if unsaved:
        raise SystemExit(EXIT_USAGE)
    raise SystemExit(EXIT_OK if result.status == "SUCCEEDED" else EXIT_FAILED)


def _prepare(
    app: App,
    file: Path,
    config_path: Path | None,
    view: LiveView | None,
    ask: bool,
    s3_root: Path | None,
    history_limit: int | None,
    substitutions: dict[str, str],
    overrides: tuple[Any, ...],
    users_lock: contextlib.ExitStack,
) -> tuple[Any, Any, Any]:
    """The configuration (file, then flags), the runner and the loaded machine."""
    from asl import templates
    from asl.config import Config, find_config, load_config
    from asl.runner import attach_cognito, build_runner, uses_cognito

    found = config_path or find_config(templates.split_ref(file)[0])
    config = load_config(found) if found is not None else Config(root=Path.cwd())
    config.substitutions.update(substitutions)
    _override(config, *overrides)
    if s3_root is not None:
        config.s3_root = s3_root.resolve()
    if history_limit is not None:
        config.history_limit = history_limit
    runner = build_runner(config, on_wait=_prompter(app, view) if ask else None)
    machine = runner.load(file)
    if uses_cognito(machine) or config.users is not None:
        if config.users is not None and config.save_users:
            users_lock.enter_context(_lock_users(app, config.users))
        attach_cognito(runner, config.users)
    return runner, machine, config


def _has_distributed_map(machine: Any) -> bool:
    from asl.model import MapState, iter_states

    return any(isinstance(s, MapState) and s.distributed for s in iter_states(machine.definition.machine))


def _save(app: App, result: Any, runner: Any, config: Any, history_path: Path | None) -> bool:
    """Write the user directory and the history after the output is shown; True if one could not be written."""
    failed = False
    if runner.directory is not None and config.users is not None and config.save_users:
        from asl import AslError
        from cognito_tasks import persist

        try:
            persist.save(runner.directory, config.users)
        except (OSError, AslError) as exc:
            from rich.markup import escape

            app.err.print(
                f"[bold red]error:[/] the user directory was not saved: {escape(str(exc))}", highlight=False
            )
            failed = True
    if history_path is not None:
        from asl.history import history_file

        try:  # written event by event: a long history is not held whole a second time
            write_atomically(history_path, history_file(result.execution_arn, result.iter_history()))
        except OSError as exc:
            from rich.markup import escape

            app.err.print(
                f"[bold red]error:[/] the history was not saved: {escape(str(exc))}", highlight=False
            )
            failed = True
    return failed


def _hint(result: Any, machine: Any) -> str | None:
    """What to do about a local limit the execution ran into (the cause stays AWS's text)."""
    from asl.model import MapState, iter_states

    if result.error == "States.DataLimitExceeded":
        return "the local limit is --payload-limit BYTES (default 262144, AWS's 256 KiB; 0 = no limit)"
    if result.error == "States.Runtime" and "maximum number of history events" in (result.cause or ""):
        limit = "--history-limit EVENTS (default 25000, AWS's quota; 0 = no limit)"
        if any(isinstance(s, MapState) for s in iter_states(machine.definition.machine)):
            return (
                f"a Distributed Map keeps each item's events out of this history; the local limit is {limit}"
            )
        return f"a loop that never ends (a Choice rule that never exits) reaches it too; the local limit is {limit}"
    return None


def _explain(message: str) -> str:
    """Add the option that changes a limit to messages about it."""
    if "payload" in message and "limit" in message and "--payload-limit" not in message:
        message += " (raise it with --payload-limit BYTES, or payload_limit in asl.toml; 0 = no limit)"
    return message


def _clock(app: App, real_time: bool, start_time: str | None) -> Any:
    """The execution's clock: the wall clock, or the virtual one (from `--start-time` when given)."""
    from asl.clock import RealClock, VirtualClock

    if start_time is None:
        return RealClock() if real_time else VirtualClock()
    from asl.choice import parse_timestamp

    if real_time:
        app.abort("--start-time sets the virtual clock; it cannot be combined with --real-time", EXIT_USAGE)
    when = parse_timestamp(start_time)
    if when is None:
        app.abort(
            f"--start-time {start_time!r} is not an ISO 8601 timestamp with a zone, e.g. 2024-01-01T00:00:00Z",
            EXIT_USAGE,
        )
    if not 0 <= when.timestamp() <= _LATEST_START:
        app.abort(
            f"--start-time {start_time!r} must be from 1970 to 9998: an execution may last a year, "
            "and its timestamps must stay within the calendar AWS prints",
            EXIT_USAGE,
        )
    return VirtualClock(when.timestamp())


#: 9998-12-31T00:00:00Z: a year-long execution started then still ends before year 10000.
_LATEST_START = 253370678400.0


def _lock_users(app: App, path: Path) -> Any:
    """Hold the users file for this run (load, run, save); say so when another run holds it."""
    from cognito_tasks import persist

    def waiting() -> None:
        app.err.print(f"waiting for {path}: another run is using it", highlight=False)

    return persist.lock(path, on_wait=waiting)


def _override(
    config: Any,
    region: str | None,
    account: str | None,
    payload_limit: int | None,
    mock_config: Path | None,
    test_case: str | None,
    users: Path | None,
    handlers: dict[str, str],
    machines: dict[str, str],
) -> None:
    """Command-line flags win over the configuration file."""
    for key, value in (
        ("region", region),
        ("account", account),
        ("payload_limit", payload_limit),
        ("test_case", test_case),
    ):
        if value is not None:
            setattr(config, key, value)
    if mock_config is not None:
        config.mock_config = mock_config.resolve()
    if users is not None:
        config.users = users.resolve()
        config.save_users = True
    config.handlers.update(handlers)
    config.state_machines.update({name: Path(path).resolve() for name, path in machines.items()})


def _prompter(app: App, view: Any) -> Any:
    """An on_wait callback asking a person to approve or fail a `.waitForTaskToken` task."""

    async def on_wait(execution: Any, state: str, payload: Any, token: str) -> None:
        import anyio

        def ask() -> tuple[bool, Any, str, str]:
            if view is not None:
                view.pause()
            app.out.print(f"\n[bold]{state}[/] is waiting for a callback (task token {token})")
            app.out.print_json(json.dumps(payload))
            while True:
                choice = click.prompt(
                    "approve or fail?", type=click.Choice(["approve", "fail"]), default="approve"
                )
                if choice == "fail":
                    error = click.prompt("error", default="Rejected")
                    cause = click.prompt("cause", default="")
                    return False, None, error, cause
                text = click.prompt("output JSON", default="{}")
                try:
                    return True, json.loads(text), "", ""
                except json.JSONDecodeError as exc:
                    app.err.print(f"not JSON: {exc.msg} at column {exc.colno}; try again")

        approved, output, error, cause = await anyio.to_thread.run_sync(ask)
        if view is not None:
            view.resume()
        if approved:
            execution.send_task_success(token, output)
        else:
            execution.send_task_failure(token, error, cause)

    return on_wait


def _directory_summary(app: App, directory: Any, since: tuple[int, int]) -> None:
    """What this run did to the Cognito user directory, and the codes it issued (no email is sent)."""
    events = directory.events[since[0] :]
    codes = directory.codes[since[1] :]
    if not events and not codes:
        return
    app.out.print("[bold]user directory[/]")
    for event in events:
        app.out.print(f"  {event.describe()}", highlight=False)
    for code in codes:
        app.out.print(
            f"  code for {code.username} ({code.purpose.value}): [bold]{code.code}[/]", highlight=False
        )
