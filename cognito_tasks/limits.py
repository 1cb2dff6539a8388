"""Cognito's answers to repeated failures: sign-in lockout and hourly limits on codes.

Sign-in [doc, "Authentication flows", lockout behavior for failed sign-in attempts]: after five
failed sign-in attempts with a password (or, [doc, MFA page], five wrong MFA codes) the user is
locked out for 1 second, and each further failure doubles it, up to about 15 minutes: for n
failures, 2^(n-5) seconds. An attempt during a lockout fails with NotAuthorizedException
"Password attempts exceeded" and changes nothing. The count starts again after a successful
sign-in once the lockout has passed, or after 15 minutes without an attempt.

Codes [doc, "Recovering user accounts"]: "In a given hour, we allow between 5 and 20 attempts for a
user to request or enter a password reset code". We take the strictest end, 5 an hour, for every
code family (password reset: ForgotPassword and ConfirmForgotPassword; sign-up: ResendConfirmationCode
and ConfirmSignUp; attribute verification; ChangePassword with a wrong previous password), and
answer the sixth with LimitExceededException "Attempt limit exceeded, please try after some time." [obs].
Times come from the caller's clock (the execution's virtual clock in a workflow).
"""

from __future__ import annotations

from cognito_tasks.errors import LimitExceededException, NotAuthorizedException
from cognito_tasks.model import User

FREE_FAILURES = 5
MAX_LOCKOUT = 900.0
QUIET_RESET = 900.0
CODE_ATTEMPTS_PER_HOUR = 5
_HOUR = 3600.0
LOCKED = "Password attempts exceeded"
TOO_MANY = "Attempt limit exceeded, please try after some time."


def check_sign_in(user: User, now: float) -> None:
    """NotAuthorizedException "Password attempts exceeded" while the user is locked out."""
    throttle = user.throttle
    if throttle.last_attempt and now - throttle.last_attempt >= QUIET_RESET and now >= throttle.locked_until:
        throttle.failures = 0
    if now < throttle.locked_until:
        raise NotAuthorizedException(LOCKED)


def failed(user: User, now: float) -> None:
    """Count a failed sign-in (wrong password, SRP proof or MFA code) and start a lockout if due."""
    throttle = user.throttle
    throttle.failures += 1
    throttle.last_attempt = now
    if throttle.failures >= FREE_FAILURES:
        exponent = min(throttle.failures - FREE_FAILURES, 10)  # 2^10 s is past the 15-minute cap
        throttle.locked_until = now + min(2.0**exponent, MAX_LOCKOUT)


def succeeded(user: User, now: float) -> None:
    """A completed sign-in: the failure count starts again."""
    throttle = user.throttle
    throttle.failures = 0
    throttle.locked_until = 0.0
    throttle.last_attempt = now


def check_attempts(user: User, family: str, now: float) -> list[float]:
    """The family's attempts in the last hour; LimitExceededException when they used the allowance."""
    recent = [t for t in user.throttle.attempts.get(family, []) if now - t < _HOUR]
    user.throttle.attempts[family] = recent
    if len(recent) >= CODE_ATTEMPTS_PER_HOUR:
        raise LimitExceededException(TOO_MANY)
    return recent


def attempt(user: User, family: str, now: float) -> None:
    """Record one attempt in a code family; LimitExceededException past the hourly allowance."""
    user.throttle.attempts[family] = [*check_attempts(user, family, now), now]
