"""`asl cognito`: inspect and prepare the local Cognito user directory a run uses (a JSON file)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from asl.errors import InputError
from cli.app import EXIT_FAILED, EXIT_USAGE, App, pass_app
from cognito_tasks import UserDirectory, persist
from cognito_tasks.model import UserPool

_USERS_HELP = "The user directory file (JSON written by asl-runner)."


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _load(app: App, path: Path) -> UserDirectory:
    try:
        return persist.load(path)
    except InputError as exc:
        app.abort(str(exc), EXIT_USAGE)


def _save(app: App, directory: UserDirectory, path: Path) -> None:
    try:
        persist.save(directory, path)
    except InputError as exc:
        app.abort(str(exc), EXIT_USAGE)


@contextlib.contextmanager
def _locked(app: App, path: Path) -> Iterator[None]:
    """Hold the users file while a command reads and writes it back (as `asl run` does)."""

    def waiting() -> None:
        app.err.print(f"waiting for {path}: another command is using it", highlight=False)

    try:
        with persist.lock(path, on_wait=waiting):
            yield
    except InputError as exc:
        app.abort(str(exc), EXIT_USAGE)


def _pool(app: App, directory: UserDirectory, pool_id: str) -> UserPool:
    pool = directory.pools.get(pool_id)
    if pool is None:
        known = ", ".join(directory.pools) or "none"
        app.abort(f"no user pool {pool_id!r} in the directory (pools: {known})", EXIT_USAGE)
    return pool


def _pools(app: App, directory: UserDirectory, pool_id: str | None) -> list[UserPool]:
    if pool_id is None:
        return list(directory.pools.values())
    return [_pool(app, directory, pool_id)]


#: Columns holding ids, tokens or codes: never wrapped or cut, so a piped table can be copied from.
_WHOLE = {"Pool", "Username", "Code", "Subject", "Issuer", "Clients"}


def _table(*headers: str) -> Table:
    table = Table()
    for header in headers:
        if header in _WHOLE:
            table.add_column(header, no_wrap=True, overflow="ignore")
        else:
            table.add_column(header, overflow="fold")
    return table


def _print_table(app: App, table: Table) -> None:
    """A terminal table fits the window; piped, it is as wide as its longest row (ids stay whole)."""
    if app.interactive:
        app.out.print(table)
        return
    from rich.measure import Measurement

    natural = Measurement.get(app.out, app.out.options.update(max_width=100_000), table).maximum
    width = app.out.width
    app.out.width = max(natural, width)
    try:
        app.out.print(table)
    finally:
        app.out.width = width


def _print_json(app: App, value: Any) -> None:
    app.out.print(json.dumps(value, indent=2), markup=False, highlight=False, emoji=False, soft_wrap=True)


@click.group("cognito")
def cognito() -> None:
    """Inspect and prepare local Cognito user directories (JSON files).

    \b
      asl cognito init --users users.json --pool-name demo    a file with one pool and one client
      asl cognito jwks --users users.json --pool POOL_ID      the pool's JWKS (what verifiers fetch)
      asl cognito pools|users|codes|events --users users.json  (codes: the outbox)
      asl cognito verify --users users.json TOKEN             as API Gateway's authorizer would
      asl cognito import-csv --users users.json --pool POOL_ID FILE.csv

    Exit codes: 0 success; 1 verify refused the token; 2 a missing or unreadable file, an
    unknown pool, or a bad CSV.
    """


@cognito.command("init")
@click.option(
    "--users", "users_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=_USERS_HELP
)
@click.option("--pool-name", default="local", show_default=True, help="Name of the pool to create.")
@click.option("--client-name", default="local", show_default=True, help="Name of its app client.")
@click.option(
    "--region", default="us-east-1", show_default=True, help="Region in pool ids and token issuers."
)
@click.option(
    "--seed",
    default=None,
    help="Seed for deterministic ids, codes and tokens: for fixtures only (anyone who knows it can predict them).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_app
def init(
    app: App, users_file: Path, pool_name: str, client_name: str, region: str, seed: str | None, force: bool
) -> None:
    """Create a directory file with one pool and one client allowing password and refresh sign-in."""
    from cognito_tasks.api import call
    from cognito_tasks.errors import CognitoError

    if users_file.exists() and not force:
        app.abort(f"{users_file} exists; pass --force to overwrite it", EXIT_USAGE)
    directory = UserDirectory(region=region, seed=seed)
    now = datetime.now(UTC).timestamp()
    flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    # Checked as AWS checks them (botocore's cognito-idp model): PoolName and ClientName are 1 to 128
    # characters matching [\w\s+=,.@-]+. Nothing is written unless both pass.
    option = "--pool-name"
    try:
        pool_id = call(directory, "CreateUserPool", {"PoolName": pool_name}, now)["UserPool"]["Id"]
        option = "--client-name"
        request = {"UserPoolId": pool_id, "ClientName": client_name, "ExplicitAuthFlows": flows}
        client_id = call(directory, "CreateUserPoolClient", request, now)["UserPoolClient"]["ClientId"]
    except CognitoError as exc:
        app.abort(f"{option}: {exc.message}", EXIT_USAGE)
    _save(app, directory, users_file)
    _print_json(app, {"UserPoolId": pool_id, "ClientId": client_id})


@cognito.command("jwks")
@click.option(
    "--users", "users_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=_USERS_HELP
)
@click.option("--pool", "pool_id", required=True, help="User pool id, e.g. us-east-1_AbC123xyz.")
@pass_app
def jwks(app: App, users_file: Path, pool_id: str) -> None:
    """Print the pool's JWKS (keys are created and saved on first use, so tokens match later runs)."""
    with _locked(app, users_file):
        directory = _load(app, users_file)
        pool = _pool(app, directory, pool_id)
        fresh = pool.keys is None
        document = directory.jwks(pool_id)
        if fresh:
            _save(app, directory, users_file)
    _print_json(app, document)


