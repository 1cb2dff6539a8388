"""MFA actions: the pool's MFA configuration, a user's MFA preferences, and TOTP software tokens.

SetUserPoolMfaConfig replaces the pool's factors with the ones given (an omitted factor is turned
off) [doc]; the rules and messages are in `cognito_tasks.mfa`. Email MFA needs the pool to send email
through SES (`EmailConfiguration.EmailSendingAccount` DEVELOPER) [doc, email MFA]; passkeys
(WebAuthnConfiguration) are not emulated.

(Admin)SetUserMFAPreference [doc]: `Enabled` turns a factor on or off for the user, `PreferredMfa`
makes it the one sign-in asks for (only one can be preferred; turning a factor off drops its
preference). A factor the user cannot receive is refused with InvalidParameterException "User does not
have delivery config set to turn on <factor>" [obs, aws-sdk-js-v3 #4645]: SMS needs a phone_number,
email an email, TOTP a verified software token.

AssociateSoftwareToken takes an access token or the Session of an MFA_SETUP challenge and answers a
new base32 SecretCode (and a new Session); VerifySoftwareToken checks a code from it (pyotp) and marks
the token verified: Status SUCCESS, or EnableSoftwareTokenMFAException "Code mismatch and fail enable
Software Token MFA" [obs]. With an access token TOTP still has to be turned on with
SetUserMFAPreference; in MFA_SETUP, answering the challenge turns it on.
"""

from __future__ import annotations

from typing import Any

from cognito_tasks import challenges, mfa, sessions
from cognito_tasks.actions_pools import Request, Response
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    NotEmulated,
    SoftwareTokenMFANotFoundException,
)
from cognito_tasks.model import Challenge, MfaSettings, User, UserPool

_NO_FACTOR = (
    "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
)
_OFF_WITH_FACTOR = "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
_SETTINGS = {"SMSMfaSettings": mfa.SMS, "SoftwareTokenMfaSettings": mfa.TOTP, "EmailMfaSettings": mfa.EMAIL}


def config(pool: UserPool) -> Response:
    """GetUserPoolMfaConfig's response for `pool`."""
    out: Response = {}
    if pool.mfa.sms_enabled:
        sms: dict[str, Any] = {"SmsConfiguration": dict(pool.settings.get("SmsConfiguration") or {})}
        if pool.mfa.sms_message:
            sms = {"SmsAuthenticationMessage": pool.mfa.sms_message, **sms}
        out["SmsMfaConfiguration"] = sms
    out["SoftwareTokenMfaConfiguration"] = {"Enabled": pool.mfa.totp_enabled}
    if pool.mfa.email_enabled:
        email: dict[str, Any] = {}
        if pool.mfa.email_message:
            email["Message"] = pool.mfa.email_message
        if pool.mfa.email_subject:
            email["Subject"] = pool.mfa.email_subject
        out["EmailMfaConfiguration"] = email
    out["MfaConfiguration"] = pool.mfa_configuration
    return out


def get_user_pool_mfa_config(d: UserDirectory, request: Request, now: float) -> Response:
    """GetUserPoolMfaConfig."""
    return config(d.pool(request["UserPoolId"]))


