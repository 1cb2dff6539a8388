"""Saving and loading a `UserDirectory` as JSON, and importing Cognito's user-import CSV.

`save` writes a temporary file in the target's directory, fsyncs it, and `os.replace`s it over
the target, so a reader (or a crash at any instant) sees either the old or the new complete
document, never a torn one. A writer killed mid-save may leave a `.<name>.*.tmp` file behind;
it is never read. The document carries everything needed to continue a run: pools, users
(password hashes only), codes, sessions and refresh tokens, the id stream position, and each
pool's private signing keys (PEM), so tokens issued in one run still verify in the next.

CSV import follows Cognito's user-import format [doc]: the header names columns from
`csv_header(pool)` (`cognito:username`, the standard attributes, `cognito:mfa_enabled`, the
pool's custom attributes) in any order; `cognito:username` and `cognito:mfa_enabled` are
required; each user needs `email_verified` or `phone_number_verified` true. Imported users have
no password and the status RESET_REQUIRED, as on AWS; the import is all-or-nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from asl.errors import InputError
from asl.files import write_atomically
from cognito_tasks import attributes as attrs
from cognito_tasks import tokens, users
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import CognitoError
from cognito_tasks.model import (
    AppClient,
    AuthSession,
    Challenge,
    CodePurpose,
    Event,
    EventKind,
    Group,
    IssuedCode,
    PasswordPolicy,
    SchemaAttribute,
    User,
    UserPool,
    UserStatus,
)

FORMAT = "asl-runner/cognito-directory"
VERSION = 1
T = TypeVar("T")


def _plain(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj) if not f.name.startswith("_")}


def _build(cls: type[T], data: dict[str, Any]) -> T:
    return cls(**data)


def _pool_dict(pool: UserPool) -> dict[str, Any]:
    out = {
        k: v
        for k, v in _plain(pool).items()
        if k
        not in (
            "password_policy",
            "custom_attributes",
            "standard_attributes",
            "clients",
            "users",
            "groups",
            "keys",
        )
    }
    out["password_policy"] = _plain(pool.password_policy)
    out["custom_attributes"] = [_plain(a) for a in pool.custom_attributes.values()]
    out["standard_attributes"] = [_plain(a) for a in pool.standard_attributes.values()]
    out["clients"] = [_plain(c) for c in pool.clients.values()]
    out["users"] = [{**_plain(u), "status": str(u.status)} for u in pool.users.values()]
    out["groups"] = [_plain(g) for g in pool.groups.values()]
    keys = pool.keys
    out["keys"] = (
        None if keys is None else {"id": keys.id_token.private_pem, "access": keys.access_token.private_pem}
    )
    return out


def _pool_from(data: dict[str, Any]) -> UserPool:
    data = dict(data)
    policy = _build(PasswordPolicy, data.pop("password_policy"))
    custom = [_build(SchemaAttribute, a) for a in data.pop("custom_attributes")]
    standard = [_build(SchemaAttribute, a) for a in data.pop("standard_attributes")]
    clients = [_build(AppClient, c) for c in data.pop("clients")]
    people = [_build(User, {**u, "status": UserStatus(u["status"])}) for u in data.pop("users")]
    groups = [_build(Group, g) for g in data.pop("groups")]
    keys = data.pop("keys")
    pool = _build(UserPool, data)
    pool.password_policy = policy
    pool.custom_attributes = {a.name: a for a in custom}
    pool.standard_attributes = {a.name: a for a in standard}
    pool.clients = {c.id: c for c in clients}
    pool.users = {pool.username_key(u.username): u for u in people}
    pool.groups = {g.name: g for g in groups}
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
        "codes": [{**_plain(c), "purpose": str(c.purpose)} for c in directory.codes],
        "events": [{**_plain(e), "kind": str(e.kind)} for e in directory.events],
        "sessions": [_plain(s) for s in directory.sessions.values()],
        "challenges": [_plain(c) for c in directory.challenges.values()],
    }


def from_dict(data: dict[str, Any], *, key_factory: tokens.KeyFactory | None = None) -> UserDirectory:
    """A directory from `to_dict`'s document; InputError if it is not one."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not a saved Cognito user directory (expected format {FORMAT!r})")
    if data.get("version") != VERSION:
        raise InputError(f"unsupported Cognito user directory version {data.get('version')!r}")
    try:
        directory = UserDirectory(
            region=data["region"],
            account_id=data["account_id"],
            seed=data["seed"],
            key_factory=key_factory,
            fixed_code=data.get("fixed_code"),
        )
        directory.counter = int(data["counter"])
        directory.pools = {p.id: p for p in (_pool_from(p) for p in data["pools"])}
        directory.codes = [
            _build(IssuedCode, {**c, "purpose": CodePurpose(c["purpose"])}) for c in data["codes"]
        ]
        directory.events = [_build(Event, {**e, "kind": EventKind(e["kind"])}) for e in data["events"]]
        for session in data["sessions"]:
            directory.add_session(_build(AuthSession, session))
        directory.challenges = {c["session"]: _build(Challenge, c) for c in data["challenges"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"damaged Cognito user directory: {exc!r}") from exc
    return directory


def save(directory: UserDirectory, path: str | os.PathLike[str]) -> None:
    """Write the directory to `path` atomically (temp file in the same folder, fsync, os.replace)."""
    write_atomically(path, json.dumps(to_dict(directory), indent=1, ensure_ascii=False))


def load(path: str | os.PathLike[str], *, key_factory: tokens.KeyFactory | None = None) -> UserDirectory:
    """Read a directory `save` wrote; InputError if the file is missing or not one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read Cognito user directory {os.fspath(path)}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{os.fspath(path)} is not JSON: {exc}") from exc
    return from_dict(data, key_factory=key_factory)


# -- CSV import ----------------------------------------------------------------------------------

#: Cognito's import CSV lists each standard attribute, with its `_verified` flag right after it.
_CSV_STANDARD = tuple(
    column
    for name in attrs.STANDARD
    for column in (name, f"{name}_verified")
    if column in attrs.STANDARD or column in attrs.VERIFIED
)


def csv_header(pool: UserPool) -> list[str]:
    """The columns GetCSVHeader gives for `pool` (developer-only attributes excluded)."""
    custom = [name for name, entry in pool.custom_attributes.items() if not entry.developer_only]
    return ["cognito:username", *_CSV_STANDARD, "cognito:mfa_enabled", *custom]


def _truthy(value: str) -> bool:
    return value.strip().lower() == "true"


def import_csv(
    directory: UserDirectory, pool_id: str, source: str | os.PathLike[str] | io.TextIOBase, now: float
) -> list[User]:
    """Add the users of a Cognito user-import CSV to the pool (RESET_REQUIRED, no password)."""
    try:
        pool = directory.pool(pool_id)
    except CognitoError as exc:
        raise InputError(exc.message) from exc
    if isinstance(source, io.TextIOBase):
        text = source.read()
    else:
        text = Path(source).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    columns = list(reader.fieldnames or [])
    unknown = [c for c in columns if c not in csv_header(pool)]
    if unknown:
        raise InputError(f"CSV columns not in the pool's header: {', '.join(unknown)}")
    for required in ("cognito:username", "cognito:mfa_enabled"):
        if required not in columns:
            raise InputError(f"the CSV header must include {required}")
    created: list[User] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        username = (row.get("cognito:username") or "").strip()
        try:
            if not username:
                raise InputError("cognito:username is empty")
            if not (
                _truthy(row.get("email_verified") or "") or _truthy(row.get("phone_number_verified") or "")
            ):
                raise InputError("email_verified or phone_number_verified must be true")
            login = users.sign_in_name(pool, username)
            users.ensure_new(pool, username, login, "User account already exists")
            if pool.username_key(username) in seen:
                raise InputError(f"duplicate user {username}")
            seen.add(pool.username_key(username))
            given = {c: (row.get(c) or "").strip() for c in columns if not c.startswith("cognito:")}
            changes = [
                {"Name": c, "Value": v}
                for c, v in given.items()
                if v and not (c.endswith("_verified") and not given.get(c[: -len("_verified")]))
            ]
            values = attrs.apply(pool, {login: username} if login else {}, changes, creating=True)
        except CognitoError as exc:
            raise InputError(f"CSV line {line}: {exc.message.strip()}") from exc
        except InputError as exc:
            raise InputError(f"CSV line {line}: {exc}") from exc
        sub = directory.new_uuid()
        created.append(
            User(
                username=sub if login else username,
                attributes={"sub": sub, **values},
                status=UserStatus.RESET_REQUIRED,
                created=now,
                modified=now,
                mfa_enabled=_truthy(row.get("cognito:mfa_enabled") or ""),
            )
        )
    for user in created:
        directory.add_user(pool, user)
    return created
