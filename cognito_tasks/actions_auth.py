"""Sign-in and sign-out actions: (Admin)InitiateAuth, (Admin)RespondToAuthChallenge, sign-outs, RevokeToken.

Flows: ADMIN_USER_PASSWORD_AUTH (and legacy ADMIN_NO_SRP_AUTH) only through AdminInitiateAuth,
USER_PASSWORD_AUTH and USER_SRP_AUTH through InitiateAuth (USER_SRP_AUTH also through
AdminInitiateAuth), CUSTOM_AUTH and REFRESH_TOKEN_AUTH/REFRESH_TOKEN through both; a wrong pairing
is InvalidParameterException "Initiate Auth method not supported.", a flow the client's
ExplicitAuthFlows lacks is "Auth flow not enabled for this client". What each flow does is in
`cognito_tasks.flows`; the steps after the first factor (new password, MFA, tokens) in
`cognito_tasks.challenges`. Choice-based sign-in (USER_AUTH) is valid on AWS but not emulated: the
task fails with States.Runtime.

RevokeToken [belief]: an unknown refresh token is accepted silently (OAuth 2.0 revocation,
RFC 7009); a JWT (ID/access token) is UnsupportedTokenTypeException; a token of another client or
a wrong/missing ClientSecret is UnauthorizedException; clients with EnableTokenRevocation false
get UnsupportedOperationException.
"""

from __future__ import annotations

import hmac
from typing import Any

from cognito_tasks import challenges, custom_auth, flows, sessions, tokens, users
from cognito_tasks.actions_pools import Request, Response
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    NotEmulated,
    ResourceNotFoundException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from cognito_tasks.model import AppClient, EventKind, UserPool

ADMIN_FLOWS = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
_LEGACY = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
_CLIENT_FLAG = {
    "ADMIN_USER_PASSWORD_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "ADMIN_NO_SRP_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "USER_PASSWORD_AUTH": ("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"),
    "USER_SRP_AUTH": ("ALLOW_USER_SRP_AUTH",),
    "CUSTOM_AUTH": ("ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"),
    "USER_AUTH": ("ALLOW_USER_AUTH",),
}
_FLOWS = {
    "ADMIN_USER_PASSWORD_AUTH": flows.password,
    "ADMIN_NO_SRP_AUTH": flows.password,
    "USER_PASSWORD_AUTH": flows.password,
    "USER_SRP_AUTH": flows.user_srp,
    "CUSTOM_AUTH": custom_auth.custom,
    "REFRESH_TOKEN_AUTH": flows.refresh,
    "REFRESH_TOKEN": flows.refresh,
}


def _flow_allowed(client: AppClient, flow: str) -> bool:
    allowed = set(client.explicit_auth_flows)
    if flow in REFRESH_FLOWS:
        return "ALLOW_REFRESH_TOKEN_AUTH" in allowed or bool(allowed & _LEGACY)
    return bool(allowed & set(_CLIENT_FLAG.get(flow, ())))


def _initiate(
    d: UserDirectory, pool: UserPool, client: AppClient, request: Request, now: float, *, admin: bool
) -> Response:
    flow = request["AuthFlow"]
    if (admin and flow == "USER_PASSWORD_AUTH") or (not admin and flow in ADMIN_FLOWS):
        raise InvalidParameterException("Initiate Auth method not supported.")
    if not _flow_allowed(client, flow):
        raise InvalidParameterException("Auth flow not enabled for this client")
    run = _FLOWS.get(flow)
    if run is None:
        raise NotEmulated(
            f"AuthFlow {flow} is not emulated locally; use a password, SRP, custom or refresh flow"
        )
    return run(d, pool, client, request, now)


