"""The in-memory user directory: finds and changes the domain objects of `cognito_tasks.model`.

Randomness: without a seed every id, code, session and refresh token comes from `secrets` (the OS's
CSPRNG). `UserDirectory(seed="demo")` instead draws them from a SHA-256 stream of the seed, so a
fixture gives the same pool ids (`us-east-1_AbC123xyz`), client ids, `sub`s, codes and token ids on
every run. A seed gives that away to anyone who knows it: whoever reads the seed (it is saved in the
users file) can predict every code, session and refresh token, so seed fixtures only. Password salts,
Argon2 salts, SRP secrets and TOTP secrets always come from `secrets`.

Confirmation, reset, invitation and MFA codes are kept in `directory.codes` (the outbox, with the
message that would have been sent) so a local run can read them (`latest_code`).

Settings a server or runner passes in (never saved): `functions` resolves the Lambda function
ARNs of a pool's LambdaConfig to Python functions; `issuer_base` replaces
`https://cognito-idp.<region>.amazonaws.com` in token issuers; `hasher` is the password hasher.
`lock` serialises actions from several threads (`cognito_tasks.api`).
"""

from __future__ import annotations

import hashlib
import secrets
import string
import threading
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import argon2

from cognito_tasks import passwords, tokens
from cognito_tasks.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    ResourceNotFoundException,
    UserNotFoundException,
)
from cognito_tasks.model import (
    CODE_VALIDITY,
    AppClient,
    AuthSession,
    Challenge,
    CodePurpose,
    Event,
    EventKind,
    Identity,
    IdentityPool,
    IssuedCode,
    User,
    UserPool,
)

#: Default AWS account id used in pool ARNs.
DEFAULT_ACCOUNT = "123456789012"
_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits
_DAY = 86400.0