def set_user_pool_mfa_config(d: UserDirectory, request: Request, now: float) -> Response:
    """SetUserPoolMfaConfig."""
    pool = d.pool(request["UserPoolId"])
    if request.get("WebAuthnConfiguration"):
        raise NotEmulated("SetUserPoolMfaConfig: WebAuthnConfiguration (passkeys) is not emulated locally")
    sms = request.get("SmsMfaConfiguration")
    email = request.get("EmailMfaConfiguration")
    totp = bool((request.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"))
    mode = request.get("MfaConfiguration", pool.mfa_configuration)
    sms_configuration = (sms or {}).get("SmsConfiguration") or pool.settings.get("SmsConfiguration")
    if sms is not None and not sms_configuration:
        raise InvalidParameterException("SMS MFA needs an SmsConfiguration (the SNS caller role).")
    if email is not None:
        sending = (pool.settings.get("EmailConfiguration") or {}).get("EmailSendingAccount")
        if sending != "DEVELOPER":
            raise InvalidParameterException(
                "Email MFA needs the user pool to send email through Amazon SES "
                "(EmailConfiguration.EmailSendingAccount DEVELOPER)."
            )
    enabled = sms is not None or email is not None or totp
    if mode != "OFF" and not enabled:
        raise InvalidParameterException(_NO_FACTOR)
    if mode == "OFF" and enabled:
        raise InvalidParameterException(_OFF_WITH_FACTOR)
    if sms is not None:
        pool.settings["SmsConfiguration"] = sms_configuration
    pool.mfa = MfaSettings(
        sms_enabled=sms is not None,
        sms_message=(sms or {}).get("SmsAuthenticationMessage") or pool.mfa.sms_message,
        totp_enabled=totp,
        email_enabled=email is not None,
        email_message=(email or {}).get("Message"),
        email_subject=(email or {}).get("Subject"),
    )
    pool.mfa_configuration = mode
    pool.modified = now
    return config(pool)


def _set_preference(pool: UserPool, user: User, request: Request) -> None:
    wanted = {_SETTINGS[k]: v for k, v in request.items() if k in _SETTINGS and v is not None}
    if request.get("WebAuthnMfaSettings"):
        raise NotEmulated("WebAuthnMfaSettings (passkeys) is not emulated locally")
    reachable = {
        mfa.SMS: bool(user.attributes.get("phone_number")),
        mfa.TOTP: user.mfa.totp_secret is not None,
        mfa.EMAIL: bool(user.attributes.get("email")),
    }
    preferred = [name for name, s in wanted.items() if s.get("PreferredMfa")]
    if len(preferred) > 1:
        raise InvalidParameterException("Only one MFA method can be preferred.")
    for name, given in wanted.items():
        if given.get("PreferredMfa") and given.get("Enabled") is False:
            raise InvalidParameterException(f"{name} cannot be preferred while it is disabled.")
        if given.get("Enabled") and not reachable[name]:
            raise InvalidParameterException(f"User does not have delivery config set to turn on {name}")
    for name, given in wanted.items():
        if "Enabled" in given:
            setattr(
                user.mfa,
                {mfa.SMS: "sms_enabled", mfa.TOTP: "totp_enabled", mfa.EMAIL: "email_enabled"}[name],
                bool(given["Enabled"]),
            )
            if not given["Enabled"] and user.mfa.preferred == name:
                user.mfa.preferred = None
        if given.get("PreferredMfa"):
            user.mfa.preferred = name
        elif given.get("PreferredMfa") is False and user.mfa.preferred == name:
            user.mfa.preferred = None


def set_user_mfa_preference(d: UserDirectory, request: Request, now: float) -> Response:
    """SetUserMFAPreference (the access token's user)."""
    pool, user, _ = sessions.check_access_token(d, request["AccessToken"], now)
    _set_preference(pool, user, request)
    d.touch(pool, user, now, "MFA preference set")
    return {}


def admin_set_user_mfa_preference(d: UserDirectory, request: Request, now: float) -> Response:
    """AdminSetUserMFAPreference."""
    pool = d.pool(request["UserPoolId"])
    user = d.user(pool, request["Username"])
    _set_preference(pool, user, request)
    d.touch(pool, user, now, "MFA preference set")
    return {}


def _token_or_session(
    d: UserDirectory, request: Request, now: float
) -> tuple[UserPool, User, Challenge | None]:
    token, session = request.get("AccessToken"), request.get("Session")
    if bool(token) == bool(session):
        raise InvalidParameterException("Give either an AccessToken or a Session, not both.")
    if token:
        owner = sessions.check_access_token(d, token, now)
        return owner[0], owner[1], None
    challenge = d.challenges.get(session) if session else None
    if challenge is None or now > challenge.expires or challenge.name != mfa.SETUP:
        raise NotAuthorizedException(challenges.SESSION_EXPIRED)
    pool = d.pool(challenge.pool_id)
    found = d.find_user(pool, challenge.sub)
    if found is None:
        raise NotAuthorizedException("Invalid session for the user.")
    return pool, found, challenge


def _renew(d: UserDirectory, challenge: Challenge) -> str:
    """Move an MFA_SETUP challenge to a new Session string (AWS answers a new Session each step)."""
    del d.challenges[challenge.session]
    challenge.session = challenges.new_session(d)
    d.challenges[challenge.session] = challenge
    return challenge.session


def associate_software_token(d: UserDirectory, request: Request, now: float) -> Response:
    """AssociateSoftwareToken: a new TOTP secret for the user, to verify next."""
    pool, user, challenge = _token_or_session(d, request, now)
    if not pool.mfa.totp_enabled:
        raise InvalidParameterException("Software token MFA is not enabled for the user pool.")
    user.mfa.pending_totp_secret = mfa.new_secret()
    out: Response = {"SecretCode": user.mfa.pending_totp_secret}
    if challenge is not None:
        out["Session"] = _renew(d, challenge)
    return out


def verify_software_token(d: UserDirectory, request: Request, now: float) -> Response:
    """VerifySoftwareToken: a code from the associated secret marks the software token verified."""
    pool, user, challenge = _token_or_session(d, request, now)
    secret = user.mfa.pending_totp_secret
    if secret is None:
        raise SoftwareTokenMFANotFoundException("Software Token MFA has not been associated with the user.")
    step = mfa.totp_step(secret, str(request["UserCode"]), now, -1)
    if step is None:
        raise EnableSoftwareTokenMFAException("Code mismatch and fail enable Software Token MFA")
    user.mfa.totp_secret = secret
    user.mfa.pending_totp_secret = None
    user.mfa.totp_last_step = step
    d.touch(pool, user, now, "software token verified")
    out: Response = {"Status": "SUCCESS"}
    if challenge is not None:
        challenge.data["verified"] = True
        out["Session"] = _renew(d, challenge)
    return out


ACTIONS = {
    "getUserPoolMfaConfig": get_user_pool_mfa_config,
    "setUserPoolMfaConfig": set_user_pool_mfa_config,
    "setUserMFAPreference": set_user_mfa_preference,
    "adminSetUserMFAPreference": admin_set_user_mfa_preference,
    "associateSoftwareToken": associate_software_token,
    "verifySoftwareToken": verify_software_token,
}
