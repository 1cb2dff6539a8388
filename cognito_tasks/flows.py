"""The first factor of each AuthFlow: password, SRP, custom challenges, refresh tokens.

Password flows (ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH): an unknown user
goes to the UserMigration trigger when one is configured [doc, user migration trigger:
`UserMigration_Authentication` with `password`; the returned `userAttributes` create the user,
`finalUserStatus` CONFIRMED or RESET_REQUIRED, `messageAction` SUPPRESS or a welcome message]; then
the lockout is checked, the PreAuthentication trigger runs (it may refuse: UserLambdaValidationException),
and the password is checked. Outcomes of a correct password by status: CONFIRMED -> MFA or tokens;
FORCE_CHANGE_PASSWORD -> NEW_PASSWORD_REQUIRED (NotAuthorized "Temporary password has expired and
must be reset by an administrator." after TemporaryPasswordValidityDays); UNCONFIRMED ->
UserNotConfirmedException; RESET_REQUIRED -> PasswordResetRequiredException. A wrong password is
NotAuthorized "Incorrect username or password."; an unknown user is UserNotFoundException "User does
not exist." for clients with PreventUserExistenceErrors LEGACY, else the wrong-password error.

USER_SRP_AUTH (`cognito_tasks.srp`): InitiateAuth with `SRP_A` answers PASSWORD_VERIFIER with `SALT`,
`SRP_B`, `SECRET_BLOCK`, `USERNAME` and `USER_ID_FOR_SRP` (no Session: the secret block identifies
the exchange); RespondToAuthChallenge proves the password with `PASSWORD_CLAIM_SIGNATURE` over
`TIMESTAMP`. With PreventUserExistenceErrors ENABLED an unknown user gets a challenge that can never
be answered, as on AWS, so both cases look alike. The timestamp's format is checked, not its distance
from the clock (a workflow runs on a virtual clock) [belief: AWS also refuses stale timestamps].

CUSTOM_AUTH is in `cognito_tasks.custom_auth`.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from cognito_tasks import limits, passwords, sessions, srp, triggers, users
from cognito_tasks.challenges import (
    HOSTED,
    Attempt,
    after_first_factor,
    new_password_challenge,
    record,
)
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from cognito_tasks.model import AppClient, User, UserPool, UserStatus

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
WRONG_PASSWORD = "Incorrect username or password."

Response = dict[str, Any]


def param(params: dict[str, Any], name: str) -> str:
    """A required auth or challenge parameter, or InvalidParameterException."""
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return str(value)


def no_user(client: AppClient) -> Exception:
    """The error for an unknown user, as PreventUserExistenceErrors decides."""
    if client.prevent_user_existence_errors == "ENABLED":
        return NotAuthorizedException(WRONG_PASSWORD)
    return UserNotFoundException("User does not exist.")


def metadata(request: dict[str, Any]) -> dict[str, str] | None:
    metadata = request.get("ClientMetadata")
    return dict(metadata) if isinstance(metadata, dict) else None


def pre_authentication(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    username: str,
    user: User | None,
    request: dict[str, Any],
) -> None:
    """The PreAuthentication trigger (`userNotFound` when PreventUserExistenceErrors hides the user)."""
    body: dict[str, Any] = {
        "userAttributes": triggers.user_attributes(user.attributes, str(user.status)) if user else {},
        "validationData": metadata(request) or {},
    }
    if user is None:
        body["userNotFound"] = True
    triggers.invoke(
        d,
        pool,
        "PreAuthentication",
        "PreAuthentication_Authentication",
        user.username if user else username,
        body,
        client_id=client.id,
    )


def migrate(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    username: str,
    password: str | None,
    request: dict[str, Any],
    now: float,
    source: str,
) -> User | None:
    """Ask the UserMigration trigger about an unknown user; the user it describes is created (or None)."""
    if triggers.arn(pool, "UserMigration") is None:
        return None
    body: dict[str, Any] = {
        "validationData": metadata(request) or {},
        "clientMetadata": metadata(request) or {},
    }
    if password is not None:
        body["password"] = password
    answer = triggers.invoke(d, pool, "UserMigration", source, username, body, client_id=client.id)
    given = (answer or {}).get("userAttributes")
    if not isinstance(given, dict) or not given:
        return None
    status = (answer or {}).get("finalUserStatus") or (
        "CONFIRMED" if password is not None else "RESET_REQUIRED"
    )
    if status not in ("CONFIRMED", "RESET_REQUIRED"):
        raise InvalidLambdaResponseException(
            "Invalid lambda response: finalUserStatus must be CONFIRMED or RESET_REQUIRED"
        )
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in given.items()):
        raise InvalidLambdaResponseException(
            "Invalid lambda response: userAttributes must map names to strings"
        )
    return users.create_migrated(d, pool, username, given, UserStatus(status), password, now)


def status_gate(user: User) -> None:
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException("User is not confirmed.")
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException("Password reset required for the user")


def after_password(d: UserDirectory, a: Attempt) -> Response:
    """A correct password (or SRP proof): status rules, then NEW_PASSWORD_REQUIRED, MFA or tokens.

    The lockout count starts again only when the sign-in completes (`challenges.finish`).
    """
    status_gate(a.user)
    if a.user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        if a.user.password_expires is not None and a.now > a.user.password_expires:
            raise NotAuthorizedException(
                "Temporary password has expired and must be reset by an administrator."
            )
        return new_password_challenge(d, a)
    return after_first_factor(d, a)


def password(
    d: UserDirectory, pool: UserPool, client: AppClient, request: dict[str, Any], now: float
) -> Response:
    """ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH and USER_PASSWORD_AUTH."""
    params = request.get("AuthParameters") or {}
    username = param(params, "USERNAME")
    given = param(params, "PASSWORD")
    if request["AuthFlow"] != HOSTED:  # the hosted pages are the client's own: no SECRET_HASH
        users.check_secret_hash(client, params.get("SECRET_HASH"), username)
    user = d.find_user(pool, username) or migrate(
        d, pool, client, username, given, request, now, "UserMigration_Authentication"
    )
    if user is None:
        if client.prevent_user_existence_errors == "ENABLED":
            pre_authentication(d, pool, client, username, None, request)
        raise no_user(client)
    limits.check_sign_in(user, now)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    pre_authentication(d, pool, client, username, user, request)
    if not passwords.verify_password(user.password_hash, given):
        limits.failed(user, now)
        raise NotAuthorizedException(WRONG_PASSWORD)
    users.upgrade_hash(d, pool, user, given)
    return after_password(d, Attempt(pool, client, user, request["AuthFlow"], now, metadata(request)))


# -- SRP ---------------------------------------------------------------------------------------


def srp_challenge(
    d: UserDirectory, a: Attempt, big_a: int, verifier: str | None, salt: str | None, data: dict[str, Any]
) -> Response:
    """PASSWORD_VERIFIER for `a.user` (a decoy verifier when the user has none, so it always fails)."""
    salt = salt or srp.new_salt()
    verifier = verifier or secrets.token_hex(384)
    b, big_b = srp.new_server_secret(verifier)
    block = base64.b64encode(d.random_bytes(512)).decode("ascii")
    exchange = {"A": format(big_a, "x"), "b": format(b, "x"), "verifier": verifier}
    record(d, a, PASSWORD_VERIFIER, block, {**data, **exchange})
    return {
        "ChallengeName": PASSWORD_VERIFIER,
        "ChallengeParameters": {
            "SALT": salt,
            "SECRET_BLOCK": block,
            "SRP_B": format(big_b, "x"),
            "USERNAME": a.user.username,
            "USER_ID_FOR_SRP": a.user.username,
        },
    }


def srp_a_value(params: dict[str, Any]) -> int:
    text = param(params, "SRP_A")
    try:
        value = int(text, 16)
    except ValueError:
        raise InvalidParameterException("SRP_A must be a hexadecimal number") from None
    if value % srp.N == 0:
        raise InvalidParameterException("SRP_A is not a valid SRP public value")
    return value


def user_srp(
    d: UserDirectory, pool: UserPool, client: AppClient, request: dict[str, Any], now: float
) -> Response:
    """USER_SRP_AUTH: the PASSWORD_VERIFIER challenge."""
    params = request.get("AuthParameters") or {}
    username = param(params, "USERNAME")
    big_a = srp_a_value(params)
    users.check_secret_hash(client, params.get("SECRET_HASH"), username)
    user = d.find_user(pool, username)
    if user is None:
        if client.prevent_user_existence_errors != "ENABLED":
            raise no_user(client)
        pre_authentication(d, pool, client, username, None, request)
        decoy = User(username, {"sub": "decoy"}, UserStatus.CONFIRMED, now, now)
        attempt = Attempt(pool, client, decoy, request["AuthFlow"], now, metadata(request))
        return srp_challenge(d, attempt, big_a, None, None, {"decoy": True})
    limits.check_sign_in(user, now)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    pre_authentication(d, pool, client, username, user, request)
    attempt = Attempt(pool, client, user, request["AuthFlow"], now, metadata(request))
    return srp_challenge(d, attempt, big_a, user.srp_verifier, user.srp_salt, {})


def password_verifier(
    d: UserDirectory, pool: UserPool, client: AppClient, request: dict[str, Any], now: float
) -> Response:
    """RespondToAuthChallenge PASSWORD_VERIFIER: check the SRP proof."""
    responses = request.get("ChallengeResponses") or {}
    block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    challenge = d.challenges.get(request.get("Session") or block)
    if challenge is None or challenge.name != PASSWORD_VERIFIER or challenge.session != block:
        raise NotAuthorizedException("Invalid session for the user.")
    if now > challenge.expires or challenge.client_id != client.id:
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    username = param(responses, "USERNAME")
    timestamp = param(responses, "TIMESTAMP")
    claimed = param(responses, "PASSWORD_CLAIM_SIGNATURE")
    if not srp.valid_timestamp(timestamp):
        raise InvalidParameterException(
            f"Invalid TIMESTAMP {timestamp!r}; Cognito's form is 'Tue Sep 5 08:09:40 UTC 2023'"
        )
    del d.challenges[challenge.session]
    data = challenge.data
    if data.get("decoy"):
        raise NotAuthorizedException(WRONG_PASSWORD)
    user = d.find_user(pool, challenge.sub)
    if user is None or d.find_user(pool, username) is not user:
        raise NotAuthorizedException("Invalid session for the user.")
    users.check_secret_hash(client, responses.get("SECRET_HASH"), username, user.username)
    limits.check_sign_in(user, now)
    try:
        proved = srp.check_claim(
            big_a=int(str(data["A"]), 16),
            b=int(str(data["b"]), 16),
            verifier_hex=str(data["verifier"]),
            pool_id=pool.id,
            user_id=user.username,
            secret_block=block,
            timestamp=timestamp,
            claimed=claimed,
        )
    except (KeyError, ValueError, TypeError):
        raise NotAuthorizedException("Invalid session for the user.") from None
    if not proved or user.srp_verifier != data["verifier"]:
        limits.failed(user, now)
        raise NotAuthorizedException(WRONG_PASSWORD)
    attempt = Attempt(pool, client, user, challenge.flow, now, metadata(request))
    if challenge.flow == "CUSTOM_AUTH":
        custom = list(data.get("custom") or [])
        custom.append(
            {"challengeName": PASSWORD_VERIFIER, "challengeResult": True, "challengeMetadata": None}
        )
        limits.succeeded(user, now)
        status_gate(user)
        from cognito_tasks import custom_auth

        return custom_auth.define(d, attempt, custom, str(data.get("srp_a")))
    return after_password(d, attempt)


# -- refresh -------------------------------------------------------------------------------------


def refresh(
    d: UserDirectory, pool: UserPool, client: AppClient, request: dict[str, Any], now: float
) -> Response:
    """REFRESH_TOKEN_AUTH / REFRESH_TOKEN: new ID and access tokens (pre token generation: _RefreshTokens)."""
    params = request.get("AuthParameters") or {}
    token = param(params, "REFRESH_TOKEN")
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
    result = sessions.issue(
        d,
        pool,
        client,
        user,
        now,
        session,
        source="TokenGeneration_RefreshTokens",
        metadata=metadata(request),
    )
    return {"ChallengeParameters": {}, "AuthenticationResult": result}