class UserDirectory:
    """Pools, clients, users and groups in memory, with deterministic ids when seeded.

    `region` names pool ids and token issuers; `account_id` goes into pool ARNs; `seed` makes
    every id, code and token id reproducible (and predictable: fixtures only); `key_factory`
    returns a new RSA private key PEM (tests pass pre-made keys); `fixed_code` makes every
    confirmation/reset code that value; `functions` maps a trigger's function ARN to a Python
    function (or None); `issuer_base` overrides the issuer URL's base; `hasher` hashes passwords.
    """

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT,
        seed: str | int | None = None,
        key_factory: tokens.KeyFactory | None = None,
        fixed_code: str | None = None,
        functions: Callable[[str], Callable[..., Any] | None] | None = None,
        issuer_base: str | None = None,
        hasher: argon2.PasswordHasher = passwords.HASHER,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.seed = str(seed) if seed is not None else None
        self.counter = 0
        self.functions: Callable[[str], Callable[..., Any] | None] = functions or (lambda _arn: None)
        self.issuer_base = issuer_base
        self.hasher = hasher
        self.lock = threading.RLock()
        self.key_factory: tokens.KeyFactory = key_factory or tokens.generate_private_pem
        #: When set, every confirmation/reset code is this value (like cognito-local's CODE).
        self.fixed_code = fixed_code
        self.pools: dict[str, UserPool] = {}
        self.codes: list[IssuedCode] = []
        self.events: list[Event] = []
        self.sessions: dict[str, AuthSession] = {}
        self.challenges: dict[str, Challenge] = {}
        self.identity_pools: dict[str, IdentityPool] = {}
        self.identities: dict[str, Identity] = {}
        #: The key identity pools sign OpenID tokens with (GetOpenIdToken), made on first use.
        self.identity_key: tokens.SigningKey | None = None
        self._by_refresh: dict[str, str] = {}
        self._by_event: dict[str, str] = {}
        #: What every action runs inside (`cognito_tasks.api`): the lock, or a shared file's transaction;
        #: `writes=False` promises the block changes nothing (nothing to save).
        self.guard: Callable[..., AbstractContextManager[Any]] = lambda writes=True: self.lock

    #: The state a saved document holds (what `adopt` takes over); settings and the lock stay.
    STATE = (
        "seed",
        "counter",
        "fixed_code",
        "pools",
        "codes",
        "events",
        "sessions",
        "challenges",
        "identity_pools",
        "identities",
        "identity_key",
    )

    def adopt(self, other: UserDirectory) -> None:
        """Take over the saved state of `other` (a fresher copy of the same users file), in place."""
        for name in (*self.STATE, "_by_refresh", "_by_event", "region", "account_id"):
            setattr(self, name, getattr(other, name))

    # -- deterministic ids -------------------------------------------------------------------

    def random_bytes(self, n: int) -> bytes:
        """`n` random bytes: from `secrets`, or from the seed's stream when seeded."""
        if self.seed is None:
            return secrets.token_bytes(n)
        out = b""
        while len(out) < n:
            out += hashlib.sha256(f"{self.seed}/{self.counter}".encode()).digest()
            self.counter += 1
        return out[:n]

    def random_string(self, n: int, alphabet: str = _ALNUM) -> str:
        """`n` characters drawn from `alphabet`."""
        if self.seed is None:
            return "".join(secrets.choice(alphabet) for _ in range(n))
        return "".join(alphabet[b % len(alphabet)] for b in self.random_bytes(n))

    def new_uuid(self) -> str:
        """A version-4 UUID string."""
        return str(uuid.UUID(bytes=self.random_bytes(16), version=4))

    def new_pool_id(self) -> str:
        """`<region>_<9 alphanumerics>`, like AWS's."""
        return f"{self.region}_{self.random_string(9)}"

    def new_client_id(self) -> str:
        """26 lowercase alphanumerics, like AWS's."""
        return self.random_string(26, _LOWER_ALNUM)

    def new_code(self) -> str:
        """A six-digit code (or `fixed_code`)."""
        return self.fixed_code or self.random_string(6, string.digits)

    # -- lookups -----------------------------------------------------------------------------

    def pool(self, pool_id: str) -> UserPool:
        """The pool, or ResourceNotFoundException."""
        pool = self.pools.get(pool_id)
        if pool is None:
            raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
        return pool

    def client(self, client_id: str, pool: UserPool | None = None) -> tuple[UserPool, AppClient]:
        """The client (in `pool` if given) and its pool, or ResourceNotFoundException."""
        for candidate in [pool] if pool is not None else self.pools.values():
            found = candidate.clients.get(client_id)
            if found is not None:
                return candidate, found
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")

    def find_user(self, pool: UserPool, name: str) -> User | None:
        """The user `name` designates: username, `sub`, email/phone username, or a usable alias."""
        user = pool.users.get(pool.username_key(name))
        if user is not None:
            return user
        for user in pool.users.values():
            if user.sub == name:
                return user
            for attr in pool.username_attributes:
                value = user.attributes.get(attr)
                if value is not None and pool.same_login(attr, value, name):
                    return user
            for attr in pool.alias_attributes:
                value = user.attributes.get(attr)
                usable = attr == "preferred_username" or user.verified(attr)
                if value is not None and usable and pool.same_name(value, name):
                    return user
        return None

    def user(self, pool: UserPool, name: str, message: str = "User does not exist.") -> User:
        """The user, or UserNotFoundException."""
        user = self.find_user(pool, name)
        if user is None:
            raise UserNotFoundException(message)
        return user

    # -- users and sessions ------------------------------------------------------------------

    def add_user(self, pool: UserPool, user: User) -> None:
        """Store a new user."""
        pool.users[pool.username_key(user.username)] = user
        self.record(EventKind.USER_CREATED, pool.id, user.username, user.created, user.status)

    def remove_user(self, pool: UserPool, user: User, now: float) -> None:
        """Delete a user and end their sessions."""
        del pool.users[pool.username_key(user.username)]
        self.revoke_sessions(pool, user)
        self.record(EventKind.USER_DELETED, pool.id, user.username, now)

    def touch(self, pool: UserPool, user: User, now: float, detail: str) -> None:
        """Mark a user modified and log what changed."""
        user.modified = now
        self.record(EventKind.USER_CHANGED, pool.id, user.username, now, detail)

    def add_session(self, session: AuthSession) -> None:
        """Remember an authentication and its refresh token."""
        self.sessions[session.origin_jti] = session
        self._by_refresh[session.refresh_token] = session.origin_jti
        for event_id in session.event_ids:
            self._by_event[event_id] = session.origin_jti

    def note_event(self, session: AuthSession, event_id: str) -> None:
        """Remember that tokens with `event_id` belong to `session`."""
        session.event_ids.append(event_id)
        self._by_event[event_id] = session.origin_jti

    def session_of(self, claims: dict[str, Any]) -> AuthSession | None:
        """The authentication a token's claims belong to (by `origin_jti`, else by `event_id`)."""
        origin = claims.get("origin_jti")
        if not isinstance(origin, str):
            origin = self._by_event.get(str(claims.get("event_id")))
        return self.sessions.get(origin) if isinstance(origin, str) else None

    def session_for_refresh(self, refresh_token: str) -> AuthSession | None:
        """The authentication a refresh token belongs to."""
        origin = self._by_refresh.get(refresh_token)
        return self.sessions.get(origin) if origin is not None else None

    def revoke_sessions(self, pool: UserPool, user: User) -> int:
        """Revoke every live session of `user`; the number revoked."""
        count = 0
        for session in self.sessions.values():
            if session.pool_id == pool.id and session.sub == user.sub and not session.revoked:
                session.revoked = True
                count += 1
        return count

    # -- codes -------------------------------------------------------------------------------

    def issue_code(
        self,
        pool: UserPool,
        user: User,
        purpose: CodePurpose,
        now: float,
        *,
        code: str | None = None,
        medium: str | None = None,
        attribute: str | None = None,
        message: str | None = None,
        subject: str | None = None,
    ) -> IssuedCode:
        """Record a code sent to `user` (a new six-digit one unless `code` is given) in the outbox."""
        validity = CODE_VALIDITY.get(purpose, pool.password_policy.temporary_password_validity_days * _DAY)
        issued = IssuedCode(
            pool_id=pool.id,
            username=user.username,
            purpose=purpose,
            code=code if code is not None else self.new_code(),
            issued=now,
            expires=now + validity,
            medium=medium,
            destination=user.attributes.get(attribute) if attribute else None,
            attribute=attribute,
            message=message,
            subject=subject,
        )
        self.codes.append(issued)
        self.record(
            EventKind.CODE_ISSUED, pool.id, user.username, now, f"{purpose} via {medium or 'nothing'}"
        )
        return issued

    def forget_temporary_passwords(self, pool: UserPool, user: User) -> None:
        """Erase the temporary passwords sent to `user` from the outbox (they are no longer valid)."""
        for issued in self.codes:
            mine = issued.pool_id == pool.id and issued.username == user.username
            if mine and issued.purpose == CodePurpose.INVITATION and issued.code:
                issued.code = ""
                issued.used = True
                issued.message = None

    def latest_code(
        self, pool_id: str, username: str, purpose: CodePurpose | str | None = None
    ) -> str | None:
        """The newest unused code sent to `username` (optionally for one purpose), or None."""
        for issued in reversed(self.codes):
            if issued.pool_id != pool_id or issued.username != username or issued.used:
                continue
            if purpose is None or issued.purpose == purpose:
                return issued.code
        return None

    def use_code(
        self,
        pool: UserPool,
        user: User,
        purpose: CodePurpose,
        code: str,
        now: float,
        *,
        consume: bool = True,
        attribute: str | None = None,
    ) -> IssuedCode:
        """Accept `code` if it is the newest live code for `purpose`; else CodeMismatch/ExpiredCode."""
        mine = [
            c
            for c in self.codes
            if c.pool_id == pool.id
            and c.username == user.username
            and c.purpose == purpose
            and (attribute is None or c.attribute == attribute)
        ]
        live = mine[-1] if mine and not mine[-1].used else None
        if live is not None and secrets.compare_digest(live.code, code):
            if now > live.expires:
                raise ExpiredCodeException("Invalid code provided, please request a code again.")
            live.used = live.used or consume
            return live
        if any(secrets.compare_digest(c.code, code) for c in mine):
            raise ExpiredCodeException("Invalid code provided, please request a code again.")
        raise CodeMismatchException("Invalid verification code provided, please try again.")

    # -- keys, events ------------------------------------------------------------------------

    def keys(self, pool: UserPool) -> tokens.PoolKeys:
        """The pool's signing keys, generated on first use."""
        if pool.keys is None:
            pool.keys = tokens.PoolKeys.generate(self.key_factory)
        return pool.keys

    def jwks(self, pool_id: str) -> dict[str, list[dict[str, str]]]:
        """The pool's JWKS (`https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`)."""
        return self.keys(self.pool(pool_id)).jwks()

    def issuer(self, pool: UserPool) -> str:
        """The `iss` of the pool's tokens: AWS's URL, or `issuer_base` + `/<pool id>` when set."""
        if self.issuer_base:
            return f"{self.issuer_base.rstrip('/')}/{pool.id}"
        region = pool.id.split("_", 1)[0]
        return f"https://cognito-idp.{region}.amazonaws.com/{pool.id}"

    def record(self, kind: EventKind, pool_id: str, subject: str, now: float, detail: str = "") -> None:
        """Append to the event log."""
        self.events.append(Event(now, kind, pool_id, subject, detail))
