"""What happens after the first factor of a sign-in: challenges, their answers, and the tokens at the end.

A challenge lives in `directory.challenges` under its opaque Session (valid AuthSessionValidity
minutes, 3 by default) and is used once: each answer closes it and, when another step follows,
opens a new one. Order after a correct password, SRP proof or custom challenge: NEW_PASSWORD_REQUIRED
(FORCE_CHANGE_PASSWORD users), then MFA (`cognito_tasks.mfa.next_challenge`), then the end:
the PostAuthentication trigger, the pre token generation trigger, the tokens.

Wrong MFA codes [obs]: CodeMismatchException "Invalid code or auth state for the user."; they
count toward the sign-in lockout (`cognito_tasks.limits`), and after three in one session the
session closes [belief]. NEW_PASSWORD_REQUIRED parameters [obs, localstack #8411]:
`USER_ID_FOR_SRP`, `requiredAttributes` (JSON list) and `userAttributes` (JSON object).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cognito_tasks import attributes as attrs
from cognito_tasks import limits, mfa, passwords, sessions, triggers, users, wire
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    CodeMismatchException,
    CognitoError,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
)
from cognito_tasks.model import AppClient, Challenge, CodePurpose, User, UserPool

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
SESSION_EXPIRED = "Invalid session for the user, session is expired."
WRONG_CODE = "Invalid code or auth state for the user."
AUTHENTICATION = "TokenGeneration_Authentication"
NEW_PASSWORD = "TokenGeneration_NewPasswordChallenge"
#: The flow of a sign-in on the hosted pages: no SECRET_HASH, and no tokens at the end (the
#: authorization code or implicit grant issues them, with the OAuth scopes).
HOSTED = "HOSTED_SIGN_IN"
_MAX_WRONG_CODES = 3

Response = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Attempt:
    """A sign-in in progress: who, through which client and AuthFlow, at what time, with what ClientMetadata."""

    pool: UserPool
    client: AppClient
    user: User
    flow: str
    now: float
    metadata: dict[str, str] | None = None


def new_session(d: UserDirectory) -> str:
    """An opaque Session string (256 characters)."""
    return base64.urlsafe_b64encode(d.random_bytes(192)).decode("ascii")


def record(d: UserDirectory, a: Attempt, name: str, session: str, data: dict[str, Any] | None = None) -> None:
    """Remember a challenge of attempt `a` under `session` (valid AuthSessionValidity minutes)."""
    d.challenges[session] = Challenge(
        session=session,
        name=name,
        pool_id=a.pool.id,
        client_id=a.client.id,
        username=a.user.username,
        sub=a.user.sub,
        expires=a.now + a.client.auth_session_validity * 60,
        flow=a.flow,
        data=dict(data or {}),
    )


def open_challenge(
    d: UserDirectory, a: Attempt, name: str, parameters: dict[str, str], data: dict[str, Any] | None = None
) -> Response:
    """Record a challenge and return the (Admin)InitiateAuth/RespondToAuthChallenge response for it."""
    session = new_session(d)
    record(d, a, name, session, data)
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": parameters}


def pending(d: UserDirectory, client: AppClient, session: str | None, now: float) -> Challenge:
    """The live challenge for `session` and this client, or NotAuthorizedException."""
    challenge = d.challenges.get(session) if session else None
    if challenge is None or now > challenge.expires or challenge.client_id != client.id:
        raise NotAuthorizedException(SESSION_EXPIRED)
    return challenge


def new_password_challenge(d: UserDirectory, a: Attempt) -> Response:
    """NEW_PASSWORD_REQUIRED for a FORCE_CHANGE_PASSWORD user."""
    shown = {k: v for k, v in a.user.attributes.items() if k != "sub"}
    required = [
        f"userAttributes.{e.name}"
        for e in attrs.schema(a.pool)
        if e.required and e.name != "sub" and not a.user.attributes.get(e.name)
    ]
    parameters = {
        "USER_ID_FOR_SRP": a.user.username,
        "requiredAttributes": json.dumps(required),
        "userAttributes": json.dumps(shown),
    }
    return open_challenge(d, a, NEW_PASSWORD_REQUIRED, parameters)


def after_first_factor(d: UserDirectory, a: Attempt, source: str = AUTHENTICATION) -> Response:
    """The next step once the user proved the first factor: MFA if due, else tokens."""
    name = mfa.next_challenge(a.pool, a.user)
    if name is None:
        return finish(d, a, source)
    return mfa_challenge(d, a, name, source)


def _mfa_target(name: str) -> tuple[str, str]:
    return ("phone_number", "SMS") if name == mfa.SMS else ("email", "EMAIL")


def mfa_challenge(d: UserDirectory, a: Attempt, name: str, source: str) -> Response:
    """Open an MFA challenge (sending the SMS or email code when the factor needs one)."""
    parameters = {"USER_ID_FOR_SRP": a.user.username}
    data: dict[str, Any] = {"source": source}
    if name == mfa.SELECT:
        options = mfa.choices(a.pool, a.user)
        parameters["MFAS_CAN_CHOOSE"] = json.dumps(options)
        data["choices"] = options
    elif name == mfa.SETUP:
        parameters["MFAS_CAN_SETUP"] = json.dumps([mfa.TOTP])
    elif name in (mfa.SMS, mfa.EMAIL):
        code = users.send_code(
            d,
            a.pool,
            a.user,
            CodePurpose.AUTHENTICATION,
            a.now,
            _mfa_target(name),
            source="CustomMessage_Authentication",
            client_id=a.client.id,
            metadata=a.metadata,
        )
        delivery = wire.code_delivery(code)
        parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] = delivery["DeliveryMedium"]
        parameters["CODE_DELIVERY_DESTINATION"] = delivery["Destination"]
    return open_challenge(d, a, name, parameters, data)


def finish(d: UserDirectory, a: Attempt, source: str) -> Response:
    """The end of a sign-in: PostAuthentication, then the tokens (pre token generation applied)."""
    triggers.invoke(
        d,
        a.pool,
        "PostAuthentication",
        "PostAuthentication_Authentication",
        a.user.username,
        {
            "userAttributes": triggers.user_attributes(a.user.attributes, str(a.user.status)),
            "newDeviceUsed": False,
            "clientMetadata": dict(a.metadata or {}),
        },
        client_id=a.client.id,
    )
    limits.succeeded(a.user, a.now)
    if a.flow == HOSTED:
        return {"ChallengeParameters": {}, "SignedIn": a.user.username}
    result = sessions.issue(d, a.pool, a.client, a.user, a.now, source=source, metadata=a.metadata)
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


def _source(challenge: Challenge) -> str:
    source = challenge.data.get("source")
    return source if isinstance(source, str) else AUTHENTICATION


def answer_new_password(
    d: UserDirectory, a: Attempt, challenge: Challenge, responses: dict[str, Any]
) -> Response:
    """NEW_PASSWORD_REQUIRED: set the password (and any required attributes), then MFA or tokens."""
    new_password = responses.get("NEW_PASSWORD")
    if not new_password:
        raise InvalidParameterException("Missing required parameter NEW_PASSWORD")
    prefix = "userAttributes."
    changes = [{"Name": k[len(prefix) :], "Value": v} for k, v in responses.items() if k.startswith(prefix)]
    updated = attrs.apply(a.pool, a.user.attributes, changes, creating=False)
    missing = [
        e.name for e in attrs.schema(a.pool) if e.required and e.name != "sub" and not updated.get(e.name)
    ]
    if missing:
        raise InvalidParameterException(f"Invalid attributes given, {missing[0]} is missing")
    passwords.check(a.pool.password_policy, str(new_password))
    del d.challenges[challenge.session]
    a.user.attributes = updated
    users.set_password(d, a.pool, a.user, str(new_password), a.now, permanent=True)
    d.touch(a.pool, a.user, a.now, "new password set (challenge)")
    return after_first_factor(d, a, NEW_PASSWORD)


def _wrong_code(d: UserDirectory, a: Attempt, challenge: Challenge) -> CognitoError:
    limits.failed(a.user, a.now)
    challenge.failures += 1
    if challenge.failures >= _MAX_WRONG_CODES:
        d.challenges.pop(challenge.session, None)
    return CodeMismatchException(WRONG_CODE)


def answer_mfa_code(
    d: UserDirectory, a: Attempt, challenge: Challenge, responses: dict[str, Any]
) -> Response:
    """SMS_MFA, EMAIL_OTP or SOFTWARE_TOKEN_MFA: check the code, then tokens."""
    member = mfa.CODE_MEMBER[challenge.name]
    code = responses.get(member)
    if not code:
        raise InvalidParameterException(f"Missing required parameter {member}")
    limits.check_sign_in(a.user, a.now)
    if challenge.name == mfa.TOTP:
        secret = a.user.mfa.totp_secret
        step = mfa.totp_step(secret, str(code), a.now, a.user.mfa.totp_last_step) if secret else None
        if step is None:
            raise _wrong_code(d, a, challenge)
        a.user.mfa.totp_last_step = step
    else:
        try:
            d.use_code(a.pool, a.user, CodePurpose.AUTHENTICATION, str(code), a.now)
        except (CodeMismatchException, ExpiredCodeException):
            raise _wrong_code(d, a, challenge) from None
    del d.challenges[challenge.session]
    return finish(d, a, _source(challenge))


def answer_select(d: UserDirectory, a: Attempt, challenge: Challenge, responses: dict[str, Any]) -> Response:
    """SELECT_MFA_TYPE: ANSWER names one of MFAS_CAN_CHOOSE; that factor's challenge follows."""
    choice = responses.get("ANSWER")
    options = challenge.data.get("choices")
    if not isinstance(options, list) or choice not in options:
        raise InvalidParameterException(f"Invalid ANSWER {choice!r}; choose one of {options}")
    del d.challenges[challenge.session]
    return mfa_challenge(d, a, str(choice), _source(challenge))


def answer_setup(d: UserDirectory, a: Attempt, challenge: Challenge, responses: dict[str, Any]) -> Response:
    """MFA_SETUP: after AssociateSoftwareToken and VerifySoftwareToken with this session, TOTP is on."""
    if a.user.mfa.totp_secret is None or not challenge.data.get("verified"):
        raise InvalidParameterException(
            "Verify a software token (AssociateSoftwareToken, VerifySoftwareToken with this Session) first"
        )
    a.user.mfa.totp_enabled = True
    del d.challenges[challenge.session]
    return finish(d, a, _source(challenge))


ANSWERS = {
    NEW_PASSWORD_REQUIRED: answer_new_password,
    mfa.SMS: answer_mfa_code,
    mfa.EMAIL: answer_mfa_code,
    mfa.TOTP: answer_mfa_code,
    mfa.SELECT: answer_select,
    mfa.SETUP: answer_setup,
}
