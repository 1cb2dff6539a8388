"""Importing Cognito's user-import CSV into a pool.

The format follows Cognito's user-import jobs [doc]: the header names columns from
`csv_header(pool)` (`cognito:username`, the standard attributes, `cognito:mfa_enabled`, the pool's
custom attributes) in any order; `cognito:username` and `cognito:mfa_enabled` are required; each
user needs `email_verified` or `phone_number_verified` true. Imported users have no password and
the status RESET_REQUIRED, as on AWS; `cognito:mfa_enabled` true turns on SMS MFA for the user. The
import is all-or-nothing.
"""

from __future__ import annotations

import csv
import io
import os

from asl.errors import InputError
from cognito_tasks import attributes as attrs
from cognito_tasks import users
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import CognitoError
from cognito_tasks.model import User, UserMfa, UserPool, UserStatus

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
        from asl.files import FileReadError, read_text

        try:
            text = read_text(source)  # a regular file only, bounded; a byte-order mark dropped
        except FileReadError as exc:
            raise InputError(exc.reason) from None
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
                mfa=UserMfa(sms_enabled=_truthy(row.get("cognito:mfa_enabled") or "")),
            )
        )
    for user in created:
        directory.add_user(pool, user)
    return created
