"""User rules shared by several actions: usernames, aliases, passwords, secret hashes, code delivery.

Choices where AWS is not documented [belief]:
* Username messages: "Username should be an email." / "Username should be a phone number." in
  email/phone-as-username pools; "Username cannot be of email format, since user pool is
  configured for email alias." (and the phone_number variant) in alias pools.
* A code goes to the auto-verified attribute the user has, email before phone; an invitation
  goes to each of the DesiredDeliveryMediums (default SMS [doc]; without a phone number nothing
  is sent).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from cognito_tasks import attributes as attrs
from cognito_tasks import messages, passwords, srp
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    AliasExistsException,
    InvalidParameterException,
    NotAuthorizedException,
    PasswordHistoryPolicyViolationException,
    UsernameExistsException,
)
from cognito_tasks.model import AppClient, CodePurpose, IssuedCode, User, UserPool, UserStatus

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{4,15}$")
_DAY = 86400.0


def looks_like(attribute: str, value: str) -> bool:
    """True if `value` has the format of an email or a phone number."""
    return bool((_EMAIL if attribute == "email" else _PHONE).match(value))


def sign_in_name(pool: UserPool, username: str) -> str | None:
    """For email/phone-as-username pools, the attribute `username` fills; else None. Checks the format."""
    if not pool.username_attributes:
        for attr in pool.alias_attributes:
            if attr in ("email", "phone_number") and looks_like(attr, username):
                kind = "email" if attr == "email" else "phone"
                raise InvalidParameterException(
                    f"Username cannot be of {kind} format, since user pool is configured for {attr} alias."
                )
        return None
    for attr in pool.username_attributes:
        if looks_like(attr, username):
            return attr
    if pool.username_attributes == ["phone_number"]:
        raise InvalidParameterException("Username should be a phone number.")
    if "phone_number" in pool.username_attributes:
        raise InvalidParameterException("Username should be either an email or a phone number.")
    raise InvalidParameterException("Username should be an email.")


def ensure_new(pool: UserPool, username: str, attribute: str | None, message: str) -> None:
    """UsernameExistsException if the username (or email/phone used as one) is taken."""
    if pool.username_key(username) in pool.users:
        raise UsernameExistsException(message)
    if attribute is None:
        return
    for user in pool.users.values():
        value = user.attributes.get(attribute)
        if value is not None and pool.same_login(attribute, value, username):
            raise UsernameExistsException(message)


def claim_aliases(
    directory: UserDirectory, pool: UserPool, user: User | None, attributes: dict[str, str], *, force: bool
) -> None:
    """AliasExistsException if a verified email/phone alias in `attributes` belongs to another user.

    With `force` (ForceAliasCreation) the alias moves: the other user's attribute becomes unverified.
    """
    for attr in ("email", "phone_number"):
        if attr not in pool.alias_attributes or attributes.get(f"{attr}_verified") != "true":
            continue
        value = attributes.get(attr)
        for other in pool.users.values():
            theirs = other.attributes.get(attr)
            if (
                other is user
                or not other.verified(attr)
                or theirs is None
                or not pool.same_name(theirs, value or "")
            ):
                continue
            if not force:
                raise AliasExistsException(f"An account with the given {attr} already exists.")
            other.attributes[f"{attr}_verified"] = "false"


#: The most earlier passwords kept for PasswordHistorySize (its API maximum is 24).
MAX_HISTORY = 24
_REUSED = "The password was used recently; choose a password that differs from the previous ones."


def store_password(directory: UserDirectory, pool: UserPool, user: User, password: str) -> None:
    """Hash `password` for `user` (Argon2id and the SRP verifier), keeping the old hash for the history."""
    keep = min(pool.password_policy.history_size or 0, MAX_HISTORY)
    if user.password_hash and keep:
        user.password_history = [user.password_hash, *user.password_history][:keep]
    else:
        user.password_history = user.password_history[:keep]
    user.password_hash = passwords.hash_password(password, directory.hasher)
    user.srp_salt = srp.new_salt()
    user.srp_verifier = srp.verifier(pool.id, user.username, password, user.srp_salt)


def upgrade_hash(directory: UserDirectory, pool: UserPool, user: User, password: str) -> None:
    """After a correct password: replace a legacy or weaker hash, and add a missing SRP verifier."""
    stale = user.password_hash is None or passwords.needs_rehash(user.password_hash, directory.hasher)
    if stale or user.srp_verifier is None:
        history = user.password_history
        user.password_hash = None
        store_password(directory, pool, user, password)
        user.password_history = history


def change_password(directory: UserDirectory, pool: UserPool, user: User, password: str) -> None:
    """Check `password` against the policy and PasswordHistorySize, then store it.

    PasswordHistorySize n [doc, PasswordPolicyType]: the new password may not match any of the
    user's n most recent passwords, the current one included [belief: the current one counts].
    """
    passwords.check(pool.password_policy, password)
    size = pool.password_policy.history_size or 0
    recent = [h for h in [user.password_hash, *user.password_history] if h][:size]
    if any(passwords.verify_password(h, password) for h in recent):
        raise PasswordHistoryPolicyViolationException(_REUSED)
    store_password(directory, pool, user, password)


def set_password(
    directory: UserDirectory, pool: UserPool, user: User, password: str, now: float, *, permanent: bool
) -> None:
    """Store a (checked) password; a temporary one puts the user in FORCE_CHANGE_PASSWORD.

    A permanent password also erases the temporary password from the outbox, so it is not kept
    in clear text once it stops being the user's password.
    """
    change_password(directory, pool, user, password)
    if permanent:
        user.status = UserStatus.CONFIRMED
        user.password_expires = None
        directory.forget_temporary_passwords(pool, user)
    else:
        user.status = UserStatus.FORCE_CHANGE_PASSWORD
        days = pool.password_policy.temporary_password_validity_days
        user.password_expires = now + days * _DAY if days else None


def secret_hash(client: AppClient, username: str) -> str:
    """Base64 HMAC-SHA256(client secret, username + client id), what SECRET_HASH must be."""
    mac = hmac.new((client.secret or "").encode(), (username + client.id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def check_secret_hash(client: AppClient, given: str | None, *usernames: str) -> None:
    """NotAuthorizedException unless a client with a secret got a SECRET_HASH for one of `usernames`."""
    if client.secret is None:
        return
    if not given:
        raise NotAuthorizedException(
            f"Client {client.id} is configured for secret but secret was not received"
        )
    if not any(hmac.compare_digest(given, secret_hash(client, name)) for name in usernames):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def verification_target(pool: UserPool, user: User) -> tuple[str, str] | None:
    """(attribute, medium) a sign-up code goes to, or None when nothing is auto-verified."""
    for attr, medium in (("email", "EMAIL"), ("phone_number", "SMS")):
        if attr in pool.auto_verified_attributes and user.attributes.get(attr):
            return attr, medium
    return None


def recovery_target(user: User) -> tuple[str, str] | None:
    """(attribute, medium) a reset code goes to: a verified email, else a verified phone number."""
    for attr, medium in (("email", "EMAIL"), ("phone_number", "SMS")):
        if user.verified(attr):
            return attr, medium
    return None


def send_code(
    directory: UserDirectory,
    pool: UserPool,
    user: User,
    purpose: CodePurpose,
    now: float,
    target: tuple[str, str],
    *,
    source: str | None = None,
    client_id: str | None = None,
    metadata: dict[str, str] | None = None,
) -> IssuedCode:
    """Send a new code to `target` (attribute, medium): its message goes to the outbox.

    `source` is the CustomMessage trigger source (default `CustomMessage_<purpose>`).
    """
    attribute, medium = target
    code = directory.new_code()
    message, subject = messages.compose(
        directory,
        pool,
        user,
        purpose,
        medium,
        code,
        source=source or f"CustomMessage_{purpose}",
        client_id=client_id,
        metadata=metadata,
    )
    return directory.issue_code(
        pool,
        user,
        purpose,
        now,
        code=code,
        medium=medium,
        attribute=attribute,
        message=message,
        subject=subject,
    )


_MEDIUM_ATTRIBUTE = {"EMAIL": "email", "SMS": "phone_number"}


def invitation_mediums(request: dict[str, Any], attributes: dict[str, str]) -> list[str]:
    """The mediums AdminCreateUser's invitation goes to; InvalidParameterException if one is impossible.

    DesiredDeliveryMediums defaults to SMS [doc, AdminCreateUser]: without it, a user with no
    phone number gets no invitation (the temporary password is still in the outbox, unsent).
    """
    mediums = request.get("DesiredDeliveryMediums")
    if mediums:
        if any(not attributes.get(_MEDIUM_ATTRIBUTE[m]) for m in mediums):
            raise InvalidParameterException("User has no attribute matching desired delivery mediums")
        return list(dict.fromkeys(mediums))
    return ["SMS"] if attributes.get("phone_number") else []


def invite(
    directory: UserDirectory, pool: UserPool, user: User, password: str, now: float, request: dict[str, Any]
) -> list[IssuedCode]:
    """Record the invitation (the temporary password) AdminCreateUser sends: one per medium, or one unsent."""
    suppressed = request.get("MessageAction") == "SUPPRESS"
    mediums = [] if suppressed else invitation_mediums(request, user.attributes)
    metadata = request.get("ClientMetadata")
    sent = []
    for medium in mediums:
        message, subject = messages.compose(
            directory,
            pool,
            user,
            CodePurpose.INVITATION,
            medium,
            password,
            source="CustomMessage_AdminCreateUser",
            metadata=metadata,
        )
        sent.append(
            directory.issue_code(
                pool,
                user,
                CodePurpose.INVITATION,
                now,
                code=password,
                medium=medium,
                attribute=_MEDIUM_ATTRIBUTE[medium],
                message=message,
                subject=subject,
            )
        )
    if not sent:
        sent.append(directory.issue_code(pool, user, CodePurpose.INVITATION, now, code=password))
    return sent


def create_migrated(
    directory: UserDirectory,
    pool: UserPool,
    username: str,
    given: dict[str, str],
    status: UserStatus,
    password: str | None,
    now: float,
) -> User:
    """Create the user a UserMigration trigger described (its attributes checked like AdminCreateUser's).

    The welcome message Cognito sends migrated users (unless `messageAction` is SUPPRESS) does not
    go to the outbox: it carries no code.
    """
    login = sign_in_name(pool, username)
    ensure_new(pool, username, login, "User account already exists")
    changes = [{"Name": k, "Value": v} for k, v in given.items() if k != "sub"]
    attributes = attrs.apply(pool, {login: username} if login else {}, changes, creating=True)
    sub = directory.new_uuid()
    user = User(
        username=sub if login else username,
        attributes={"sub": sub, **attributes},
        status=status,
        created=now,
        modified=now,
    )
    if password is not None:
        store_password(directory, pool, user, password)
    directory.add_user(pool, user)
    return user
