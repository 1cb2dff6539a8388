"""Issuing Cognito-shaped tokens for an authentication, and checking access tokens.

ID token claims: `sub`, `cognito:groups` (when in a group; `cognito:roles` and
`cognito:preferred_role` when groups carry a RoleArn), every attribute the client may read with
`*_verified` as JSON booleans and `updated_at` as a number, `iss`, `cognito:username`,
`origin_jti`, `aud`, `event_id`, `token_use: id`, `auth_time`, `exp`, `iat`, `jti`.
Access token claims: `sub`, `cognito:groups`, `iss`, `client_id`, `origin_jti`, `event_id`,
`token_use: access`, `scope: aws.cognito.signin.user.admin`, `auth_time`, `exp`, `iat`, `jti`,
`username`. `exp - iat` is the client's validity (default 3600 s). On refresh `origin_jti` and
`auth_time` stay those of the original sign-in; `jti` and `event_id` are new [belief: a refresh
is its own authentication event]. The `version` claim is not emitted.

The refresh token is opaque: five base64url segments shaped like AWS's JWE, meaningful only as a
key into `directory.sessions`; GlobalSignOut/AdminUserGlobalSignOut/RevokeToken/AdminDisableUser
revoke it together with every access token carrying its `origin_jti`.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cognito_tasks import attributes as attrs
from cognito_tasks import tokens
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import NotAuthorizedException, UserNotFoundException
from cognito_tasks.model import AppClient, AuthSession, EventKind, User, UserPool

SCOPE = "aws.cognito.signin.user.admin"
_JWE_HEADER = {"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _refresh_token(d: UserDirectory) -> str:
    header = _b64(json.dumps(_JWE_HEADER, separators=(",", ":")).encode())
    return ".".join([header, *(_b64(d.random_bytes(n)) for n in (256, 12, 384, 16))])


def _claim_value(name: str, value: str) -> Any:
    if name in attrs.VERIFIED:
        return value == "true"
    if name == "updated_at":
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _groups(pool: UserPool, user: User) -> dict[str, Any]:
    groups = [pool.groups[n] for n in user.groups if n in pool.groups]
    if not groups:
        return {}
    return {"cognito:groups": [g.name for g in groups]}


def _roles(pool: UserPool, user: User) -> dict[str, Any]:
    groups = [pool.groups[n] for n in user.groups if n in pool.groups]
    with_roles = [g for g in groups if g.role_arn]
    if not with_roles:
        return {}
    out: dict[str, Any] = {"cognito:roles": [g.role_arn for g in with_roles]}
    ranked = sorted((g for g in with_roles if g.precedence is not None), key=lambda g: g.precedence or 0)
    if ranked:
        out["cognito:preferred_role"] = ranked[0].role_arn
    return out


def id_claims(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    user: User,
    session: AuthSession,
    now: int,
    event_id: str,
) -> dict[str, Any]:
    """The ID token's claims."""
    claims: dict[str, Any] = {"sub": user.sub, **_groups(pool, user), **_roles(pool, user)}
    for name, value in attrs.readable(client.read_attributes, user.attributes).items():
        if name != "sub" and not name.startswith("dev:"):
            claims[name] = _claim_value(name, value)
    claims.update(
        {
            "iss": d.issuer(pool),
            "cognito:username": user.username,
            "origin_jti": session.origin_jti,
            "aud": client.id,
            "event_id": event_id,
            "token_use": "id",
            "auth_time": session.auth_time,
            "exp": now + client.id_token_validity,
            "iat": now,
            "jti": d.new_uuid(),
        }
    )
    return claims


def access_claims(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    user: User,
    session: AuthSession,
    now: int,
    event_id: str,
) -> dict[str, Any]:
    """The access token's claims."""
    return {
        "sub": user.sub,
        **_groups(pool, user),
        "iss": d.issuer(pool),
        "client_id": client.id,
        "origin_jti": session.origin_jti,
        "event_id": event_id,
        "token_use": "access",
        "scope": SCOPE,
        "auth_time": session.auth_time,
        "exp": now + client.access_token_validity,
        "iat": now,
        "jti": d.new_uuid(),
        "username": user.username,
    }


def issue(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    user: User,
    now: float,
    session: AuthSession | None = None,
) -> dict[str, Any]:
    """AuthenticationResultType for a sign-in (new session, with a refresh token) or a refresh."""
    fresh = session is None
    if session is None:
        session = AuthSession(
            origin_jti=d.new_uuid(),
            pool_id=pool.id,
            client_id=client.id,
            username=user.username,
            sub=user.sub,
            auth_time=int(now),
            refresh_token=_refresh_token(d),
            refresh_expires=now + client.refresh_token_validity,
        )
        d.add_session(session)
        d.record(EventKind.SIGNED_IN, pool.id, user.username, now, client.id)
    keys = d.keys(pool)
    event_id = d.new_uuid()
    issued_at = int(now)
    result: dict[str, Any] = {
        "AccessToken": tokens.sign(
            access_claims(d, pool, client, user, session, issued_at, event_id), keys.access_token
        ),
        "ExpiresIn": client.access_token_validity,
        "TokenType": "Bearer",
    }
    if fresh:
        result["RefreshToken"] = session.refresh_token
    result["IdToken"] = tokens.sign(
        id_claims(d, pool, client, user, session, issued_at, event_id), keys.id_token
    )
    return result


def check_access_token(d: UserDirectory, token: str, now: float) -> tuple[UserPool, User, dict[str, Any]]:
    """The pool, user and claims of a valid, live access token; else NotAuthorized/UserNotFound."""
    claims = tokens.unverified_claims(token)
    invalid = NotAuthorizedException("Invalid Access Token")
    if claims is None or not isinstance(claims.get("iss"), str):
        raise invalid
    pool = d.pools.get(claims["iss"].rsplit("/", 1)[-1])
    if pool is None or pool.keys is None or claims.get("iss") != d.issuer(pool):
        raise invalid
    verified = tokens.verify(token, pool.keys.access_token)
    if verified is None or verified.get("token_use") != "access":
        raise invalid
    if now >= float(verified.get("exp", 0)):
        raise NotAuthorizedException("Access Token has expired")
    user = d.find_user(pool, str(verified.get("username", "")))
    if user is None or user.sub != verified.get("sub"):
        raise UserNotFoundException("User does not exist.")
    session = d.sessions.get(str(verified.get("origin_jti")))
    if session is None or session.revoked:
        raise NotAuthorizedException("Access Token has been revoked")
    return pool, user, verified
