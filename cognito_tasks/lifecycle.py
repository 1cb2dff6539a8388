"""The sign-up and confirmation triggers: PreSignUp and PostConfirmation.

PreSignUp [doc, pre sign-up trigger]: `PreSignUp_SignUp` (SignUp) and `PreSignUp_AdminCreateUser`
(AdminCreateUser) get `userAttributes`, `validationData` (the request's ValidationData as a map) and
`clientMetadata`; the function may refuse the sign-up by raising, and answers `autoConfirmUser`,
`autoVerifyEmail` and `autoVerifyPhone`. A confirmed sign-up sends no confirmation code; a verified
email or phone number is marked `*_verified: true`; asking to verify an attribute the user does
not have is InvalidParameterException [doc: "the email attribute must have a valid, non-null
value"; the exception is our choice]. AdminCreateUser users start in FORCE_CHANGE_PASSWORD whatever
`autoConfirmUser` says [belief]. A sign-up PreSignUp confirmed does not run PostConfirmation [obs].

PostConfirmation [doc]: `PostConfirmation_ConfirmSignUp` (ConfirmSignUp, AdminConfirmSignUp) and
`PostConfirmation_ConfirmForgotPassword` (ConfirmForgotPassword) get `userAttributes` (with
`cognito:user_status`) and `clientMetadata` after the change; a function that raises fails the call,
but the confirmation stays done [obs: users report confirmed accounts after a failing post
confirmation trigger].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cognito_tasks import triggers
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import InvalidParameterException
from cognito_tasks.model import User, UserPool


@dataclass(frozen=True, slots=True)
class SignUpDecision:
    """What PreSignUp decided."""

    confirm: bool = False
    verify_email: bool = False
    verify_phone: bool = False


def as_map(pairs: Any) -> dict[str, str]:
    """`[{"Name", "Value"}]` (ValidationData) as a map."""
    if not isinstance(pairs, list):
        return {}
    return {str(p.get("Name")): str(p.get("Value", "")) for p in pairs if isinstance(p, dict)}


def pre_sign_up(
    d: UserDirectory,
    pool: UserPool,
    source: str,
    username: str,
    attributes: dict[str, str],
    request: dict[str, Any],
    client_id: str | None = None,
) -> SignUpDecision:
    """Run PreSignUp (if configured) and check what it answered against the attributes."""
    answer = triggers.invoke(
        d,
        pool,
        "PreSignUp",
        source,
        username,
        {
            "userAttributes": dict(attributes),
            "validationData": as_map(request.get("ValidationData")),
            "clientMetadata": dict(request.get("ClientMetadata") or {}),
        },
        client_id=client_id,
        response={"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    )
    decision = SignUpDecision(
        confirm=triggers.flag(answer, "autoConfirmUser"),
        verify_email=triggers.flag(answer, "autoVerifyEmail"),
        verify_phone=triggers.flag(answer, "autoVerifyPhone"),
    )
    if decision.verify_email and not attributes.get("email"):
        raise InvalidParameterException("PreSignUp set autoVerifyEmail, but the user has no email attribute.")
    if decision.verify_phone and not attributes.get("phone_number"):
        raise InvalidParameterException(
            "PreSignUp set autoVerifyPhone, but the user has no phone_number attribute."
        )
    return decision


def apply_verification(decision: SignUpDecision, attributes: dict[str, str]) -> None:
    """Mark the attributes PreSignUp verified."""
    if decision.verify_email:
        attributes["email_verified"] = "true"
    if decision.verify_phone:
        attributes["phone_number_verified"] = "true"


def post_confirmation(
    d: UserDirectory, pool: UserPool, user: User, source: str, request: dict[str, Any], client_id: str | None
) -> None:
    """Run PostConfirmation (if configured) for a user just confirmed."""
    triggers.invoke(
        d,
        pool,
        "PostConfirmation",
        source,
        user.username,
        {
            "userAttributes": triggers.user_attributes(user.attributes, str(user.status)),
            "clientMetadata": dict(request.get("ClientMetadata") or {}),
        },
        client_id=client_id,
    )
