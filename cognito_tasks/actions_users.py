"""Self-service user actions (client id or access token): sign-up, confirmation, password reset and change.

Messages [obs]: ConfirmSignUp/ResendConfirmationCode/ForgotPassword/ConfirmForgotPassword on an
unknown user give UserNotFoundException "Username/client id combination not found." With
PreventUserExistenceErrors ENABLED [doc, "Managing user existence error responses"] ForgotPassword
and ResendConfirmationCode answer a simulated CodeDeliveryDetails and ConfirmForgotPassword a
CodeMismatchException instead, so an unknown user looks like a known one. Resending
to a confirmed user gives InvalidParameterException "User is already confirmed."; a pool with no
auto-verified attribute gives "Cannot resend codes. Auto verification not turned on.".
Choices [belief]: SignUp may not write `*_verified` (NotAuthorizedException "A client attempted
to write unauthorized attribute", the message for attributes outside WriteAttributes);
ForgotPassword on a FORCE_CHANGE_PASSWORD user is NotAuthorizedException "User password cannot
be reset in the current state."; ChangePassword requires PreviousPassword.
"""

from __future__ import annotations

from typing import Any

from cognito_tasks import attributes as attrs
from cognito_tasks import flows, lifecycle, limits, passwords, sessions, users, wire
from cognito_tasks.actions_admin import update_attributes
from cognito_tasks.actions_pools import Request, Response
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotFoundException,
)
from cognito_tasks.model import AppClient, CodePurpose, User, UserPool, UserStatus

_UNKNOWN_USER = "Username/client id combination not found."
_UNAUTHORIZED_WRITE = "A client attempted to write unauthorized attribute"


def _client_user(d: UserDirectory, request: Request) -> tuple[UserPool, AppClient, User | None]:
    """The pool, client and user of a ClientId + Username request (None for an unknown user)."""
    pool, client = d.client(request["ClientId"])
    username = request["Username"]
    users.check_secret_hash(client, request.get("SecretHash"), username)
    return pool, client, d.find_user(pool, username)


def _known(client: AppClient, user: User | None) -> User:
    if user is None:
        raise UserNotFoundException(_UNKNOWN_USER)
    return user


def _hidden(client: AppClient) -> bool:
    """True when PreventUserExistenceErrors asks to answer as if an unknown user existed [doc]."""
    return client.prevent_user_existence_errors == "ENABLED"


def _simulated_delivery(username: str) -> Response:
    """The CodeDeliveryDetails Cognito answers for an unknown user under PreventUserExistenceErrors."""
    if users.looks_like("phone_number", username):
        return {"DeliveryMedium": "SMS", "AttributeName": "phone_number", "Destination": wire.mask(username)}
    shown = username if users.looks_like("email", username) else f"{username}@example.com"
    return {"DeliveryMedium": "EMAIL", "AttributeName": "email", "Destination": wire.mask(shown)}


def _deliver(
    d: UserDirectory,
    pool: UserPool,
    client: AppClient,
    user: User,
    purpose: CodePurpose,
    target: tuple[str, str],
    source: str,
    request: Request,
    now: float,
) -> dict[str, str]:
    """Send a code for a client request and return its CodeDeliveryDetails."""
    code = users.send_code(
        d,
        pool,
        user,
        purpose,
        now,
        target,
        source=source,
        client_id=client.id,
        metadata=request.get("ClientMetadata"),
    )
    return wire.code_delivery(code)


def _check_writable(client: AppClient, names: list[str]) -> None:
    allowed = client.write_attributes
    if any(n in attrs.VERIFIED or (allowed is not None and n not in allowed) for n in names):
        raise NotAuthorizedException(_UNAUTHORIZED_WRITE)


