"""Cognito's exceptions, named exactly as AWS names them, and how a task reports one.

::

    CognitoError                         message; `name` is the class name (AWS's exception name)
    ├── InvalidParameterException        a request or attribute that breaks a documented rule
    ├── ResourceNotFoundException        no such user pool, app client or group
    ├── UserNotFoundException            no such user
    ├── UsernameExistsException          the username (or email-as-username) is taken
    ├── AliasExistsException             a verified email/phone alias belongs to another user
    ├── GroupExistsException             the group name is taken
    ├── InvalidPasswordException         the password breaks the pool's policy
    ├── PasswordHistoryPolicyViolationException  the password is one of the user's recent ones
    ├── NotAuthorizedException           wrong password, disabled user, bad token or session
    ├── UserNotConfirmedException        password correct but the user is UNCONFIRMED
    ├── PasswordResetRequiredException   the user is RESET_REQUIRED
    ├── CodeMismatchException            wrong confirmation/reset code
    ├── ExpiredCodeException             the code expired or was superseded
    ├── UnsupportedUserStateException    MessageAction=RESEND on a user past FORCE_CHANGE_PASSWORD
    ├── UnauthorizedException            RevokeToken with the wrong client or secret
    ├── UnsupportedTokenTypeException    RevokeToken given something other than a refresh token
    ├── UnsupportedOperationException    RevokeToken on a client with token revocation off
    ├── LimitExceededException           too many code requests or entries for a user in an hour
    ├── UserLambdaValidationException    a trigger function raised
    ├── InvalidLambdaResponseException   a trigger function returned something Cognito cannot use
    ├── UnexpectedLambdaException        a trigger's function cannot be called
    ├── MFAMethodNotFoundException       MFA is required and the user has no usable factor
    ├── SoftwareTokenMFANotFoundException  no TOTP secret was associated
    ├── EnableSoftwareTokenMFAException  VerifySoftwareToken got a wrong code
    ├── InvalidUserPoolConfigurationException  the pool cannot serve the request (e.g. no custom-auth triggers)
    ├── InvalidOAuthFlowException        an app client's AllowedOAuthFlows break Cognito's rules
    ├── ScopeDoesNotExistException       an OAuth scope that is neither standard nor a resource server's
    └── DuplicateProviderException       an identity provider name (or identifier) is taken

    NotEmulated                          valid on AWS but not emulated here (SRP, custom auth, MFA):
                                         the task fails with States.Runtime rather than a fake answer

A handler turns a `CognitoError` into `asl.errors.TaskFailed` with `task_failed`: the error is
`CognitoIdentityProvider.<name>` and the cause the Java-SDK-style text Step Functions shows,
`<message> (Service: CognitoIdentityProvider, Status Code: 400, Request ID: <uuid>)`.
"""

from __future__ import annotations

from asl.errors import TaskFailed

#: The prefix Step Functions puts before every Cognito user-pool error name.
ERROR_PREFIX = "CognitoIdentityProvider"


class CognitoError(Exception):
    """A Cognito API error: the class name is AWS's exception name."""

    status_code = 400

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    @property
    def name(self) -> str:
        """AWS's exception name, e.g. `UserNotFoundException`."""
        return type(self).__name__


class InvalidParameterException(CognitoError):
    """A parameter or attribute breaks a documented rule."""


class ResourceNotFoundException(CognitoError):
    """The user pool, app client or group does not exist."""


class UserNotFoundException(CognitoError):
    """The user does not exist."""


class UsernameExistsException(CognitoError):
    """A user with this username (or email-as-username) already exists."""


class AliasExistsException(CognitoError):
    """The verified email or phone number is already another user's alias."""


class GroupExistsException(CognitoError):
    """A group with this name already exists in the pool."""


class InvalidPasswordException(CognitoError):
    """The password does not satisfy the pool's password policy."""


class PasswordHistoryPolicyViolationException(CognitoError):
    """The password matches one of the user's recent passwords (PasswordHistorySize)."""


class NotAuthorizedException(CognitoError):
    """Wrong credentials, a disabled user, or an invalid token or session."""


class UserNotConfirmedException(CognitoError):
    """The user has not confirmed sign-up."""


class PasswordResetRequiredException(CognitoError):
    """The user must reset the password (status RESET_REQUIRED)."""


class CodeMismatchException(CognitoError):
    """The confirmation or reset code is wrong."""


class ExpiredCodeException(CognitoError):
    """The code has expired or a newer code replaced it."""


class UnsupportedUserStateException(CognitoError):
    """The user's status does not allow the request."""


class UnauthorizedException(CognitoError):
    """The client is not allowed to make this request."""


class UnsupportedTokenTypeException(CognitoError):
    """The token is not of the kind the request takes."""


class UnsupportedOperationException(CognitoError):
    """The operation is turned off for this client."""


class LimitExceededException(CognitoError):
    """Too many attempts of a rate-limited action (codes, password changes)."""


class UserLambdaValidationException(CognitoError):
    """A trigger function raised; the message is `<Trigger> failed with error <message>.`."""


class InvalidLambdaResponseException(CognitoError):
    """A trigger function's result is not usable."""


class UnexpectedLambdaException(CognitoError):
    """A trigger's function could not be called."""


class MFAMethodNotFoundException(CognitoError):
    """MFA is required but the user has no factor that can be used."""


class SoftwareTokenMFANotFoundException(CognitoError):
    """No software token (TOTP secret) is associated with the user."""


class EnableSoftwareTokenMFAException(CognitoError):
    """The TOTP code given to VerifySoftwareToken is wrong."""


class InvalidUserPoolConfigurationException(CognitoError):
    """The user pool is not configured for the request."""


class InvalidOAuthFlowException(CognitoError):
    """The app client's OAuth flows cannot be combined, or need what the client lacks."""


class ScopeDoesNotExistException(CognitoError):
    """An OAuth scope is neither a standard one nor a scope of a resource server of the pool."""


class DuplicateProviderException(CognitoError):
    """An identity provider with this name or identifier already exists in the pool."""


class NotEmulated(Exception):
    """A request AWS would accept that this local emulation does not implement."""


def cause(error: CognitoError, request_id: str) -> str:
    """The Cause text Step Functions reports for a Cognito error."""
    return (
        f"{error.message} (Service: {ERROR_PREFIX}, Status Code: {error.status_code}, "
        f"Request ID: {request_id})"
    )


def task_failed(error: CognitoError, request_id: str) -> TaskFailed:
    """The `TaskFailed` a Task state sees for `error`."""
    return TaskFailed(f"{ERROR_PREFIX}.{error.name}", cause(error, request_id))
