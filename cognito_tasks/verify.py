"""Checking a token as API Gateway's Cognito user-pool authorizer does, and as the user-pool API does.

    from cognito_tasks.verify import authorize
    outcome = authorize(directory, token, scopes=["orders/read"])
    if outcome.allowed: claims = outcome.claims
    else: print(outcome.reason)           # why the gateway answers 401 {"message": "Unauthorized"}

The checks, in order [doc, "Verifying a JSON Web Token" and "Integrate a REST API with a user pool"]:
the token is a JWS whose header names `alg: RS256` (so `none` and HS256 are refused before any key
is tried) and a `kid` in the JWKS of the pool its `iss` names; the RS256 signature verifies with
that key; `iss` is the pool's issuer (`https://cognito-idp.<region>.amazonaws.com/<pool id>`, or the
directory's `issuer_base`); `exp` is in the future; `token_use` is `id` or `access` (and the kind
asked for); the app client (`aud` of an ID token, `client_id` of an access token) is one of
`client_ids` when given; the authentication was not signed out or revoked; and, when `scopes` are
given, the token is an access token carrying every one of them (a method with OAuth scopes accepts
access tokens only). A token signed with one pool's key never verifies for another pool: each pool
has its own keys.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import jwt

from cognito_tasks import tokens
from cognito_tasks.directory import UserDirectory
from cognito_tasks.model import UserPool


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verified claims, or why the token is refused (`code` is a stable keyword, `reason` prose).

    A refused token carries its claims only when its signature verified (a revoked one, say).
    """

    claims: dict[str, Any] = field(default_factory=dict)
    code: str | None = None
    reason: str | None = None
    pool: UserPool | None = None

    @property
    def allowed(self) -> bool:
        """True when a gateway would let the request through."""
        return self.code is None


def _refuse(
    code: str, reason: str, pool: UserPool | None = None, claims: dict[str, Any] | None = None
) -> Outcome:
    return Outcome(claims=claims or {}, code=code, reason=reason, pool=pool)


def _pool_of(d: UserDirectory, token: str, pool_id: str | None) -> UserPool | Outcome:
    claims = tokens.unverified_claims(token)
    if claims is None:
        return _refuse("malformed", "not a JWT (three base64url parts with a JSON header and payload)")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or "/" not in issuer:
        return _refuse("issuer", "the token has no iss claim naming a user pool")
    named = issuer.rsplit("/", 1)[-1]
    if pool_id is not None and named != pool_id:
        return _refuse("issuer", f"the token was issued by {issuer}, not by the pool {pool_id}")
    pool = d.pools.get(named)
    if pool is None or pool.keys is None or issuer != d.issuer(pool):
        return _refuse("issuer", f"no user pool here issues tokens as {issuer}")
    return pool


def check(
    d: UserDirectory,
    token: str,
    now: float | None = None,
    *,
    token_use: str | None = None,
    pool_id: str | None = None,
    client_ids: list[str] | None = None,
    scopes: list[str] | None = None,
) -> Outcome:
    """Verify `token` against the directory; see the module docstring for the checks and their order."""
    now = time.time() if now is None else now
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return _refuse("malformed", "not a JWT (three base64url parts with a JSON header and payload)")
    if header.get("alg") != "RS256":
        return _refuse("algorithm", f"the header's alg is {header.get('alg')!r}; Cognito tokens are RS256")
    found = _pool_of(d, token, pool_id)
    if isinstance(found, Outcome):
        return found
    pool = found
    assert pool.keys is not None
    kids = {k.kid: (use, k) for use, k in (("id", pool.keys.id_token), ("access", pool.keys.access_token))}
    key = kids.get(str(header.get("kid")))
    if key is None:
        return _refuse("signature", f"the kid {header.get('kid')!r} is not in the JWKS of {pool.id}", pool)
    key_use, signing_key = key
    claims = tokens.verify(token, signing_key)
    if claims is None:
        return _refuse("signature", f"the signature does not verify with the {pool.id} key it names", pool)
    use = claims.get("token_use")
    if use not in ("id", "access") or use != key_use:
        return _refuse("token_use", f"token_use {use!r} does not match the key that signed it", pool)
    if token_use is not None and use != token_use:
        return _refuse("token_use", f"this is an {use} token; an {token_use} token is required", pool)
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or now >= exp:
        return _refuse("expired", "the token has expired", pool)
    client = claims.get("aud") if use == "id" else claims.get("client_id")
    if client_ids and client not in client_ids:
        return _refuse("client", f"the token was issued to the app client {client!r}", pool)
    session = d.session_of(claims)
    if session is None or session.revoked:
        reason = "the token was revoked (sign-out, RevokeToken, a deleted or disabled user)"
        return _refuse("revoked", reason, pool, claims)
    if scopes:
        if use != "access":
            return _refuse("token_use", "a method with OAuth scopes accepts access tokens only", pool)
        have = str(claims.get("scope", "")).split()
        missing = [s for s in scopes if s not in have]
        if missing:
            return _refuse("scope", f"the token lacks the scope {' '.join(missing)}", pool)
    return Outcome(claims=claims, pool=pool)


def authorize(
    d: UserDirectory,
    token: str,
    *,
    now: float | None = None,
    pool_id: str | None = None,
    client_ids: list[str] | None = None,
    scopes: list[str] | None = None,
) -> Outcome:
    """What API Gateway's Cognito authorizer decides for `Authorization: <token>` (a `Bearer ` prefix is allowed)."""
    token = token.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    return check(d, token, now, pool_id=pool_id, client_ids=client_ids, scopes=scopes)


def api_message(outcome: Outcome) -> str:
    """The NotAuthorizedException message the user-pool API gives for a refused access token."""
    if outcome.code == "expired":
        return "Access Token has expired"
    if outcome.code == "revoked":
        return "Access Token has been revoked"
    return "Invalid Access Token"
