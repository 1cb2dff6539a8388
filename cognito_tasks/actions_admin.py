"""Administrator user actions (`Admin*` and ListUsers): request dict -> directory -> response dict.

Choices where cognito.md marks AWS's behaviour as unconfirmed [belief]:
* AdminConfirmSignUp on a user who is not UNCONFIRMED fails with NotAuthorizedException
  "User cannot be confirmed. Current status is <STATUS>" (the ConfirmSignUp message).
* AdminResetUserPassword works on CONFIRMED and RESET_REQUIRED users only; others get
  NotAuthorizedException "User password cannot be reset in the current state.". It needs a
  verified email or phone number, puts the user in RESET_REQUIRED and sends a reset code;
  password sign-in then fails with PasswordResetRequiredException.
* MessageAction=RESEND on a user not in FORCE_CHANGE_PASSWORD: UnsupportedUserStateException
  "Resend not possible. <username> status is not FORCE_CHANGE_PASSWORD.". RESEND issues a new
  temporary password (the given TemporaryPassword, else a generated one).
* A generated temporary password is recorded in `directory.codes` (purpose AdminCreateUser)
  even when MessageAction=SUPPRESS, so local runs can sign in with it.
"""

from __future__ import annotations

from typing import Any

from cognito_tasks import attributes as attrs
from cognito_tasks import filters, lifecycle, passwords, users, wire
from cognito_tasks.actions_pools import group
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    AliasExistsException,
    InvalidParameterException,
    NotAuthorizedException,
    UnsupportedUserStateException,
)
from cognito_tasks.model import CodePurpose, EventKind, User, UserPool, UserStatus

Request = dict[str, Any]
Response = dict[str, Any]


def _temporary_password(d: UserDirectory, pool: UserPool, request: Request) -> str:
    given = request.get("TemporaryPassword")
    if given is not None:
        passwords.check(pool.password_policy, given)
        return str(given)
    return passwords.temporary_password(pool.password_policy, d.random_bytes(32))


