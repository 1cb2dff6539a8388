"""Issuing Cognito-shaped tokens (with the pre token generation trigger), and checking access tokens.

ID token claims: `sub`, `cognito:groups` (when in a group; `cognito:roles` and
`cognito:preferred_role` when groups carry a RoleArn), every attribute the client may read with
`*_verified` as JSON booleans and `updated_at` as a number, `iss`, `cognito:username`, `aud`,
`event_id`, `token_use: id`, `auth_time`, `exp`, `iat`, and `origin_jti`, `jti` when the client has
token revocation on. Access token claims: `sub`, `cognito:groups`, `iss`, `client_id`, `event_id`,
`token_use: access`, `scope: aws.cognito.signin.user.admin`, `auth_time`, `exp`, `iat`, `username`,
and `origin_jti`, `jti` with token revocation [doc, "Revoking tokens": enabling revocation adds
`origin_jti` and `jti`]. `exp - iat` is the client's validity (default 3600 s). On refresh
`origin_jti` and `auth_time` stay those of the original sign-in; `jti` and `event_id` are new
[belief: a refresh is its own authentication event]. The `version` claim is not emitted. The JWT
header is `alg` and `kid` only, as Cognito's.

`cognito:preferred_role` [doc, GroupType.Precedence]: the role of the group with the lowest
precedence (groups without a precedence come last); when groups tie on precedence with different
roles the claim is left out.

Pre token generation [doc, pre token generation trigger]: V1_0 (event version "1", the default)
may add, override or suppress ID token claims (`claimsOverrideDetails`) and override groups,
roles and the preferred role (`groupOverrideDetails`, in both tokens); V2_0 and V3_0 (event
version "2", request `scopes`) may do the same for each token (`claimsAndScopeOverrideDetails`)
and add or suppress access-token scopes. A claim both added and suppressed is suppressed.
Claims Cognito does not let a trigger change (`RESERVED`, `dev:` attributes; groups and roles
only through `groupOverrideDetails`, scopes only through `scopesToAdd`/`scopesToSuppress`) are
refused with InvalidLambdaResponseException [belief: AWS documents them as unchangeable; refusing
rather than ignoring keeps a trigger that works here from silently doing less on AWS].

The refresh token is opaque: five base64url segments shaped like AWS's JWE, meaningful only as a
key into `directory.sessions`; GlobalSignOut/AdminUserGlobalSignOut/RevokeToken/AdminDisableUser
revoke it together with every token of its authentication (found by `event_id`).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cognito_tasks import attributes as attrs
from cognito_tasks import tokens, triggers
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import InvalidLambdaResponseException, NotAuthorizedException, UserNotFoundException
from cognito_tasks.model import AppClient, AuthSession, EventKind, Group, User, UserPool

SCOPE = "aws.cognito.signin.user.admin"
_JWE_HEADER = {"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}
#: Claims a pre token generation trigger may not add, override or suppress [doc].
RESERVED = frozenset(
    {
        "acr",
        "amr",
        "aud",
        "at_hash",
        "auth_time",
        "azp",
        "client_id",
        "cognito:username",
        "event_id",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "scope",
        "sub",
        "token_use",
        "username",
        "cognito:groups",
        "cognito:roles",
        "cognito:preferred_role",
    }
)


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


def _groups(pool: UserPool, user: User) -> list[Group]:
    return [pool.groups[n] for n in user.groups if n in pool.groups]


def preferred_role(groups: list[Group]) -> str | None:
    """The role of the highest-precedence group with a role; None when the best groups disagree."""
    with_roles = [g for g in groups if g.role_arn]
    if not with_roles:
        return None
    rank = min((g.precedence is None, g.precedence or 0) for g in with_roles)
    best = {g.role_arn for g in with_roles if (g.precedence is None, g.precedence or 0) == rank}
    return best.pop() if len(best) == 1 else None


def group_configuration(pool: UserPool, user: User) -> dict[str, Any]:
    """`groupConfiguration` of the pre token generation event: the user's groups, roles, preferred role."""
    groups = _groups(pool, user)
    return {
        "groupsToOverride": [g.name for g in groups],
        "iamRolesToOverride": [g.role_arn for g in groups if g.role_arn],
        "preferredRole": preferred_role(groups),
    }


