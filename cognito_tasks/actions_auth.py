"""Sign-in and sign-out actions: (Admin)InitiateAuth, (Admin)RespondToAuthChallenge, sign-outs, RevokeToken.

Flows: ADMIN_USER_PASSWORD_AUTH (and legacy ADMIN_NO_SRP_AUTH) only through AdminInitiateAuth,
USER_PASSWORD_AUTH only through InitiateAuth, REFRESH_TOKEN_AUTH/REFRESH_TOKEN through both; a
wrong pairing is InvalidParameterException "Initiate Auth method not supported.", a flow the
client's ExplicitAuthFlows lacks is "Auth flow not enabled for this client". SRP, custom and
choice-based (USER_AUTH) flows are valid on AWS but not emulated: the task fails with
States.Runtime.

Outcomes of a correct password by status: CONFIRMED -> tokens; FORCE_CHANGE_PASSWORD ->
NEW_PASSWORD_REQUIRED challenge (NotAuthorized "Temporary password has expired and must be reset
by an administrator." once TemporaryPasswordValidityDays pass); UNCONFIRMED ->
UserNotConfirmedException; RESET_REQUIRED -> PasswordResetRequiredException. A wrong password is
NotAuthorized "Incorrect username or password."; an unknown user is UserNotFoundException
"User does not exist." for clients with PreventUserExistenceErrors LEGACY, else the wrong-password
error. Challenge sessions live AuthSessionValidity minutes (default 3) and are single-use.

RevokeToken [belief]: an unknown refresh token is accepted silently (OAuth 2.0 revocation,
RFC 7009); a JWT (ID/access token) is UnsupportedTokenTypeException; a token of another client or
a wrong/missing ClientSecret is UnauthorizedException; clients with EnableTokenRevocation false
get UnsupportedOperationException.
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

from cognito_tasks import attributes as attrs
from cognito_tasks import passwords, sessions, tokens, users
from cognito_tasks.actions_pools import Request, Response
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    NotEmulated,
    PasswordResetRequiredException,
    ResourceNotFoundException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from cognito_tasks.model import AppClient, Challenge, EventKind, User, UserPool, UserStatus

ADMIN_FLOWS = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
_LEGACY = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
_CLIENT_FLAG = {
    "ADMIN_USER_PASSWORD_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "ADMIN_NO_SRP_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "USER_PASSWORD_AUTH": ("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"),
    "USER_SRP_AUTH": ("ALLOW_USER_SRP_AUTH",),
    "CUSTOM_AUTH": ("ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"),
    "USER_AUTH": ("ALLOW_USER_AUTH",),
}
_SESSION_EXPIRED = "Invalid session for the user, session is expired."


def _flow_allowed(client: AppClient, flow: str) -> bool:
    flows = set(client.explicit_auth_flows)
    if flow in REFRESH_FLOWS:
        return "ALLOW_REFRESH_TOKEN_AUTH" in flows or bool(flows & _LEGACY)
    return bool(flows & set(_CLIENT_FLAG.get(flow, ())))


def _param(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return str(value)


def _no_user(client: AppClient) -> Exception:
    if client.prevent_user_existence_errors == "ENABLED":
        return NotAuthorizedException("Incorrect username or password.")
    return UserNotFoundException("User does not exist.")


def _new_password_challenge(
    d: UserDirectory, pool: UserPool, client: AppClient, user: User, now: float
) -> Response:
    session = base64.urlsafe_b64encode(d.random_bytes(192)).decode("ascii")
    d.challenges[session] = Challenge(
        session=session,
        name=NEW_PASSWORD_REQUIRED,
        pool_id=pool.id,
        client_id=client.id,
        username=user.username,
        sub=user.sub,
        expires=now + client.auth_session_validity * 60,
    )
    shown = {k: v for k, v in user.attributes.items() if k != "sub"}
    required = [
        f"userAttributes.{e.name}"
        for e in attrs.schema(pool)
        if e.required and e.name != "sub" and not user.attributes.get(e.name)
    ]
    return {
        "ChallengeName": NEW_PASSWORD_REQUIRED,
        "Session": session,
        "ChallengeParameters": {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": json.dumps(required),
            "userAttributes": json.dumps(shown),
        },
    }


def _password_auth(
    d: UserDirectory, pool: UserPool, client: AppClient, params: dict[str, Any], now: float
) -> Response:
    username = _param(params, "USERNAME")
    password = _param(params, "PASSWORD")
    users.check_secret_hash(client, params.get("SECRET_HASH"), username)
    user = d.find_user(pool, username)
    if user is None:
        raise _no_user(client)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if not passwords.verify_password(user.password_hash, password):
        raise NotAuthorizedException("Incorrect username or password.")
    users.upgrade_hash(d, pool, user, password)
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException("User is not confirmed.")
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        if user.password_expires is not None and now > user.password_expires:
            raise NotAuthorizedException(
                "Temporary password has expired and must be reset by an administrator."
            )
        return _new_password_challenge(d, pool, client, user, now)
    return {"ChallengeParameters": {}, "AuthenticationResult": sessions.issue(d, pool, client, user, now)}


def _refresh(
    d: UserDirectory, pool: UserPool, client: AppClient, params: dict[str, Any], now: float
) -> Response:
    token = _param(params, "REFRESH_TOKEN")
    session = d.session_for_refresh(token)
    if session is None or session.client_id != client.id or session.pool_id != pool.id:
        raise NotAuthorizedException("Invalid Refresh Token")
    if session.revoked:
        raise NotAuthorizedException("Refresh Token has been revoked")
    if now > session.refresh_expires:
        raise NotAuthorizedException("Refresh Token has expired")
    user = d.find_user(pool, session.sub)
    if user is None:
        raise NotAuthorizedException("Refresh Token has been revoked")
    users.check_secret_hash(client, params.get("SECRET_HASH"), user.username, user.sub)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return {
        "ChallengeParameters": {},
        "AuthenticationResult": sessions.issue(d, pool, client, user, now, session),
    }


def _initiate(
    d: UserDirectory, pool: UserPool, client: AppClient, request: Request, now: float, *, admin: bool
) -> Response:
    flow = request["AuthFlow"]
    if (admin and flow == "USER_PASSWORD_AUTH") or (not admin and flow in ADMIN_FLOWS):
        raise InvalidParameterException("Initiate Auth method not supported.")
    if not _flow_allowed(client, flow):
        raise InvalidParameterException("Auth flow not enabled for this client")
    params = request.get("AuthParameters") or {}
    if flow in REFRESH_FLOWS:
        return _refresh(d, pool, client, params, now)
    if flow in ADMIN_FLOWS or flow == "USER_PASSWORD_AUTH":
        return _password_auth(d, pool, client, params, now)
    raise NotEmulated(f"AuthFlow {flow} is not emulated locally; use a password or refresh-token flow")


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
    session_id = request.get("Session")
    challenge = d.challenges.get(session_id) if session_id else None
    if challenge is None or now > challenge.expires or challenge.client_id != client.id:
        raise NotAuthorizedException(_SESSION_EXPIRED)
    if name != challenge.name:
        raise InvalidParameterException(f"Invalid challenge name {name} for this session.")
    responses = request.get("ChallengeResponses") or {}
    username = _param(responses, "USERNAME")
    user = d.find_user(pool, username)
    if user is None or user.sub != challenge.sub:
        raise NotAuthorizedException("Invalid session for the user.")
    users.check_secret_hash(client, responses.get("SECRET_HASH"), username, user.username)
    new_password = _param(responses, "NEW_PASSWORD")
    prefix = "userAttributes."
    changes = [{"Name": k[len(prefix) :], "Value": v} for k, v in responses.items() if k.startswith(prefix)]
    updated = attrs.apply(pool, user.attributes, changes, creating=False)
    missing = [
        e.name for e in attrs.schema(pool) if e.required and e.name != "sub" and not updated.get(e.name)
    ]
    if missing:
        raise InvalidParameterException(f"Invalid attributes given, {missing[0]} is missing")
    passwords.check(pool.password_policy, new_password)
    del d.challenges[challenge.session]
    user.attributes = updated
    users.set_password(d, pool, user, new_password, now, permanent=True)
    d.touch(pool, user, now, "new password set (challenge)")
    return {"ChallengeParameters": {}, "AuthenticationResult": sessions.issue(d, pool, client, user, now)}


def admin_respond_to_auth_challenge(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminRespondToAuthChallenge (NEW_PASSWORD_REQUIRED)."""
    pool = d.pool(request["UserPoolId"])
    _, client = d.client(request["ClientId"], pool)
    return _respond(d, pool, client, request, now)


def respond_to_auth_challenge(d: UserDirectory, request: Request, now: float) -> Response:
    """RespondToAuthChallenge (NEW_PASSWORD_REQUIRED)."""
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
