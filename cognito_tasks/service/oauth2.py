"""The OAuth 2.0 endpoints a client calls directly: `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`.

`POST /oauth2/token` (form-encoded) [doc, "The token endpoint"]:
- `authorization_code`: the code from `/oauth2/authorize` (used once, five minutes), the same
  `redirect_uri`, and `code_verifier` when the authorize request sent a `code_challenge` (S256). The
  answer has `access_token`, `id_token` (with the `openid` scope), `refresh_token`, `token_type`,
  `expires_in`; the access token carries the granted scopes.
- `refresh_token`: new ID and access tokens with the scopes of the original sign-in.
- `client_credentials`: a client with a secret and the `client_credentials` flow gets an access token
  for itself, with the resource-server scopes asked for (all it is allowed when `scope` is absent).
Errors are `{"error": ..., "error_description": ...}` (invalid_request, invalid_client,
invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope).

`GET|POST /oauth2/userInfo` with `Authorization: Bearer <access token>` answers the user's attributes
the client may read, verified flags as strings, and `username` [obs: AWS's userInfo answers
`"email_verified": "true"`]; the token must carry `openid` (else 403 insufficient_scope), and a bad,
expired or revoked token is 401 with `WWW-Authenticate: Bearer error="invalid_token"`.

`POST /oauth2/revoke` (`token` = a refresh token, client authentication as above) revokes it and the
tokens issued with it (RevokeToken's rules); it answers 200 with an empty body.

Why not authlib's authorization server here: its server classes are built around framework request
objects (Flask, Django), and what Cognito decides at each step (its client settings, PKCE S256 only,
its scopes and token shapes, RevokeToken's rules) is most of the code either way; these endpoints
are small functions over the same directory actions. authlib is what the tests drive them with.
"""

from __future__ import annotations

import hmac
import time
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from cognito_tasks import attributes as attrs
from cognito_tasks import flows, sessions, users, verify
from cognito_tasks.actions_auth import revoke_token
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import CognitoError, UnauthorizedException, UnsupportedTokenTypeException
from cognito_tasks.model import AppClient, UserPool
from cognito_tasks.service.grants import Grants, OAuthError, authenticate, s256

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
HOSTED_SOURCE = "TokenGeneration_HostedAuth"


async def form_of(request: Request) -> dict[str, str]:
    """A form-encoded body as a dict (the last value of a repeated field wins)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > 64 * 1024:
        raise OAuthError("invalid_request", "the body is too large")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def token_answer(result: dict[str, Any]) -> dict[str, Any]:
    """An AuthenticationResult in the token endpoint's words."""
    out: dict[str, Any] = {}
    for member, name in (
        ("IdToken", "id_token"),
        ("AccessToken", "access_token"),
        ("RefreshToken", "refresh_token"),
    ):
        if member in result:
            out[name] = result[member]
    out["expires_in"] = result["ExpiresIn"]
    out["token_type"] = "Bearer"
    return out


def _code_grant(
    d: UserDirectory, grants: Grants, pool: UserPool, client: AppClient, form: dict[str, str], now: float
) -> dict[str, Any]:
    if "code" not in client.oauth.flows:
        raise OAuthError("unauthorized_client", "the client may not use the authorization code grant")
    code = grants.take_code(form.get("code", ""), now)
    if code is None or code.client_id != client.id:
        raise OAuthError("invalid_grant", "the code is unknown, used, expired or another client's")
    if form.get("redirect_uri") != code.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri differs from the authorize request's")
    if code.challenge is not None:
        verifier = form.get("code_verifier")
        if not verifier or not hmac.compare_digest(s256(verifier), code.challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    user = d.find_user(pool, code.sub)
    if user is None or user.sub != code.sub or not user.enabled:
        raise OAuthError("invalid_grant", "the user no longer exists or is disabled")
    result = sessions.issue(
        d, pool, client, user, now, source=HOSTED_SOURCE, oauth_scopes=code.scopes, nonce=code.nonce
    )
    return token_answer(result)


def _refresh_grant(
    d: UserDirectory, pool: UserPool, client: AppClient, form: dict[str, str], now: float
) -> dict[str, Any]:
    token = form.get("refresh_token", "")
    session = d.session_for_refresh(token)
    # The client authenticated already: its SECRET_HASH is computed rather than asked for.
    proof = {"SECRET_HASH": users.secret_hash(client, session.sub)} if session and client.secret else {}
    request = {"AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": token, **proof}}
    try:
        answer = flows.refresh(d, pool, client, request, now)
    except CognitoError as exc:
        raise OAuthError("invalid_grant", exc.message) from None
    return token_answer(answer["AuthenticationResult"])


