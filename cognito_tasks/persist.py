"""Saving, loading and locking a `UserDirectory` as a JSON file (the `--users` file).

`save` writes through the project's one atomic writer (temporary file in the same folder, fsync,
rename), with permissions 0600 whatever the umask or the old file's mode: the document holds each
pool's private signing keys (PEM), password hashes (Argon2id), SRP verifiers, TOTP secrets and, for
a seeded directory, the seed every code derives from. A reader (or a crash at any instant) sees
either the old or the new complete document.

`load` accepts only a document that passes `cognito_tasks.schema` (closed objects, enums, ranges,
hex/base32 patterns), has no duplicate pool, client, group or user, and whose keys parse, so a
loaded directory never fails later inside a task with a TypeError or ValueError. Every problem is
reported with the file and the JSON pointer of the bad value. Version 1 documents (asl-runner
before 0.2) are upgraded on load: their PBKDF2 password hashes are wrapped in Argon2id at once, a
seed that asl-runner drew itself (32 hex digits) is dropped, so ids and codes become unpredictable,
and temporary passwords of users who replaced them are erased.

`lock` holds an exclusive lock (`<file>.lock` next to it) across load, run and save, so concurrent
`asl run --users same.json` processes take turns instead of losing each other's updates.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
import typing
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import filelock

from asl.errors import InputError
from asl.files import write_atomically
from cognito_tasks import model, passwords, schema, tokens
from cognito_tasks.csv_import import csv_header, import_csv
from cognito_tasks.directory import UserDirectory
from cognito_tasks.model import UserPool, UserStatus

__all__ = [
    "FORMAT",
    "VERSION",
    "csv_header",
    "dumps",
    "from_dict",
    "import_csv",
    "load",
    "lock",
    "save",
    "to_dict",
]

FORMAT = "asl-runner/cognito-directory"
VERSION = 2
#: Permissions of the users file and its lock file: they hold secrets.
FILE_MODE = 0o600
_POOL_LISTS = ("custom_attributes", "standard_attributes", "clients", "users", "groups")
_DRAWN_SEED = re.compile(r"^[0-9a-f]{32}$")
_T = typing.TypeVar("_T")


_PLAIN = (str, int, float, bool, type(None))


@functools.cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if not f.name.startswith("_"))


def _encode(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return {name: _encode(getattr(value, name)) for name in _names(type(value))}  # type: ignore[arg-type]


def _same(value: Any) -> Any:
    return value


@functools.cache
def _converter(hint: Any) -> Callable[[Any], Any]:
    """A function turning a JSON value into the Python value of type `hint` (built once per hint)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if args and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        optional = _converter(inner)
        return lambda v: None if v is None else optional(v)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return functools.partial(_decode, hint)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if origin is list:
        item = _converter(args[0])
        return _same if item is _same else (lambda v: [item(x) for x in v])
    if origin is dict:
        value = _converter(args[1])
        return _same if value is _same else (lambda v: {k: value(x) for k, x in v.items()})
    if hint is float:
        return float
    return _same


@functools.cache
def _fields(cls: type) -> dict[str, Callable[[Any], Any]]:
    hints = typing.get_type_hints(cls, vars(model))
    return {f.name: _converter(hints[f.name]) for f in dataclasses.fields(cls)}


def _decode(cls: type[_T], data: dict[str, Any]) -> _T:
    fields = _fields(cls)  # type: ignore[arg-type]
    return cls(**{k: fields[k](v) for k, v in data.items() if k in fields})


def _pool_dict(pool: UserPool) -> dict[str, Any]:
    out = _encode(dataclasses.replace(pool, keys=None))
    for name in _POOL_LISTS:
        out[name] = [_encode(v) for v in getattr(pool, name).values()]
    keys = pool.keys
    out["keys"] = (
        None if keys is None else {"id": keys.id_token.private_pem, "access": keys.access_token.private_pem}
    )
    return dict(out)


#: OAuth members that files written before the OAuth endpoints kept as inert client settings.
_OLD_OAUTH = {
    "AllowedOAuthFlowsUserPoolClient": "enabled",
    "AllowedOAuthFlows": "flows",
    "AllowedOAuthScopes": "scopes",
    "CallbackURLs": "callback_urls",
    "LogoutURLs": "logout_urls",
    "DefaultRedirectURI": "default_redirect_uri",
    "SupportedIdentityProviders": "identity_providers",
}