def sign_up(d: UserDirectory, request: Request, now: float) -> Response:
    """SignUp: an UNCONFIRMED user and a code to the auto-verified email/phone (PreSignUp may confirm)."""
    pool, client = d.client(request["ClientId"])
    if pool.allow_admin_create_user_only:
        raise NotAuthorizedException("SignUp is not permitted for this user pool")
    username = request["Username"]
    users.check_secret_hash(client, request.get("SecretHash"), username)
    password = request.get("Password")
    if password is None:
        raise InvalidParameterException(
            "1 validation error detected: Value null at 'password' failed to satisfy constraint: "
            "Member must not be null"
        )
    changes = list(request.get("UserAttributes") or [])
    _check_writable(client, [str(c["Name"]) for c in changes])
    login_attribute = users.sign_in_name(pool, username)
    exists = "User already exists"
    if login_attribute is not None:
        exists = f"An account with the given {login_attribute} already exists."
    users.ensure_new(pool, username, login_attribute, exists)
    start = {login_attribute: username} if login_attribute is not None else {}
    attributes = attrs.apply(pool, start, changes, creating=True)
    if login_attribute is not None:
        attributes[login_attribute] = username
    attrs.require(pool, attributes)
    passwords.check(pool.password_policy, password)
    decision = lifecycle.pre_sign_up(d, pool, "PreSignUp_SignUp", username, attributes, request, client.id)
    lifecycle.apply_verification(decision, attributes)
    sub = d.new_uuid()
    user = User(
        username=sub if login_attribute else username,
        attributes={"sub": sub, **attributes},
        status=UserStatus.CONFIRMED if decision.confirm else UserStatus.UNCONFIRMED,
        created=now,
        modified=now,
    )
    users.store_password(d, pool, user, password)
    d.add_user(pool, user)
    out: Response = {"UserConfirmed": decision.confirm, "UserSub": sub}
    target = users.verification_target(pool, user)
    if target is not None and not decision.confirm:
        out["CodeDeliveryDetails"] = _deliver(
            d, pool, client, user, CodePurpose.SIGN_UP, target, "CustomMessage_SignUp", request, now
        )
    return out


def confirm_sign_up(d: UserDirectory, request: Request, now: float) -> Response:
    """ConfirmSignUp: the newest sign-up code confirms the user and verifies where it was sent."""
    pool, client, found = _client_user(d, request)
    user = _known(client, found)
    limits.attempt(user, "sign-up", now)
    if user.status != UserStatus.UNCONFIRMED:
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    code = d.use_code(pool, user, CodePurpose.SIGN_UP, request["ConfirmationCode"], now, consume=False)
    updated = dict(user.attributes)
    if code.attribute:
        updated[f"{code.attribute}_verified"] = "true"
    users.claim_aliases(d, pool, user, updated, force=bool(request.get("ForceAliasCreation")))
    code.used = True
    user.attributes = updated
    user.status = UserStatus.CONFIRMED
    d.touch(pool, user, now, "confirmed")
    lifecycle.post_confirmation(d, pool, user, "PostConfirmation_ConfirmSignUp", request, client.id)
    return {}


def resend_confirmation_code(d: UserDirectory, request: Request, now: float) -> Response:
    """ResendConfirmationCode."""
    pool, client, user = _client_user(d, request)
    if user is None and _hidden(client):
        return {"CodeDeliveryDetails": _simulated_delivery(request["Username"])}
    user = _known(client, user)
    if user.status != UserStatus.UNCONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    target = users.verification_target(pool, user)
    if target is None:
        raise InvalidParameterException("Cannot resend codes. Auto verification not turned on.")
    limits.attempt(user, "sign-up", now)
    source = "CustomMessage_ResendCode"
    return {
        "CodeDeliveryDetails": _deliver(
            d, pool, client, user, CodePurpose.SIGN_UP, target, source, request, now
        )
    }


def forgot_password(d: UserDirectory, request: Request, now: float) -> Response:
    """ForgotPassword: a reset code to the verified email/phone (the status does not change).

    An unknown user goes to the UserMigration trigger (`UserMigration_ForgotPassword`) first.
    """
    pool, client, user = _client_user(d, request)
    if user is None:
        user = flows.migrate(
            d, pool, client, request["Username"], None, request, now, "UserMigration_ForgotPassword"
        )
    if user is None and _hidden(client):
        return {"CodeDeliveryDetails": _simulated_delivery(request["Username"])}
    user = _known(client, user)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        raise NotAuthorizedException("User password cannot be reset in the current state.")
    target = users.recovery_target(user)
    if target is None:
        raise InvalidParameterException(
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )
    limits.attempt(user, "reset", now)
    source = "CustomMessage_ForgotPassword"
    delivery = _deliver(d, pool, client, user, CodePurpose.FORGOT_PASSWORD, target, source, request, now)
    return {"CodeDeliveryDetails": delivery}


