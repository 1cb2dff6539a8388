"""The text of each message Cognito would send, as kept in the local outbox (`asl cognito codes`).

Templates come from the pool (`VerificationMessageTemplate`, or the older `SmsVerificationMessage`,
`EmailVerificationMessage` and `EmailVerificationSubject`; `AdminCreateUserConfig.InviteMessageTemplate`;
`SmsAuthenticationMessage`; `EmailMfaConfiguration`), else Cognito's defaults [doc, console
defaults]. A CustomMessage trigger, when configured, is asked first with `codeParameter` `{####}`
(and `usernameParameter` `{username}` for invitations); the `smsMessage`, `emailMessage` and
`emailSubject` it returns replace the template [doc, custom message trigger]. Placeholders are then
filled with the code and the username.
"""

from __future__ import annotations

from typing import Any

from cognito_tasks import triggers
from cognito_tasks.model import CodePurpose, User, UserPool

CODE = "{####}"
USERNAME = "{username}"
_VERIFY = "Your verification code is {####}. "
_INVITE = "Your username is {username} and temporary password is {####}. "
_AUTH = "Your authentication code is {####}. "
#: (purpose, medium) -> (default message, default subject)
_DEFAULTS: dict[tuple[CodePurpose, str], tuple[str, str | None]] = {
    (CodePurpose.SIGN_UP, "SMS"): (_VERIFY, None),
    (CodePurpose.SIGN_UP, "EMAIL"): (_VERIFY, "Your verification code"),
    (CodePurpose.FORGOT_PASSWORD, "SMS"): (_VERIFY, None),
    (CodePurpose.FORGOT_PASSWORD, "EMAIL"): (_VERIFY, "Your verification code"),
    (CodePurpose.VERIFY_ATTRIBUTE, "SMS"): (_VERIFY, None),
    (CodePurpose.VERIFY_ATTRIBUTE, "EMAIL"): (_VERIFY, "Your verification code"),
    (CodePurpose.INVITATION, "SMS"): (_INVITE, None),
    (CodePurpose.INVITATION, "EMAIL"): (_INVITE, "Your temporary password"),
    (CodePurpose.AUTHENTICATION, "SMS"): (_AUTH, None),
    (CodePurpose.AUTHENTICATION, "EMAIL"): (_AUTH, "Your sign-in code"),
}


def _template(pool: UserPool, purpose: CodePurpose, medium: str) -> tuple[str, str | None]:
    message, subject = _DEFAULTS[(purpose, medium)]
    settings = pool.settings
    if purpose == CodePurpose.INVITATION:
        invite = (settings.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
        key = "SMSMessage" if medium == "SMS" else "EmailMessage"
        return invite.get(key) or message, invite.get("EmailSubject") or subject
    if purpose == CodePurpose.AUTHENTICATION:
        if medium == "SMS":
            return pool.mfa.sms_message or settings.get("SmsAuthenticationMessage") or message, None
        return pool.mfa.email_message or message, pool.mfa.email_subject or subject
    template = settings.get("VerificationMessageTemplate") or {}
    if medium == "SMS":
        return template.get("SmsMessage") or settings.get("SmsVerificationMessage") or message, None
    return (
        template.get("EmailMessage") or settings.get("EmailVerificationMessage") or message,
        template.get("EmailSubject") or settings.get("EmailVerificationSubject") or subject,
    )


def compose(
    directory: Any,
    pool: UserPool,
    user: User,
    purpose: CodePurpose,
    medium: str,
    code: str,
    *,
    source: str,
    client_id: str | None = None,
    metadata: dict[str, str] | None = None,
) -> tuple[str, str | None]:
    """(message, subject) for a code sent to `user`; `source` is the CustomMessage trigger source."""
    message, subject = _template(pool, purpose, medium)
    request: dict[str, Any] = {
        "userAttributes": triggers.user_attributes(user.attributes, str(user.status)),
        "codeParameter": CODE,
        "linkParameter": None,
        "usernameParameter": USERNAME if purpose == CodePurpose.INVITATION else None,
        "clientMetadata": dict(metadata or {}),
    }
    answer = triggers.invoke(
        directory,
        pool,
        "CustomMessage",
        source,
        user.username,
        request,
        client_id=client_id,
        response={"smsMessage": None, "emailMessage": None, "emailSubject": None},
    )
    if answer:
        custom = answer.get("smsMessage" if medium == "SMS" else "emailMessage")
        if isinstance(custom, str) and custom:
            message = custom
        custom_subject = answer.get("emailSubject")
        if medium == "EMAIL" and isinstance(custom_subject, str) and custom_subject:
            subject = custom_subject
    return message.replace(CODE, code).replace(USERNAME, user.username), subject
