"""A signed-in user's own profile: DeleteUserAttributes, GetUserAttributeVerificationCode, (Admin)SetUserSettings.

DeleteUserAttributes removes attributes of the access token's user that its app client may write
(`email` takes `email_verified` with it; required and immutable attributes are refused, as by
AdminDeleteUserAttributes). GetUserAttributeVerificationCode sends a new code to the user's `email`
or `phone_number` (the outbox; CustomMessage source `CustomMessage_VerifyUserAttribute`), counted
with the other verification codes of the hour; a missing attribute or one that cannot be verified is
InvalidParameterException [belief: the messages are ours].

SetUserSettings and AdminSetUserSettings are the legacy SMS MFA switch [doc: "configure only SMS
MFA"]: `MFAOptions` `[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]` turns SMS MFA on
for the user, an empty list turns it off; EMAIL is refused.
"""

from __future__ import annotations

from typing import Any

from cognito_tasks import attributes as attrs
from cognito_tasks import limits, users, wire
from cognito_tasks.actions_pools import Request, Response
from cognito_tasks.actions_users import token_user
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    InvalidParameterException,
    NotAuthorizedException,
)
from cognito_tasks.model import CodePurpose, User, UserPool

_MEDIUM = {"email": "EMAIL", "phone_number": "SMS"}


def delete_user_attributes(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteUserAttributes."""
    pool, user, claims = token_user(d, request, now)
    _, client = d.client(str(claims["client_id"]), pool)
    names = list(request["UserAttributeNames"])
    allowed = client.write_attributes
    if allowed is not None and any(n not in allowed for n in names):
        raise NotAuthorizedException("A client attempted to write unauthorized attribute")
    user.attributes = attrs.delete(pool, user.attributes, names)
    d.touch(pool, user, now, "attributes deleted")
    return {}


def get_user_attribute_verification_code(d: UserDirectory, request: Request, now: float) -> Response:
    """GetUserAttributeVerificationCode."""
    pool, user, claims = token_user(d, request, now)
    name = request["AttributeName"]
    medium = _MEDIUM.get(name)
    if medium is None:
        raise InvalidParameterException(f"{name} cannot be verified: only email and phone_number can.")
    if not user.attributes.get(name):
        raise InvalidParameterException(f"The user has no {name} to verify.")
    limits.attempt(user, "verify", now)
    code = users.send_code(
        d,
        pool,
        user,
        CodePurpose.VERIFY_ATTRIBUTE,
        now,
        (name, medium),
        source="CustomMessage_VerifyUserAttribute",
        client_id=str(claims["client_id"]),
        metadata=request.get("ClientMetadata"),
    )
    return {"CodeDeliveryDetails": wire.code_delivery(code)}


def _settings(
    d: UserDirectory, pool: UserPool, user: User, options: list[dict[str, Any]], now: float
) -> None:
    for option in options:
        if (
            option.get("DeliveryMedium") != "SMS"
            or option.get("AttributeName", "phone_number") != "phone_number"
        ):
            raise InvalidParameterException("MFAOptions can only turn on SMS to phone_number.")
    if options and not user.attributes.get("phone_number"):
        raise InvalidParameterException("User does not have delivery config set to turn on SMS_MFA")
    user.mfa.sms_enabled = bool(options)
    if not options and user.mfa.preferred == "SMS_MFA":
        user.mfa.preferred = None
    d.touch(pool, user, now, "MFA settings")


def set_user_settings(d: UserDirectory, request: Request, now: float) -> Response:
    """SetUserSettings (the access token's user)."""
    pool, user, _ = token_user(d, request, now)
    _settings(d, pool, user, list(request["MFAOptions"]), now)
    return {}


def admin_set_user_settings(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminSetUserSettings."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    _settings(d, pool, user, list(request["MFAOptions"]), now)
    return {}


ACTIONS = {
    "deleteUserAttributes": delete_user_attributes,
    "getUserAttributeVerificationCode": get_user_attribute_verification_code,
    "setUserSettings": set_user_settings,
    "adminSetUserSettings": admin_set_user_settings,
}