def confirm_forgot_password(d: UserDirectory, request: Request, now: float) -> Response:
    """ConfirmForgotPassword: the newest reset code sets a new password; the user becomes CONFIRMED."""
    pool, client, user = _client_user(d, request)
    if user is None and _hidden(client):
        raise CodeMismatchException("Invalid verification code provided, please try again.")
    user = _known(client, user)
    limits.attempt(user, "reset", now)
    code = d.use_code(
        pool, user, CodePurpose.FORGOT_PASSWORD, request["ConfirmationCode"], now, consume=False
    )
    users.set_password(d, pool, user, request["Password"], now, permanent=True)
    code.used = True
    d.touch(pool, user, now, "password reset confirmed")
    lifecycle.post_confirmation(d, pool, user, "PostConfirmation_ConfirmForgotPassword", request, client.id)
    return {}


def token_user(d: UserDirectory, request: Request, now: float) -> tuple[UserPool, User, dict[str, Any]]:
    """The pool, user and claims of the request's AccessToken (PasswordResetRequired if it must reset)."""
    pool, user, claims = sessions.check_access_token(d, request["AccessToken"], now)
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException("Password reset required for the user")
    return pool, user, claims


def change_password(d: UserDirectory, request: Request, now: float) -> Response:
    """ChangePassword (wrong previous passwords count toward an hourly limit)."""
    pool, user, _ = token_user(d, request, now)
    limits.check_attempts(user, "password", now)
    if not passwords.verify_password(user.password_hash, request.get("PreviousPassword") or ""):
        limits.attempt(user, "password", now)
        raise NotAuthorizedException("Incorrect username or password.")
    users.change_password(d, pool, user, request["ProposedPassword"])
    d.touch(pool, user, now, "password changed")
    return {}


def get_user(d: UserDirectory, request: Request, now: float) -> Response:
    """GetUser: `Username` and `UserAttributes` of the access token's user."""
    _, user, _ = token_user(d, request, now)
    return {
        "Username": user.username,
        "UserAttributes": wire.attribute_list(user.attributes),
        **wire.mfa_members(user),
    }


def update_user_attributes(d: UserDirectory, request: Request, now: float) -> Response:
    """UpdateUserAttributes: like the admin action, limited to the client's WriteAttributes."""
    pool, user, claims = token_user(d, request, now)
    _, client = d.client(str(claims["client_id"]), pool)
    _check_writable(client, [str(c["Name"]) for c in request["UserAttributes"]])
    before = len(d.codes)
    update_attributes(
        d,
        pool,
        user,
        request["UserAttributes"],
        now,
        client_id=client.id,
        metadata=request.get("ClientMetadata"),
    )
    sent = [wire.code_delivery(c) for c in d.codes[before:]]
    return {"CodeDeliveryDetailsList": sent} if sent else {}


def verify_user_attribute(d: UserDirectory, request: Request, now: float) -> Response:
    """VerifyUserAttribute: the code sent after an email/phone change marks it verified."""
    pool, user, _ = token_user(d, request, now)
    name = request["AttributeName"]
    d.use_code(pool, user, CodePurpose.VERIFY_ATTRIBUTE, request["Code"], now, attribute=name)
    user.attributes[f"{name}_verified"] = "true"
    d.touch(pool, user, now, f"{name} verified")
    return {}


def delete_user(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteUser: the access token's user deletes their own profile."""
    pool, user, _ = token_user(d, request, now)
    d.remove_user(pool, user, now)
    return {}


ACTIONS = {
    "signUp": sign_up,
    "confirmSignUp": confirm_sign_up,
    "resendConfirmationCode": resend_confirmation_code,
    "forgotPassword": forgot_password,
    "confirmForgotPassword": confirm_forgot_password,
    "changePassword": change_password,
    "getUser": get_user,
    "updateUserAttributes": update_user_attributes,
    "verifyUserAttribute": verify_user_attribute,
    "deleteUser": delete_user,
}