def _client_from(data: dict[str, Any]) -> model.AppClient:
    client = _decode(model.AppClient, data)
    for member, name in _OLD_OAUTH.items():
        if member in client.settings:
            setattr(client.oauth, name, client.settings.pop(member))
    return client


def _pool_from(data: dict[str, Any]) -> UserPool:
    plain = {k: v for k, v in data.items() if k not in (*_POOL_LISTS, "keys")}
    pool = _decode(UserPool, plain)
    pool.custom_attributes = {
        a.name: a for a in (_decode(model.SchemaAttribute, x) for x in data["custom_attributes"])
    }
    pool.standard_attributes = {
        a.name: a for a in (_decode(model.SchemaAttribute, x) for x in data["standard_attributes"])
    }
    pool.clients = {c.id: c for c in (_client_from(x) for x in data["clients"])}
    pool.users = {pool.username_key(u.username): u for u in (_decode(model.User, x) for x in data["users"])}
    pool.groups = {g.name: g for g in (_decode(model.Group, x) for x in data["groups"])}
    keys = data.get("keys")
    if keys is not None:
        pool.keys = tokens.PoolKeys(tokens.SigningKey(keys["id"]), tokens.SigningKey(keys["access"]))
    return pool


def to_dict(directory: UserDirectory) -> dict[str, Any]:
    """The directory as a JSON-ready document."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "region": directory.region,
        "account_id": directory.account_id,
        "seed": directory.seed,
        "counter": directory.counter,
        "fixed_code": directory.fixed_code,
        "pools": [_pool_dict(p) for p in directory.pools.values()],
        "codes": [_encode(c) for c in directory.codes],
        "events": [_encode(e) for e in directory.events],
        "sessions": [_encode(s) for s in directory.sessions.values()],
        "challenges": [_encode(c) for c in directory.challenges.values()],
        "identity_pools": [_encode(p) for p in directory.identity_pools.values()],
        "identities": [_encode(i) for i in directory.identities.values()],
        "identity_key": directory.identity_key.private_pem if directory.identity_key else None,
    }


def _upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 document in version 2's shape (seed drawn by us dropped, MFA flag moved)."""
    data = {**data, "version": VERSION}
    seed = data.get("seed")
    if isinstance(seed, str) and _DRAWN_SEED.match(seed):
        data["seed"] = None
    pools = data.get("pools")
    for pool in pools if isinstance(pools, list) else []:
        people = pool.get("users") if isinstance(pool, dict) else None
        for user in people if isinstance(people, list) else []:
            if isinstance(user, dict) and "mfa_enabled" in user:
                user["mfa"] = {"sms_enabled": user.pop("mfa_enabled")}
    return data