def admin_create_user(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminCreateUser: a FORCE_CHANGE_PASSWORD user with a temporary password (or RESEND the invitation)."""
    pool = d.pool(request["UserPoolId"])
    username = request["Username"]
    if request.get("MessageAction") == "RESEND":
        user = d.user(pool, username)
        if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
            raise UnsupportedUserStateException(
                f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD."
            )
        password = _temporary_password(d, pool, request)
        users.set_password(d, pool, user, password, now, permanent=False)
        d.touch(pool, user, now, "invitation resent")
        users.invite(d, pool, user, password, now, request)
        return {"User": wire.user_type(user)}
    login_attribute = users.sign_in_name(pool, username)
    users.ensure_new(pool, username, login_attribute, "User account already exists")
    start = {login_attribute: username} if login_attribute is not None else {}
    attributes = attrs.apply(pool, start, request.get("UserAttributes") or [], creating=True)
    if login_attribute is not None:
        attributes[login_attribute] = username
    password = _temporary_password(d, pool, request)
    users.invitation_mediums(request, attributes)
    decision = lifecycle.pre_sign_up(d, pool, "PreSignUp_AdminCreateUser", username, attributes, request)
    lifecycle.apply_verification(decision, attributes)
    sub = d.new_uuid()
    user = User(
        username=sub if login_attribute else username,
        attributes={"sub": sub, **attributes},
        status=UserStatus.FORCE_CHANGE_PASSWORD,
        created=now,
        modified=now,
    )
    users.claim_aliases(d, pool, None, user.attributes, force=bool(request.get("ForceAliasCreation")))
    users.set_password(d, pool, user, password, now, permanent=False)
    d.add_user(pool, user)
    users.invite(d, pool, user, password, now, request)
    return {"User": wire.user_type(user)}


def admin_get_user(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminGetUser."""
    pool = d.pool(request["UserPoolId"])
    return wire.admin_get_user(d.user(pool, request["Username"]))


def update_attributes(
    d: UserDirectory,
    pool: UserPool,
    user: User,
    changes: list[dict[str, Any]],
    now: float,
    *,
    client_id: str | None = None,
    metadata: dict[str, str] | None = None,
) -> None:
    """Apply attribute changes to a user (shared with UpdateUserAttributes-like callers)."""
    updated = attrs.apply(pool, user.attributes, changes, creating=False)
    for attribute in pool.username_attributes:
        value = updated.get(attribute)
        if value is None or value == user.attributes.get(attribute):
            continue
        for other in pool.users.values():
            theirs = other.attributes.get(attribute)
            if other is not user and theirs is not None and pool.same_login(attribute, theirs, value):
                raise AliasExistsException(f"An account with the given {attribute} already exists.")
    users.claim_aliases(d, pool, user, updated, force=False)
    changed = [n for n in ("email", "phone_number") if updated.get(n) != user.attributes.get(n)]
    user.attributes = updated
    d.touch(pool, user, now, "attributes updated")
    for name in changed:
        medium = "EMAIL" if name == "email" else "SMS"
        if name in pool.auto_verified_attributes and updated.get(name) and not user.verified(name):
            users.send_code(
                d,
                pool,
                user,
                CodePurpose.VERIFY_ATTRIBUTE,
                now,
                (name, medium),
                source="CustomMessage_UpdateUserAttribute",
                client_id=client_id,
                metadata=metadata,
            )


def admin_update_user_attributes(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminUpdateUserAttributes."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    update_attributes(d, pool, user, request["UserAttributes"], now, metadata=request.get("ClientMetadata"))
    return {}


def admin_delete_user_attributes(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminDeleteUserAttributes."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    user.attributes = attrs.delete(pool, user.attributes, request["UserAttributeNames"])
    d.touch(pool, user, now, "attributes deleted")
    return {}


def admin_delete_user(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminDeleteUser."""
    pool = d.pool(request["UserPoolId"])
    d.remove_user(pool, d.user(pool, request["Username"]), now)
    return {}


def admin_disable_user(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminDisableUser: sign-in refused and the user's tokens revoked."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    user.enabled = False
    d.revoke_sessions(pool, user)
    d.touch(pool, user, now, "disabled")
    return {}


def admin_enable_user(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminEnableUser."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    user.enabled = True
    d.touch(pool, user, now, "enabled")
    return {}


def admin_set_user_password(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminSetUserPassword: Permanent -> CONFIRMED, else FORCE_CHANGE_PASSWORD."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    permanent = bool(request.get("Permanent", False))
    users.set_password(d, pool, user, request["Password"], now, permanent=permanent)
    d.touch(pool, user, now, f"password set ({'permanent' if permanent else 'temporary'})")
    return {}


def admin_reset_user_password(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminResetUserPassword: RESET_REQUIRED and a reset code to the verified email/phone."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status not in (UserStatus.CONFIRMED, UserStatus.RESET_REQUIRED):
        raise NotAuthorizedException("User password cannot be reset in the current state.")
    target = users.recovery_target(user)
    if target is None:
        raise InvalidParameterException(
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )
    user.status = UserStatus.RESET_REQUIRED
    d.touch(pool, user, now, "password reset")
    users.send_code(
        d,
        pool,
        user,
        CodePurpose.FORGOT_PASSWORD,
        now,
        target,
        source="CustomMessage_ForgotPassword",
        metadata=request.get("ClientMetadata"),
    )
    return {}


def admin_confirm_sign_up(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminConfirmSignUp: UNCONFIRMED -> CONFIRMED."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    if user.status != UserStatus.UNCONFIRMED:
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    user.status = UserStatus.CONFIRMED
    d.touch(pool, user, now, "confirmed")
    lifecycle.post_confirmation(d, pool, user, "PostConfirmation_ConfirmSignUp", request, None)
    return {}


def admin_add_user_to_group(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminAddUserToGroup (idempotent)."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    found = group(pool, request["GroupName"])
    if found.name not in user.groups:
        user.groups.append(found.name)
        d.record(EventKind.USER_CHANGED, pool.id, user.username, now, f"added to group {found.name}")
    return {}


def admin_remove_user_from_group(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminRemoveUserFromGroup."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    found = group(pool, request["GroupName"])
    if found.name in user.groups:
        user.groups.remove(found.name)
        d.record(EventKind.USER_CHANGED, pool.id, user.username, now, f"removed from group {found.name}")
    return {}


def admin_list_groups_for_user(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminListGroupsForUser."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    mine = [pool.groups[name] for name in user.groups if name in pool.groups]
    page, token = wire.page(mine, request.get("Limit"), request.get("NextToken"), f"groups:{user.sub}")
    out: Response = {"Groups": [wire.group_type(g) for g in page]}
    if token:
        out["NextToken"] = token
    return out


def list_users(d: UserDirectory, request: Request, now: float) -> Response:
    """ListUsers with Filter (`=`, `^=`), AttributesToGet and PaginationToken.

    AttributesToGet [doc, ListUsers]: "Amazon Cognito returns an error if not all users in the
    results have set a value for the attribute you request" (InvalidParameterException; the
    message is ours).
    """
    pool = d.pool(request["UserPoolId"])
    text = request.get("Filter")
    parsed = filters.parse(text)
    only = request.get("AttributesToGet")
    if only is not None and not attrs.check_names(pool, only):
        raise InvalidParameterException("One or more requested attributes do not exist.")
    matching = [u for u in pool.users.values() if parsed is None or parsed.matches(pool, u)]
    page, token = wire.page(
        matching, request.get("Limit"), request.get("PaginationToken"), f"users:{text or ''}"
    )
    for user in page:
        lacking = [name for name in only or [] if name not in user.attributes]
        if lacking:
            raise InvalidParameterException(
                f"User {user.username} has no value for the requested attribute {lacking[0]}; "
                "AttributesToGet needs every user in the results to have each attribute"
            )
    out: Response = {"Users": [wire.user_type(u, only) for u in page]}
    if token:
        out["PaginationToken"] = token
    return out


ACTIONS = {
    "adminCreateUser": admin_create_user,
    "adminGetUser": admin_get_user,
    "adminUpdateUserAttributes": admin_update_user_attributes,
    "adminDeleteUserAttributes": admin_delete_user_attributes,
    "adminDeleteUser": admin_delete_user,
    "adminDisableUser": admin_disable_user,
    "adminEnableUser": admin_enable_user,
    "adminSetUserPassword": admin_set_user_password,
    "adminResetUserPassword": admin_reset_user_password,
    "adminConfirmSignUp": admin_confirm_sign_up,
    "adminAddUserToGroup": admin_add_user_to_group,
    "adminRemoveUserFromGroup": admin_remove_user_from_group,
    "adminListGroupsForUser": admin_list_groups_for_user,
    "listUsers": list_users,
}