def _client_grant(
    d: UserDirectory, pool: UserPool, client: AppClient, form: dict[str, str], now: float
) -> dict[str, Any]:
    if "client_credentials" not in client.oauth.flows:
        raise OAuthError("unauthorized_client", "the client may not use the client credentials grant")
    asked = form.get("scope", "").split()
    scopes = asked or list(client.oauth.scopes)
    refused = [s for s in scopes if s not in client.oauth.scopes]
    if refused:
        raise OAuthError("invalid_scope", f"the client may not ask for {' '.join(refused)}")
    return token_answer(sessions.machine_token(d, pool, client, scopes, now))


def exchange(
    d: UserDirectory, grants: Grants, authorization: str | None, form: dict[str, str]
) -> dict[str, Any]:
    """The token endpoint's answer for one request (OAuthError otherwise)."""
    with d.guard():
        pool, client = authenticate(d, authorization, form)
        grant = form.get("grant_type")
        now = time.time()
        if grant == "authorization_code":
            return _code_grant(d, grants, pool, client, form, now)
        if grant == "refresh_token":
            return _refresh_grant(d, pool, client, form, now)
        if grant == "client_credentials":
            return _client_grant(d, pool, client, form, now)
    raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")


def user_info(d: UserDirectory, authorization: str | None) -> dict[str, Any]:
    """UserInfo's answer for a Bearer access token (OAuthError 401/403 otherwise)."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise OAuthError("invalid_request", "send the access token as Authorization: Bearer <token>", 401)
    with d.lock:
        outcome = verify.check(d, authorization[7:].strip(), time.time(), token_use="access")
        if not outcome.allowed or outcome.pool is None:
            raise OAuthError("invalid_token", outcome.reason or "the token is not valid", 401)
        if "openid" not in str(outcome.claims.get("scope", "")).split():
            raise OAuthError("insufficient_scope", "the access token lacks the openid scope", 403)
        user = d.find_user(outcome.pool, str(outcome.claims.get("sub")))
        if user is None or user.sub != outcome.claims.get("sub"):
            raise OAuthError("invalid_token", "the user no longer exists", 401)
        _, client = d.client(str(outcome.claims["client_id"]), outcome.pool)
        shown = attrs.readable(client.read_attributes, user.attributes)
        return {**{k: v for k, v in shown.items() if not k.startswith("dev:")}, "username": user.username}


def revoke(d: UserDirectory, authorization: str | None, form: dict[str, str]) -> None:
    """Revoke a refresh token (OAuthError otherwise)."""
    with d.guard():
        _, client = authenticate(d, authorization, form)
        if not form.get("token"):
            raise OAuthError("invalid_request", "token is required")
        request = {"Token": form["token"], "ClientId": client.id, "ClientSecret": client.secret}
        try:
            revoke_token(d, {k: v for k, v in request.items() if v is not None}, time.time())
        except UnsupportedTokenTypeException as exc:
            raise OAuthError("unsupported_token_type", exc.message) from None
        except UnauthorizedException as exc:
            raise OAuthError("invalid_client", exc.message, 401) from None
        except CognitoError as exc:
            raise OAuthError("invalid_request", exc.message) from None


def error_response(error: OAuthError) -> Response:
    """The JSON error answer."""
    headers = dict(_NO_STORE)
    if error.status == 401 and error.error in ("invalid_token", "invalid_request"):
        headers["WWW-Authenticate"] = f'Bearer error="{error.error}", error_description="{error.description}"'
    body = {"error": error.error, "error_description": error.description}
    return JSONResponse(body, error.status, headers=headers)


def routes(directory: UserDirectory, grants: Grants) -> list[BaseRoute]:
    """The token, userInfo and revoke routes."""

    async def token(request: Request) -> Response:
        try:
            form = await form_of(request)
            answer = await anyio.to_thread.run_sync(
                exchange, directory, grants, request.headers.get("authorization"), form
            )
        except OAuthError as exc:
            return error_response(exc)
        return JSONResponse(answer, headers=_NO_STORE)

    async def info(request: Request) -> Response:
        try:
            answer = await anyio.to_thread.run_sync(
                user_info, directory, request.headers.get("authorization")
            )
        except OAuthError as exc:
            return error_response(exc)
        return JSONResponse(answer, headers={**_NO_STORE, "Access-Control-Allow-Origin": "*"})

    async def revocation(request: Request) -> Response:
        try:
            form = await form_of(request)
            await anyio.to_thread.run_sync(revoke, directory, request.headers.get("authorization"), form)
        except OAuthError as exc:
            return error_response(exc)
        return Response(b"", 200, headers=_NO_STORE)

    return [
        Route("/oauth2/token", token, methods=["POST"]),
        Route("/oauth2/userInfo", info, methods=["GET", "POST"]),
        Route("/oauth2/revoke", revocation, methods=["POST"]),
    ]