def _group_claims(config: dict[str, Any], with_roles: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if config["groupsToOverride"]:
        out["cognito:groups"] = list(config["groupsToOverride"])
    if with_roles and config["iamRolesToOverride"]:
        out["cognito:roles"] = list(config["iamRolesToOverride"])
    if with_roles and config["preferredRole"]:
        out["cognito:preferred_role"] = config["preferredRole"]
    return out


def _revocation(client: AppClient, session: AuthSession, d: UserDirectory) -> dict[str, Any]:
    if not client.enable_token_revocation:
        return {}
    return {"origin_jti": session.origin_jti, "jti": d.new_uuid()}


def id_claims(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    user: User,
    session: AuthSession,
    now: int,
    event_id: str,
    groups: dict[str, Any],
) -> dict[str, Any]:
    """The ID token's claims (before any trigger)."""
    claims: dict[str, Any] = {"sub": user.sub, **_group_claims(groups, with_roles=True)}
    for name, value in attrs.readable(client.read_attributes, user.attributes).items():
        if name != "sub" and not name.startswith("dev:"):
            claims[name] = _claim_value(name, value)
    claims.update(
        {
            "iss": d.issuer(pool),
            "cognito:username": user.username,
            "aud": client.id,
            "event_id": event_id,
            "token_use": "id",
            "auth_time": session.auth_time,
            "exp": now + client.id_token_validity,
            "iat": now,
        }
    )
    claims.update(_revocation(client, session, d))
    return claims


def access_claims(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    user: User,
    session: AuthSession,
    now: int,
    event_id: str,
    groups: dict[str, Any],
    scopes: list[str],
) -> dict[str, Any]:
    """The access token's claims (before any trigger)."""
    claims: dict[str, Any] = {
        "sub": user.sub,
        **_group_claims(groups, with_roles=False),
        "iss": d.issuer(pool),
        "client_id": client.id,
        "event_id": event_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": session.auth_time,
        "exp": now + client.access_token_validity,
        "iat": now,
        "username": user.username,
    }
    claims.update(_revocation(client, session, d))
    return claims


def _object(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException(f"Invalid lambda response: {what} must be an object")
    return value


def _names(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidLambdaResponseException(f"Invalid lambda response: {what} must be a list of strings")
    return list(value)


def _apply_claims(claims: dict[str, Any], change: dict[str, Any], what: str, *, scalars: bool) -> None:
    added = _object(change.get("claimsToAddOrOverride"), f"{what}.claimsToAddOrOverride")
    suppressed = _names(change.get("claimsToSuppress"), f"{what}.claimsToSuppress")
    for name in [*added, *suppressed]:
        if name in RESERVED or name.startswith("dev:"):
            raise InvalidLambdaResponseException(
                f"Invalid lambda response: {what} may not change the claim {name}"
            )
    for name, value in added.items():
        if scalars and not isinstance(value, str | int | float | bool):
            raise InvalidLambdaResponseException(
                f"Invalid lambda response: {what}.claimsToAddOrOverride.{name} must be a string, number or boolean"
            )
        claims[name] = value
    for name in suppressed:
        claims.pop(name, None)


def _apply_groups(groups: dict[str, Any], change: Any) -> dict[str, Any]:
    override = _object(change, "groupOverrideDetails")
    out = dict(groups)
    if "groupsToOverride" in override and override["groupsToOverride"] is not None:
        out["groupsToOverride"] = _names(override["groupsToOverride"], "groupsToOverride")
    if "iamRolesToOverride" in override and override["iamRolesToOverride"] is not None:
        out["iamRolesToOverride"] = _names(override["iamRolesToOverride"], "iamRolesToOverride")
    if "preferredRole" in override:
        role = override["preferredRole"]
        if role is not None and not isinstance(role, str):
            raise InvalidLambdaResponseException("Invalid lambda response: preferredRole must be a string")
        out["preferredRole"] = role
    return out


def _customize(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    user: User,
    source: str,
    groups: dict[str, Any],
    scopes: list[str],
    metadata: dict[str, str] | None,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[str]]:
    """Run pre token generation: (groups, ID token changes, access token changes, scopes)."""
    version = triggers.token_version(pool)
    request: dict[str, Any] = {
        "userAttributes": triggers.user_attributes(user.attributes, str(user.status)),
        "groupConfiguration": groups,
        "clientMetadata": dict(metadata or {}),
    }
    if version == "2":
        request["scopes"] = list(scopes)
    answer = triggers.invoke(
        d, pool, "PreTokenGeneration", source, user.username, request, client_id=client.id, version=version
    )
    if not answer:
        return groups, {}, {}, scopes
    if version == "1":
        details = _object(answer.get("claimsOverrideDetails"), "claimsOverrideDetails")
        return _apply_groups(groups, details.get("groupOverrideDetails")), details, {}, scopes
    details = _object(answer.get("claimsAndScopeOverrideDetails"), "claimsAndScopeOverrideDetails")
    access = _object(details.get("accessTokenGeneration"), "accessTokenGeneration")
    added = _names(access.get("scopesToAdd"), "scopesToAdd")
    removed = set(_names(access.get("scopesToSuppress"), "scopesToSuppress"))
    new_scopes = [s for s in dict.fromkeys([*scopes, *added]) if s not in removed]
    return (
        _apply_groups(groups, details.get("groupOverrideDetails")),
        _object(details.get("idTokenGeneration"), "idTokenGeneration"),
        access,
        new_scopes,
    )


def issue(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    user: User,
    now: float,
    session: AuthSession | None = None,
    *,
    source: str = "TokenGeneration_Authentication",
    metadata: dict[str, str] | None = None,
    oauth_scopes: list[str] | None = None,
    nonce: str | None = None,
) -> dict[str, Any]:
    """AuthenticationResultType for a sign-in (new session, with a refresh token) or a refresh.

    `oauth_scopes`: a hosted sign-in's granted scopes (the access token's `scope`; an ID token only
    with `openid` [doc, "The token endpoint"]); a refresh keeps its session's. `nonce` goes into the
    ID token (the authorize request's `nonce`).
    """
    granted = list(session.scopes) if session is not None and session.scopes else oauth_scopes
    groups, id_change, access_change, scopes = _customize(
        d, pool, client, user, source, group_configuration(pool, user), granted or [SCOPE], metadata
    )
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
            scopes=list(granted or []),
        )
        d.add_session(session)
        d.record(EventKind.SIGNED_IN, pool.id, user.username, now, client.id)
    keys = d.keys(pool)
    event_id = d.new_uuid()
    d.note_event(session, event_id)
    issued_at = int(now)
    access = access_claims(d, pool, client, user, session, issued_at, event_id, groups, scopes)
    _apply_claims(access, access_change, "accessTokenGeneration", scalars=False)
    result: dict[str, Any] = {
        "AccessToken": tokens.sign(access, keys.access_token),
        "ExpiresIn": client.access_token_validity,
        "TokenType": "Bearer",
    }
    if fresh:
        result["RefreshToken"] = session.refresh_token
    if granted and "openid" not in granted:
        return result
    identity = id_claims(d, pool, client, user, session, issued_at, event_id, groups)
    if nonce is not None:
        identity["nonce"] = nonce
    _apply_claims(identity, id_change, "claimsOverrideDetails", scalars=triggers.token_version(pool) == "1")
    result["IdToken"] = tokens.sign(identity, keys.id_token)
    return result


def check_access_token(d: UserDirectory, token: str, now: float) -> tuple[UserPool, User, dict[str, Any]]:
    """The pool, user and claims of a valid, live access token; else NotAuthorized/UserNotFound.

    The checks are `cognito_tasks.verify`'s (signature by the pool's access-token key, issuer,
    expiry, token use, revocation), plus the `aws.cognito.signin.user.admin` scope the user-pool
    API requires of an access token [doc, "Using the access token"].
    """
    from cognito_tasks import verify

    outcome = verify.check(d, token, now, token_use="access")
    claims = outcome.claims
    pool = outcome.pool
    user = d.find_user(pool, str(claims.get("username", ""))) if pool is not None and claims else None
    if outcome.code == "revoked" and (user is None or user.sub != claims.get("sub")):
        raise UserNotFoundException("User does not exist.")
    if outcome.code is not None or pool is None:
        raise NotAuthorizedException(verify.api_message(outcome))
    if user is None or user.sub != claims.get("sub"):
        raise UserNotFoundException("User does not exist.")
    if SCOPE not in str(claims.get("scope", "")).split():
        raise NotAuthorizedException("Access Token does not have required scopes")
    return pool, user, claims


def machine_token(
    d: UserDirectory, pool: UserPool, client: AppClient, scopes: list[str], now: float
) -> dict[str, Any]:
    """An access token for the client itself (client_credentials): `sub` is the client id, no user, no refresh.

    Claims as AWS's machine-to-machine tokens [doc, "Access token" / client credentials grant]:
    `sub`, `token_use`, `scope`, `auth_time`, `iss`, `exp`, `iat`, `version` 2, `jti`, `client_id`.
    It is tracked like a sign-in (verifiers find its session), and only its expiry ends it.
    """
    session = AuthSession(
        origin_jti=d.new_uuid(),
        pool_id=pool.id,
        client_id=client.id,
        username="",
        sub=client.id,
        auth_time=int(now),
        refresh_token=_refresh_token(d),
        refresh_expires=now,
        scopes=list(scopes),
    )
    d.add_session(session)
    event_id = d.new_uuid()
    d.note_event(session, event_id)
    issued = int(now)
    claims = {
        "sub": client.id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": issued,
        "iss": d.issuer(pool),
        "exp": issued + client.access_token_validity,
        "iat": issued,
        "version": 2,
        "jti": d.new_uuid(),
        "client_id": client.id,
        "event_id": event_id,
    }
    return {
        "AccessToken": tokens.sign(claims, d.keys(pool).access_token),
        "ExpiresIn": client.access_token_validity,
        "TokenType": "Bearer",
    }
