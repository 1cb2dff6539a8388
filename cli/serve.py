"""`asl serve`: the Step Functions API on this machine, for boto3, the AWS CLI and the SDKs."""

from __future__ import annotations

import math
import signal
import socket
from pathlib import Path
from typing import Any

import click

from cli.app import EXIT_USAGE, App, pass_app

#: Hosts that mean "every interface".
_ALL_INTERFACES = ("0.0.0.0", "::", "")


def build_app(
    config: Any,
    db_path: str,
    wait_scale: float = 1.0,
    activity_poll_seconds: float = 60.0,
    on_ready: Any = None,
    host: str = "127.0.0.1",
    issuer_base: str | None = None,
) -> tuple[Any, Any]:
    """The app with every service mounted on one port, and the Step Functions backend it runs.

    `host` is the address the server listens on: the console (`/console`) answers only for it.
    The Cognito directory is the users file of the configuration; without one it is kept next to
    the database (`<db>.users.json`), or in memory with `:memory:`. `issuer_base` makes tokens name
    `<issuer_base>/<poolId>` as their issuer instead of AWS's URL.
    """
    from dataclasses import replace

    from asl import console
    from asl.server import Backend, Settings, create_app, lifespan, step_functions
    from asl.store.db import Database
    from cognito_tasks import service

    if config.users is None and db_path != ":memory:":
        config = replace(config, users=users_file(db_path))
    db = Database(db_path)
    try:
        backend = Backend(
            db, config, Settings(wait_scale=wait_scale, activity_poll_seconds=activity_poll_seconds)
        )
    except BaseException:
        db.close()
        raise

    def health() -> dict[str, Any]:
        failure = db.failure
        return {"status": "failed", "store": failure} if failure else {"store": db.path}

    directory = backend.runner.directory
    directory.issuer_base = issuer_base
    app = create_app(
        [step_functions(backend), service.user_pools(directory), service.identity_pools(directory)],
        routes=[*console.routes(backend, host), *service.routes(directory, host)],
        lifespan=lifespan(backend, on_ready),
        health=health,
        bind_host=host,
    )
    return app, backend


