"""Multi-factor authentication: which factor a sign-in asks for, TOTP codes (pyotp), and pool rules.

Pool [doc, "Adding MFA to a user pool"; SetUserPoolMfaConfig]: MfaConfiguration OFF, ON (required)
or OPTIONAL (per user). Turning MFA ON or OPTIONAL needs at least one factor: SMS (the pool's
SmsConfiguration), TOTP (SoftwareTokenMfaConfiguration Enabled) or email (EmailMfaConfiguration,
which needs a DEVELOPER EmailConfiguration). Messages [obs]: "Invalid MFA configuration given, can't
disable all MFAs with a required or optional configuration." and "Invalid MFA configuration given,
can't turn off MFA and configure an MFA together."; CreateUserPool with MFA ON or OPTIONAL and no
SmsConfiguration: "SMS configuration and Auto verification for phone_number are required when MFA is
required/optional" [obs, aws-cdk #12075].

Sign-in (after the password, SRP proof or new password):
* OFF: no MFA. OPTIONAL: only users with an enabled factor are asked.
* The user's factors: SMS (enabled and a phone_number), TOTP (a verified secret), email (an email);
  each only while the pool allows it. The preferred factor is used; with several and no preference,
  SELECT_MFA_TYPE offers them (`MFAS_CAN_CHOOSE`); with one, it is used.
* ON and the user has enabled no factor: SMS when the pool allows it and the user has a phone number,
  else email likewise, else MFA_SETUP (`MFAS_CAN_SETUP: ["SOFTWARE_TOKEN_MFA"]`) when TOTP is allowed,
  else MFAMethodNotFoundException [belief: the order follows the MFA page's description].

TOTP [RFC 6238, as Cognito: 6 digits, 30-second steps, SHA-1, base32 secret]: a code is accepted for
the current step or the one before or after (clock drift), and never twice.
"""

from __future__ import annotations

import secrets

import pyotp

from cognito_tasks.errors import MFAMethodNotFoundException
from cognito_tasks.model import User, UserPool

SMS = "SMS_MFA"
TOTP = "SOFTWARE_TOKEN_MFA"
EMAIL = "EMAIL_OTP"
SETUP = "MFA_SETUP"
SELECT = "SELECT_MFA_TYPE"
#: The ChallengeResponses member that carries each factor's code.
CODE_MEMBER = {SMS: "SMS_MFA_CODE", TOTP: "SOFTWARE_TOKEN_MFA_CODE", EMAIL: "EMAIL_OTP_CODE"}
STEP = 30


def allowed(pool: UserPool) -> list[str]:
    """The factors the pool allows, in Cognito's order."""
    flags = ((SMS, pool.mfa.sms_enabled), (TOTP, pool.mfa.totp_enabled), (EMAIL, pool.mfa.email_enabled))
    return [name for name, on in flags if on]


def user_factors(pool: UserPool, user: User) -> list[str]:
    """The factors `user` has enabled that the pool allows and that can reach the user."""
    usable = {
        SMS: user.mfa.sms_enabled and bool(user.attributes.get("phone_number")),
        TOTP: user.mfa.totp_enabled and user.mfa.totp_secret is not None,
        EMAIL: user.mfa.email_enabled and bool(user.attributes.get("email")),
    }
    return [name for name in allowed(pool) if usable[name]]


def next_challenge(pool: UserPool, user: User) -> str | None:
    """The MFA challenge a sign-in must answer next (a factor, SELECT_MFA_TYPE or MFA_SETUP), or None."""
    if pool.mfa_configuration == "OFF":
        return None
    factors = user_factors(pool, user)
    if factors:
        if user.mfa.preferred in factors:
            return user.mfa.preferred
        return factors[0] if len(factors) == 1 else SELECT
    if pool.mfa_configuration == "OPTIONAL":
        return None
    if pool.mfa.sms_enabled and user.attributes.get("phone_number"):
        return SMS
    if pool.mfa.email_enabled and user.attributes.get("email"):
        return EMAIL
    if pool.mfa.totp_enabled:
        return SETUP
    raise MFAMethodNotFoundException("No MFA method is available for the user; MFA is required.")


def choices(pool: UserPool, user: User) -> list[str]:
    """The factors SELECT_MFA_TYPE offers."""
    return user_factors(pool, user)


def new_secret() -> str:
    """A TOTP secret: 32 base32 characters (160 bits) from the OS's CSPRNG, like Cognito's SecretCode."""
    return "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))


def totp_step(secret: str, code: str, now: float, last_step: int) -> int | None:
    """The time step `code` belongs to (current, previous or next), if valid and newer than `last_step`."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    current = int(now // STEP)
    for step in (current, current - 1, current + 1):
        if step > last_step and secrets.compare_digest(totp.at(step * STEP), code):
            return step
    return None