def admin_initiate_auth(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminInitiateAuth."""
    pool = d.pool(request["UserPoolId"])
    _, client = d.client(request["ClientId"], pool)
    return _initiate(d, pool, client, request, now, admin=True)


def initiate_auth(d: UserDirectory, request: Request, now: float) -> Response:
    """InitiateAuth."""
    pool, client = d.client(request["ClientId"])
    return _initiate(d, pool, client, request, now, admin=False)


def _respond(d: UserDirectory, pool: UserPool, client: AppClient, request: Request, now: float) -> Response:
    name = request["ChallengeName"]
    if name == flows.PASSWORD_VERIFIER:
        return flows.password_verifier(d, pool, client, request, now)
    challenge = challenges.pending(d, client, request.get("Session"), now)
    if name != challenge.name:
        raise InvalidParameterException(f"Invalid challenge name {name} for this session.")
    responses: dict[str, Any] = request.get("ChallengeResponses") or {}
    username = flows.param(responses, "USERNAME")
    user = d.find_user(pool, username)
    if user is None or user.sub != challenge.sub:
        raise NotAuthorizedException("Invalid session for the user.")
    users.check_secret_hash(client, responses.get("SECRET_HASH"), username, user.username)
    metadata = request.get("ClientMetadata")
    attempt = challenges.Attempt(
        pool, client, user, challenge.flow, now, dict(metadata) if metadata else None
    )
    if name == custom_auth.CUSTOM_CHALLENGE:
        return custom_auth.custom_answer(d, attempt, challenge, responses)
    answer = challenges.ANSWERS.get(name)
    if answer is None:
        raise NotEmulated(f"the {name} challenge is not emulated locally")
    return answer(d, attempt, challenge, responses)


def admin_respond_to_auth_challenge(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminRespondToAuthChallenge."""
    pool = d.pool(request["UserPoolId"])
    _, client = d.client(request["ClientId"], pool)
    return _respond(d, pool, client, request, now)


def respond_to_auth_challenge(d: UserDirectory, request: Request, now: float) -> Response:
    """RespondToAuthChallenge."""
    pool, client = d.client(request["ClientId"])
    return _respond(d, pool, client, request, now)


def global_sign_out(d: UserDirectory, request: Request, now: float) -> Response:
    """GlobalSignOut: revoke every session of the access token's user."""
    pool, user, _ = sessions.check_access_token(d, request["AccessToken"], now)
    d.revoke_sessions(pool, user)
    d.record(EventKind.SIGNED_OUT, pool.id, user.username, now, "GlobalSignOut")
    return {}


def admin_user_global_sign_out(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminUserGlobalSignOut."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    d.revoke_sessions(pool, user)
    d.record(EventKind.SIGNED_OUT, pool.id, user.username, now, "AdminUserGlobalSignOut")
    return {}


def revoke_token(d: UserDirectory, request: Request, now: float) -> Response:
    """RevokeToken: revoke a refresh token and the access tokens issued with it."""
    try:
        pool, client = d.client(request["ClientId"])
    except ResourceNotFoundException as exc:
        raise UnauthorizedException("Client authentication failed.") from exc
    if client.secret is not None and not hmac.compare_digest(
        request.get("ClientSecret") or "", client.secret
    ):
        raise UnauthorizedException("Client authentication failed.")
    if not client.enable_token_revocation:
        raise UnsupportedOperationException("Token revocation is not enabled for this app client.")
    token = request["Token"]
    if tokens.unverified_claims(token) is not None:
        raise UnsupportedTokenTypeException("Unsupported token type.")
    session = d.session_for_refresh(token)
    if session is None:
        return {}
    if session.client_id != client.id:
        raise UnauthorizedException("Client authentication failed.")
    if not session.revoked:
        session.revoked = True
        d.record(EventKind.SIGNED_OUT, pool.id, session.username, now, "RevokeToken")
    return {}


def issue_tokens(d: UserDirectory, request: Request, now: float) -> Response:
    """Local-only: tokens for an existing, enabled user without a password (`ClientId` optional)."""
    pool = d.pool(request["UserPoolId"])
    if request.get("ClientId"):
        _, client = d.client(request["ClientId"], pool)
    elif pool.clients:
        client = next(iter(pool.clients.values()))
    else:
        raise ResourceNotFoundException(f"User pool {pool.id} has no app client.")
    user = d.user(pool, request["Username"])
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return {"AuthenticationResult": sessions.issue(d, pool, client, user, now)}


ACTIONS = {
    "adminInitiateAuth": admin_initiate_auth,
    "initiateAuth": initiate_auth,
    "adminRespondToAuthChallenge": admin_respond_to_auth_challenge,
    "respondToAuthChallenge": respond_to_auth_challenge,
    "globalSignOut": global_sign_out,
    "adminUserGlobalSignOut": admin_user_global_sign_out,
    "revokeToken": revoke_token,
}