def _duplicates(data: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def check(items: list[Any], key: Callable[[Any], str], where: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            value = key(item)
            if value in seen:
                found.append(f"{where}/{i}: duplicate {value!r}")
            seen.add(value)

    check(data["pools"], lambda p: p["id"], "/pools")
    for n, raw in enumerate(data["pools"]):
        folds = raw.get("case_sensitive") is False
        check(
            raw["users"],
            lambda u, f=folds: u["username"].casefold() if f else u["username"],  # type: ignore[misc]
            f"/pools/{n}/users",
        )
        check(raw["clients"], lambda c: c["id"], f"/pools/{n}/clients")
        check(raw["groups"], lambda g: g["name"], f"/pools/{n}/groups")
    return found


def _bad_keys(pools: list[UserPool]) -> list[str]:
    found: list[str] = []
    for n, pool in enumerate(pools):
        if pool.keys is None:
            continue
        for name, key in (("id", pool.keys.id_token), ("access", pool.keys.access_token)):
            try:
                key.private_key()
            except (ValueError, TypeError, UnicodeError) as exc:
                found.append(f"/pools/{n}/keys/{name}: not an RSA private key in PEM ({exc})")
    return found


def _migrate_secrets(directory: UserDirectory) -> None:
    """Wrap legacy PBKDF2 hashes in Argon2id; erase temporary passwords no longer in use."""
    for pool in directory.pools.values():
        for user in pool.users.values():
            if user.password_hash and passwords.is_legacy(user.password_hash):
                user.password_hash = passwords.wrap_legacy(user.password_hash)
            user.password_history = [passwords.wrap_legacy(h) for h in user.password_history]
            if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
                directory.forget_temporary_passwords(pool, user)


def from_dict(data: Any, *, key_factory: tokens.KeyFactory | None = None, where: str = "") -> UserDirectory:
    """A directory from `to_dict`'s document (or a version-1 one); InputError naming each bad value."""
    prefix = f"{where}: " if where else ""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{prefix}not a saved Cognito user directory (expected format {FORMAT!r})")
    if data.get("version") == 1:
        data = _upgrade_v1(data)
    if data.get("version") != VERSION:
        raise InputError(f"{prefix}unsupported Cognito user directory version {data.get('version')!r}")
    problems = schema.problems(data) or _duplicates(data)
    if problems:
        raise InputError(_report(prefix, problems))
    directory = UserDirectory(
        region=data["region"],
        account_id=data["account_id"],
        seed=data["seed"],
        key_factory=key_factory,
        fixed_code=data.get("fixed_code"),
    )
    directory.counter = data["counter"]
    pools = [_pool_from(p) for p in data["pools"]]
    problems = _bad_keys(pools)
    if problems:
        raise InputError(_report(prefix, problems))
    directory.pools = {p.id: p for p in pools}
    directory.codes = [_decode(model.IssuedCode, c) for c in data["codes"]]
    directory.events = [_decode(model.Event, e) for e in data["events"]]
    for session in data["sessions"]:
        directory.add_session(_decode(model.AuthSession, session))
    directory.challenges = {c["session"]: _decode(model.Challenge, c) for c in data["challenges"]}
    directory.identity_pools = {
        p.id: p for p in (_decode(model.IdentityPool, x) for x in data.get("identity_pools", []))
    }
    directory.identities = {i.id: i for i in (_decode(model.Identity, x) for x in data.get("identities", []))}
    if data.get("identity_key"):
        directory.identity_key = tokens.SigningKey(data["identity_key"])
        try:
            directory.identity_key.private_key()
        except (ValueError, TypeError, UnicodeError) as exc:
            raise InputError(
                _report(prefix, [f"/identity_key: not an RSA private key in PEM ({exc})"])
            ) from None
    _migrate_secrets(directory)
    return directory


def _report(prefix: str, problems: list[str]) -> str:
    shown = problems[:10]
    more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    lines = "\n".join(f"  {p}" for p in shown)
    return f"{prefix}not a valid Cognito user directory:\n{lines}{more}"


def dumps(directory: UserDirectory) -> str:
    """The directory's document as the text `save` writes."""
    return json.dumps(to_dict(directory), indent=1, ensure_ascii=False)


def save(directory: UserDirectory, path: str | os.PathLike[str], text: str | None = None) -> None:
    """Write the directory (or its `dumps` text) to `path` atomically, mode 0600; InputError if it cannot."""
    text = dumps(directory) if text is None else text
    try:
        write_atomically(path, text, mode=FILE_MODE)
    except OSError as exc:
        raise InputError(
            f"cannot write the Cognito user directory {os.fspath(path)}: {exc.strerror or exc}"
        ) from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def load(path: str | os.PathLike[str], *, key_factory: tokens.KeyFactory | None = None) -> UserDirectory:
    """Read a directory `save` wrote; InputError if the file is missing, not UTF-8 JSON, or invalid."""
    where = os.fspath(path)
    from asl.files import read_bytes

    try:
        raw = read_bytes(path)  # a regular file only, and bounded (not /dev/zero or a pipe)
    except OSError as exc:
        raise InputError(f"cannot read Cognito user directory {where}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not UTF-8 text (byte {exc.start}); a users file is JSON written by asl-runner"
        ) from None
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{where} is not usable JSON: {exc}") from None
    return from_dict(data, key_factory=key_factory, where=where)


@contextlib.contextmanager
def lock(path: str | os.PathLike[str], *, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold `<path>.lock` exclusively (waiting for another holder); InputError if it cannot be made."""
    target = Path(path)
    holder = filelock.FileLock(str(target.with_name(target.name + ".lock")), mode=FILE_MODE)
    try:
        try:
            holder.acquire(timeout=0)
        except filelock.Timeout:
            if on_wait is not None:
                on_wait()
            holder.acquire()
    except OSError as exc:
        raise InputError(
            f"cannot lock the Cognito user directory {os.fspath(path)}: {exc.strerror or exc} "
            f"(its folder must be writable to save it)"
        ) from None
    try:
        yield
    finally:
        holder.release()
