"""Custom authentication (CUSTOM_AUTH): DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse.

CUSTOM_AUTH [doc, define/create/verify auth challenge triggers]: DefineAuthChallenge gets the
session so far (`[{challengeName, challengeResult, challengeMetadata}]`) and answers
`challengeName`, `issueTokens` or `failAuthentication`; CreateAuthChallenge makes a CUSTOM_CHALLENGE
(`publicChallengeParameters` go to the client, `privateChallengeParameters` and
`challengeMetadata` stay); VerifyAuthChallengeResponse judges `ANSWER` (`answerCorrect`). With
`SRP_A` in AuthParameters the session starts with `SRP_A` and DefineAuthChallenge may ask for
PASSWORD_VERIFIER. Without a DefineAuthChallenge trigger: InvalidParameterException "Custom auth
lambda trigger is not configured for the user pool." [obs, amplify-js #5623]. A failed custom
authentication is NotAuthorized "Incorrect username or password." [belief]; MFA is not asked after
custom challenges [belief].
"""

from __future__ import annotations

from typing import Any

from cognito_tasks import limits, triggers, users
from cognito_tasks.challenges import AUTHENTICATION, Attempt, finish, open_challenge
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
)
from cognito_tasks.flows import (
    PASSWORD_VERIFIER,
    WRONG_PASSWORD,
    metadata,
    no_user,
    param,
    pre_authentication,
    srp_a_value,
    srp_challenge,
    status_gate,
)
from cognito_tasks.model import AppClient, Challenge, UserPool

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
_NO_CUSTOM = "Custom auth lambda trigger is not configured for the user pool."

Response = dict[str, Any]


def _ask(
    d: UserDirectory, a: Attempt, trigger: str, request: dict[str, Any], response: dict[str, Any]
) -> dict[str, Any]:
    """Run one of the three custom-auth triggers (all three are required) with the common request members."""
    answer = triggers.invoke(
        d,
        a.pool,
        trigger,
        f"{trigger}_Authentication",
        a.user.username,
        {
            "userAttributes": triggers.user_attributes(a.user.attributes, str(a.user.status)),
            **request,
            "clientMetadata": dict(a.metadata or {}),
            "userNotFound": False,
        },
        client_id=a.client.id,
        response=response,
    )
    if answer is None:
        raise InvalidParameterException(_NO_CUSTOM)
    return answer


def define(d: UserDirectory, a: Attempt, history: list[dict[str, Any]], srp_a: str | None) -> Response:
    """Ask DefineAuthChallenge what comes next, and do it (`srp_a`: the client's SRP_A, when given)."""
    answer = _ask(
        d,
        a,
        "DefineAuthChallenge",
        {"session": history},
        {"challengeName": None, "issueTokens": False, "failAuthentication": False},
    )
    if triggers.flag(answer, "failAuthentication"):
        limits.failed(a.user, a.now)
        raise NotAuthorizedException(WRONG_PASSWORD)
    if triggers.flag(answer, "issueTokens"):
        return finish(d, a, AUTHENTICATION)
    name = answer.get("challengeName")
    if name == PASSWORD_VERIFIER and srp_a is not None:
        return srp_challenge(
            d, a, int(srp_a, 16), a.user.srp_verifier, a.user.srp_salt, {"custom": history, "srp_a": srp_a}
        )
    if name != CUSTOM_CHALLENGE:
        raise InvalidLambdaResponseException(
            f"Invalid lambda response: challengeName {name!r} (expected CUSTOM_CHALLENGE, or issueTokens/failAuthentication)"
        )
    created = _ask(
        d,
        a,
        "CreateAuthChallenge",
        {"challengeName": CUSTOM_CHALLENGE, "session": history},
        {"publicChallengeParameters": {}, "privateChallengeParameters": {}, "challengeMetadata": None},
    )
    public = created.get("publicChallengeParameters") or {}
    if not isinstance(public, dict) or not all(isinstance(v, str) for v in public.values()):
        raise InvalidLambdaResponseException(
            "Invalid lambda response: publicChallengeParameters must map names to strings"
        )
    data = {
        "history": history,
        "private": created.get("privateChallengeParameters") or {},
        "metadata": created.get("challengeMetadata"),
        "srp_a": srp_a,
    }
    return open_challenge(d, a, CUSTOM_CHALLENGE, {**public, "USERNAME": a.user.username}, data)


def custom(
    d: UserDirectory, pool: UserPool, client: AppClient, request: dict[str, Any], now: float
) -> Response:
    """CUSTOM_AUTH: the first DefineAuthChallenge round."""
    if triggers.arn(pool, "DefineAuthChallenge") is None:
        raise InvalidParameterException(_NO_CUSTOM)
    params = request.get("AuthParameters") or {}
    username = param(params, "USERNAME")
    users.check_secret_hash(client, params.get("SECRET_HASH"), username)
    user = d.find_user(pool, username)
    if user is None:
        raise no_user(client)
    limits.check_sign_in(user, now)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    status_gate(user)
    pre_authentication(d, pool, client, username, user, request)
    history: list[dict[str, Any]] = []
    srp_a = None
    if params.get("SRP_A"):
        srp_a = format(srp_a_value(params), "x")
        history.append({"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None})
    return define(d, Attempt(pool, client, user, "CUSTOM_AUTH", now, metadata(request)), history, srp_a)


def custom_answer(d: UserDirectory, a: Attempt, challenge: Challenge, responses: dict[str, Any]) -> Response:
    """RespondToAuthChallenge CUSTOM_CHALLENGE: VerifyAuthChallengeResponse, then DefineAuthChallenge again."""
    given = param(responses, "ANSWER")
    data = challenge.data
    answer = _ask(
        d,
        a,
        "VerifyAuthChallengeResponse",
        {"privateChallengeParameters": data.get("private") or {}, "challengeAnswer": given},
        {"answerCorrect": False},
    )
    correct = triggers.flag(answer, "answerCorrect")
    del d.challenges[challenge.session]
    history = [h for h in data.get("history") or [] if isinstance(h, dict)]
    history.append(
        {
            "challengeName": CUSTOM_CHALLENGE,
            "challengeResult": correct,
            "challengeMetadata": data.get("metadata"),
        }
    )
    srp_a = data.get("srp_a")
    return define(d, a, history, srp_a if isinstance(srp_a, str) else None)