@cognito.command("pools")
@click.option(
    "--users", "users_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=_USERS_HELP
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def pools(app: App, users_file: Path, as_json: bool) -> None:
    """List the pools with their clients and user counts."""
    directory = _load(app, users_file)
    if as_json:
        _print_json(
            app,
            [
                {
                    "UserPoolId": pool.id,
                    "Name": pool.name,
                    "Clients": [{"ClientId": c.id, "ClientName": c.name} for c in pool.clients.values()],
                    "Users": len(pool.users),
                    "Groups": len(pool.groups),
                    "Issuer": directory.issuer(pool),
                    "MfaConfiguration": pool.mfa_configuration,
                    "LambdaConfig": pool.lambda_config,
                }
                for pool in directory.pools.values()
            ],
        )
        return
    table = _table("Pool", "Name", "Clients", "Users", "Groups", "Issuer")
    for pool in directory.pools.values():
        clients = ", ".join(f"{c.id} ({c.name})" for c in pool.clients.values())
        table.add_row(
            pool.id, pool.name, clients, str(len(pool.users)), str(len(pool.groups)), directory.issuer(pool)
        )
    _print_table(app, table)


@cognito.command("users")
@click.option(
    "--users", "users_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=_USERS_HELP
)
@click.option("--pool", "pool_id", default=None, help="Only this pool.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def users(app: App, users_file: Path, pool_id: str | None, as_json: bool) -> None:
    """List users: status, enabled, attributes and groups."""
    directory = _load(app, users_file)
    rows = [(pool, user) for pool in _pools(app, directory, pool_id) for user in pool.users.values()]
    if as_json:
        _print_json(
            app,
            [
                {
                    "UserPoolId": pool.id,
                    "Username": u.username,
                    "UserStatus": str(u.status),
                    "Enabled": u.enabled,
                    "Attributes": u.attributes,
                    "Groups": u.groups,
                }
                for pool, u in rows
            ],
        )
        return
    table = _table("Pool", "Username", "Status", "Enabled", "Email", "Groups", "Created")
    for pool, user in rows:
        table.add_row(
            pool.id,
            user.username,
            str(user.status),
            "yes" if user.enabled else "no",
            user.attributes.get("email", ""),
            ", ".join(user.groups),
            _when(user.created),
        )
    _print_table(app, table)


@cognito.command("codes")
@click.option(
    "--users", "users_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=_USERS_HELP
)
@click.option("--pool", "pool_id", default=None, help="Only this pool.")
@click.option("--username", default=None, help="Only codes sent to this user.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def codes(app: App, users_file: Path, pool_id: str | None, username: str | None, as_json: bool) -> None:
    """List the outbox: confirmation, reset and MFA codes and temporary passwords the pools 'sent'."""
    directory = _load(app, users_file)
    if pool_id is not None:
        _pool(app, directory, pool_id)
    chosen = [
        c
        for c in directory.codes
        if (pool_id is None or c.pool_id == pool_id) and (username is None or c.username == username)
    ]
    if as_json:
        from cognito_tasks import wire

        _print_json(app, [wire.outbox_entry(c) for c in chosen])
        return
    table = _table("Pool", "Username", "Purpose", "Code", "Sent to", "Used", "Issued")
    for c in chosen:
        sent = f"{c.medium} {c.destination or ''}".strip() if c.medium else "(suppressed)"
        table.add_row(
            c.pool_id, c.username, str(c.purpose), c.code, sent, "yes" if c.used else "", _when(c.issued)
        )
    _print_table(app, table)


@cognito.command("events")
@click.option(
    "--users", "users_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=_USERS_HELP
)
@click.option("--pool", "pool_id", default=None, help="Only this pool.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def events(app: App, users_file: Path, pool_id: str | None, as_json: bool) -> None:
    """List what changed in the directory, oldest first."""
    directory = _load(app, users_file)
    chosen = [e for e in directory.events if pool_id is None or e.pool_id == pool_id]
    if as_json:
        _print_json(
            app,
            [
                {
                    "Time": datetime.fromtimestamp(e.time, UTC).isoformat(),
                    "Event": str(e.kind),
                    "UserPoolId": e.pool_id,
                    "Subject": e.subject,
                    "Detail": e.detail,
                }
                for e in chosen
            ],
        )
        return
    table = _table("Time", "Event", "Pool", "Subject", "Detail")
    for e in chosen:
        table.add_row(_when(e.time), str(e.kind), e.pool_id, e.subject, e.detail)
    _print_table(app, table)


@cognito.command("verify")
@click.option(
    "--users", "users_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=_USERS_HELP
)
@click.option("--pool", "pool_id", default=None, help="Accept only tokens of this pool.")
@click.option(
    "--client-id", "client_ids", multiple=True, help="Accept only tokens of this app client (repeatable)."
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="Require this OAuth scope (repeatable); access tokens only, as API Gateway.",
)
@click.option("--now", "at", type=float, default=None, help="Check expiry at this epoch time instead of now.")
@click.argument("token")
@pass_app
def verify(
    app: App,
    users_file: Path,
    pool_id: str | None,
    client_ids: tuple[str, ...],
    scopes: tuple[str, ...],
    at: float | None,
    token: str,
) -> None:
    """Check TOKEN as API Gateway's Cognito authorizer does; print its claims, or why it would be refused.

    \b
      asl cognito verify --users users.json "$ID_TOKEN"
      asl cognito verify --users users.json --scope orders/read "Bearer $ACCESS_TOKEN"

    Exit codes: 0 the token is accepted (claims on stdout); 1 a gateway would answer 401 (the
    reason on stderr); 2 a missing or unreadable users file.
    """
    from cognito_tasks.verify import authorize

    directory = _load(app, users_file)
    outcome = authorize(
        directory,
        token,
        now=at,
        pool_id=pool_id,
        client_ids=list(client_ids) or None,
        scopes=list(scopes) or None,
    )
    if not outcome.allowed:
        app.err.print(f"401 Unauthorized: {outcome.reason} ({outcome.code})", highlight=False, markup=False)
        raise SystemExit(EXIT_FAILED)
    _print_json(app, outcome.claims)


@cognito.command("import-csv")
@click.option(
    "--users", "users_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=_USERS_HELP
)
@click.option("--pool", "pool_id", required=True, help="User pool id to import into.")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_csv(app: App, users_file: Path, pool_id: str, csv_file: Path) -> None:
    """Import users from a Cognito user-import CSV (they start in RESET_REQUIRED, without a password)."""
    with _locked(app, users_file):
        directory = _load(app, users_file)
        _pool(app, directory, pool_id)
        try:
            added = persist.import_csv(directory, pool_id, csv_file, datetime.now(UTC).timestamp())
        except InputError as exc:
            app.abort(f"{csv_file}: {exc}", EXIT_USAGE)
        _save(app, directory, users_file)
    app.err.print(f"imported {len(added)} user(s) into {pool_id}", highlight=False)