def users_file(db_path: str) -> Path:
    """Where the Cognito directory is kept when the configuration names no users file."""
    db = Path(db_path)
    return db.with_name(db.stem + ".users.json")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Answers go out as headers then body: without NODELAY, Nagle's algorithm holds the body back
    # until the client's delayed ACK (~40 ms per request). Accepted connections inherit the option.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def url(sock: socket.socket, host: str) -> str:
    """The URL clients use for a bound socket."""
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@click.command(
    epilog="Exit codes: 0 stopped by SIGINT/SIGTERM; 2 the configuration, the database or the address is unusable."
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface)."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8083, show_default=True, help="Port; 0 picks a free one."
)
@click.option(
    "--db",
    "db_path",
    metavar="PATH",
    help="SQLite file for state machines, executions and histories (default .asl/asl.db next to the "
    "configuration, or in the current folder); :memory: keeps nothing.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: asl.toml, or [tool.asl] in pyproject.toml, in the current folder).",
)
@click.option(
    "--mock-config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="AWS Step Functions Local MockConfigFile; StartExecution picks a test case with ...:stateMachine:Name#TestCase.",
)
@click.option(
    "--cognito-issuer",
    type=click.Choice(["aws", "server"]),
    default="aws",
    show_default=True,
    help="The issuer Cognito tokens name: AWS's https://cognito-idp.<region>.amazonaws.com/<poolId> (what "
    "pinned verifiers expect), or this server's <url>/<poolId> (for OIDC clients that discover from the issuer).",
)
@click.option(
    "--wait-scale",
    type=click.FloatRange(min=0),
    callback=lambda ctx, param, value: _finite(value),
    default=1.0,
    show_default=True,
    metavar="F",
    help="Multiply Wait states and retry delays by F (0: no waiting), like Step Functions Local's WAIT_TIME_SCALE.",
)
@pass_app
def serve(
    app: App,
    host: str,
    port: int,
    db_path: str | None,
    config_path: Path | None,
    mock_config: Path | None,
    cognito_issuer: str,
    wait_scale: float,
) -> None:
    """Serve the Step Functions and Cognito APIs over HTTP until SIGINT or SIGTERM.

    \b
    Examples:
      asl serve
      asl serve --port 0 --db :memory: --wait-scale 0
      asl serve --cognito-issuer server
      aws stepfunctions list-state-machines --endpoint-url http://127.0.0.1:8083
      aws cognito-idp list-user-pools --max-results 10 --endpoint-url http://127.0.0.1:8083
    """
    import sqlite3

    import uvicorn

    from asl import AslError
    from asl.config import Config, find_config, load_config
    from asl.store.db import StoreLocked

    try:
        found = config_path or find_config(Path.cwd() / "asl.toml")
        config = load_config(found) if found is not None else Config(root=Path.cwd())
        if mock_config is not None:
            config.mock_config = mock_config.resolve()
        if config.test_case:
            app.abort(
                f"{found}: test_case does not apply to asl serve: name the test case in StartExecution's "
                "stateMachineArn (arn:aws:states:...:stateMachine:Name#TestCase)",
                EXIT_USAGE,
            )
        base = found.parent if found is not None else Path.cwd()
        path = db_path or str(base / ".asl" / "asl.db")
        sock = bind(host, port)
    except AslError as exc:
        app.abort(str(exc), EXIT_USAGE)
    except OSError as exc:
        app.abort(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_USAGE)
    address = url(sock, host)
    if host in _ALL_INTERFACES:
        app.err.print(
            f"[bold red]warning:[/] listening on ALL interfaces ({host or '*'}): anyone who can reach this machine "
            "can start executions and read their data. Use --host 127.0.0.1 unless you mean it.",
            highlight=False,
        )

    def ready() -> None:
        click.echo(f"asl serve listening on {address}", nl=True)
        app.err.print(f"console: {address}/console", highlight=False)
        storage = "nothing kept (:memory:)" if path == ":memory:" else path
        app.err.print(f"storage: {storage}", highlight=False)
        users = config.users or (None if path == ":memory:" else users_file(path))
        kept = (
            "in memory"
            if users is None
            else f"{users}{'' if config.save_users else ' (not saved: save_users = false)'}"
        )
        app.err.print(f"cognito users: {kept}", highlight=False)

    try:
        asgi, backend = build_app(
            config,
            path,
            wait_scale=wait_scale,
            on_ready=ready,
            host=host,
            issuer_base=address if cognito_issuer == "server" else None,
        )
    except (AslError, StoreLocked) as exc:
        sock.close()
        app.abort(str(exc), EXIT_USAGE)
    except sqlite3.Error as exc:
        sock.close()
        app.abort(f"{path}: cannot open the database: {exc}", EXIT_USAGE)
    except OSError as exc:  # its folder or its lock file cannot be made (a read-only or virtual file system)
        sock.close()
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != path else ""
        app.abort(f"{path}: cannot open the database: {exc.strerror or exc}{where}", EXIT_USAGE)
    config_ = uvicorn.Config(
        asgi, log_level="warning", lifespan="on", timeout_graceful_shutdown=2, access_log=False
    )
    server = _stopping_server(uvicorn.Server, backend)(config_)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal: end with exit code 0.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _stopped)
    try:
        server.run(sockets=[sock])
    finally:
        app.err.print("asl serve stopped", highlight=False)


def _finite(value: float) -> float:
    """A scale that is a number (FloatRange takes nan and inf: every comparison with nan is false)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number (0 means no waiting)")
    return value


def _stopping_server(base: Any, backend: Any) -> Any:
    """The uvicorn Server, answering the requests that wait (`Runtime.stop_waiting`) as it starts to stop."""

    class Server(base):  # type: ignore[misc]
        async def shutdown(self, sockets: Any = None) -> None:
            backend.runtime.stop_waiting()
            await super().shutdown(sockets)

    return Server


def _stopped(signum: int, frame: Any) -> None:
    raise SystemExit(0)
