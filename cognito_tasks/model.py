"""The Cognito domain: pools, app clients, users, groups, codes, sessions and events as plain data.

Attributes are a `dict[str, str]`, times are epoch seconds from the execution clock, passwords are
salted hashes only. Nothing here knows the API's wire shapes (`cognito_tasks.wire` renders them)
or how objects are found and changed (`cognito_tasks.directory`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cognito_tasks import tokens

_DAY = 86400.0


class UserStatus(StrEnum):
    """A user's account status, as `UserStatus` names it."""

    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
    RESET_REQUIRED = "RESET_REQUIRED"
    ARCHIVED = "ARCHIVED"
    COMPROMISED = "COMPROMISED"
    UNKNOWN = "UNKNOWN"
    EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"


class CodePurpose(StrEnum):
    """Why a code (or temporary password) was sent; named after the CustomMessage trigger sources."""

    SIGN_UP = "SignUp"
    FORGOT_PASSWORD = "ForgotPassword"
    INVITATION = "AdminCreateUser"
    VERIFY_ATTRIBUTE = "UpdateUserAttribute"
    #: An SMS or email MFA code (CustomMessage_Authentication).
    AUTHENTICATION = "Authentication"


class EventKind(StrEnum):
    """What changed in the directory."""

    POOL_CREATED = "PoolCreated"
    POOL_DELETED = "PoolDeleted"
    POOL_CHANGED = "PoolChanged"
    CLIENT_CREATED = "ClientCreated"
    CLIENT_CHANGED = "ClientChanged"
    CLIENT_DELETED = "ClientDeleted"
    USER_CREATED = "UserCreated"
    USER_CHANGED = "UserChanged"
    USER_DELETED = "UserDeleted"
    GROUP_CREATED = "GroupCreated"
    GROUP_CHANGED = "GroupChanged"
    GROUP_DELETED = "GroupDeleted"
    CODE_ISSUED = "CodeIssued"
    SIGNED_IN = "SignedIn"
    SIGNED_OUT = "SignedOut"


#: How long a code stays valid, in seconds (sign-up and attribute codes 24 h, reset codes 1 h).
CODE_VALIDITY = {
    CodePurpose.SIGN_UP: _DAY,
    CodePurpose.VERIFY_ATTRIBUTE: _DAY,
    CodePurpose.FORGOT_PASSWORD: 3600.0,
    CodePurpose.AUTHENTICATION: 180.0,
}


@dataclass(slots=True)
class PasswordPolicy:
    """The pool's password rules (AWS defaults: 8 characters, all four character classes)."""

    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    temporary_password_validity_days: int = 7
    history_size: int | None = None


@dataclass(frozen=True, slots=True)
class SchemaAttribute:
    """One attribute declared in the pool schema (`custom:` names carry their prefix)."""

    name: str
    data_type: str = "String"
    mutable: bool = True
    required: bool = False
    developer_only: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None


@dataclass(slots=True)
class OAuthSettings:
    """An app client's OAuth 2.0 settings (the hosted sign-in and the token endpoint enforce them)."""

    #: AllowedOAuthFlowsUserPoolClient: the client may use the OAuth endpoints at all.
    enabled: bool = False
    flows: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    callback_urls: list[str] = field(default_factory=list)
    logout_urls: list[str] = field(default_factory=list)
    default_redirect_uri: str | None = None
    #: SupportedIdentityProviders: `COGNITO` and identity provider names.
    identity_providers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AppClient:
    """An app client; token validities are in seconds."""

    id: str
    pool_id: str
    name: str
    created: float
    modified: float
    secret: str | None = None
    explicit_auth_flows: list[str] = field(default_factory=list)
    read_attributes: list[str] | None = None
    write_attributes: list[str] | None = None
    access_token_validity: int = 3600
    id_token_validity: int = 3600
    refresh_token_validity: int = 30 * 86400
    #: Units the validities were given in (`AccessToken`/`IdToken`/`RefreshToken` -> unit).
    validity_units: dict[str, str] = field(
        default_factory=lambda: {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
    )
    #: Which validities were given explicitly (echoed by DescribeUserPoolClient).
    validity_given: list[str] = field(default_factory=list)
    prevent_user_existence_errors: str = "LEGACY"
    enable_token_revocation: bool = True
    auth_session_validity: int = 3
    oauth: OAuthSettings = field(default_factory=OAuthSettings)
    #: Request members stored and echoed but not interpreted (analytics).
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class MfaSettings:
    """A pool's MFA factors (GetUserPoolMfaConfig); messages are the outbox templates."""

    sms_enabled: bool = False
    sms_message: str | None = None
    totp_enabled: bool = False
    email_enabled: bool = False
    email_message: str | None = None
    email_subject: str | None = None


@dataclass(slots=True)
class UserMfa:
    """A user's MFA factors and preference (`preferred` is SMS_MFA, SOFTWARE_TOKEN_MFA or EMAIL_OTP)."""

    sms_enabled: bool = False
    totp_enabled: bool = False
    email_enabled: bool = False
    preferred: str | None = None
    #: The verified TOTP secret (base32), and one being set up (AssociateSoftwareToken).
    totp_secret: str | None = None
    pending_totp_secret: str | None = None
    #: The last TOTP time step accepted, so a code is not accepted twice.
    totp_last_step: int = -1

    def enabled(self) -> list[str]:
        """The enabled factors as challenge names, in AWS's order."""
        flags = (
            ("SMS_MFA", self.sms_enabled),
            ("SOFTWARE_TOKEN_MFA", self.totp_enabled),
            ("EMAIL_OTP", self.email_enabled),
        )
        return [name for name, on in flags if on]


@dataclass(slots=True)
class Throttle:
    """Failed attempts that lead to Cognito's lockouts (see `cognito_tasks.limits`)."""

    #: Consecutive failed sign-ins (password or MFA code), the lockout end, the last attempt.
    failures: int = 0
    locked_until: float = 0.0
    last_attempt: float = 0.0
    #: Recent code requests/entries by family ("reset", "sign-up", "verify", "password"): times.
    attempts: dict[str, list[float]] = field(default_factory=dict)


@dataclass(slots=True)
class User:
    """A user; `attributes` always holds `sub`."""

    username: str
    attributes: dict[str, str]
    status: UserStatus
    created: float
    modified: float
    enabled: bool = True
    password_hash: str | None = None
    #: When a temporary password stops working (FORCE_CHANGE_PASSWORD only).
    password_expires: float | None = None
    groups: list[str] = field(default_factory=list)
    mfa: UserMfa = field(default_factory=UserMfa)
    #: Hashes of earlier passwords, newest first (PasswordHistorySize).
    password_history: list[str] = field(default_factory=list)
    #: SRP salt and verifier (hex), computed when the password is set (USER_SRP_AUTH).
    srp_salt: str | None = None
    srp_verifier: str | None = None
    throttle: Throttle = field(default_factory=Throttle)

    @property
    def sub(self) -> str:
        """The immutable user id."""
        return self.attributes["sub"]

    def verified(self, attribute: str) -> bool:
        """True if `email`/`phone_number` is present and marked verified."""
        return attribute in self.attributes and self.attributes.get(f"{attribute}_verified") == "true"


@dataclass(slots=True)
class Group:
    """A group in a pool."""

    name: str
    pool_id: str
    created: float
    modified: float
    description: str | None = None
    role_arn: str | None = None
    precedence: int | None = None


@dataclass(slots=True)
class ResourceServer:
    """An OAuth 2.0 resource server: its identifier prefixes its scopes (`<identifier>/<scope>`)."""

    identifier: str
    name: str
    #: Scope name -> description.
    scopes: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class IdentityProvider:
    """A federated identity provider of the pool (stored and described; federated sign-in is not emulated)."""

    name: str
    type: str
    created: float
    modified: float
    details: dict[str, str] = field(default_factory=dict)
    attribute_mapping: dict[str, str] = field(default_factory=dict)
    identifiers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Domain:
    """The pool's domain: a prefix (`<prefix>.auth.<region>.amazoncognito.com`) or a custom domain."""

    name: str
    #: CustomDomainConfig's CertificateArn for a custom domain (ACM is not contacted), else None.
    certificate_arn: str | None = None
    managed_login_version: int = 1


@dataclass(slots=True)
class UserPool:
    """A user pool and everything in it."""

    id: str
    name: str
    arn: str
    created: float
    modified: float
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    #: Declared `custom:` / `dev:custom:` attributes, keyed by full name.
    custom_attributes: dict[str, SchemaAttribute] = field(default_factory=dict)
    #: Standard attributes the Schema configured (e.g. `email` required).
    standard_attributes: dict[str, SchemaAttribute] = field(default_factory=dict)
    username_attributes: list[str] = field(default_factory=list)
    alias_attributes: list[str] = field(default_factory=list)
    auto_verified_attributes: list[str] = field(default_factory=list)
    #: `UsernameConfiguration.CaseSensitive`; None when not configured (then case-sensitive).
    case_sensitive: bool | None = None
    mfa_configuration: str = "OFF"
    mfa: MfaSettings = field(default_factory=MfaSettings)
    #: LambdaConfig as given (trigger name -> function ARN; PreTokenGenerationConfig as a dict).
    lambda_config: dict[str, Any] = field(default_factory=dict)
    deletion_protection: str = "INACTIVE"
    allow_admin_create_user_only: bool = False
    unused_account_validity_days: int = 7
    tags: dict[str, str] = field(default_factory=dict)
    #: Request members stored and echoed but not interpreted (email/SMS configuration and the like).
    settings: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, AppClient] = field(default_factory=dict)
    #: Users keyed by `username_key(pool, username)`.
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    resource_servers: dict[str, ResourceServer] = field(default_factory=dict)
    identity_providers: dict[str, IdentityProvider] = field(default_factory=dict)
    domain: Domain | None = None
    keys: tokens.PoolKeys | None = None

    def username_key(self, username: str) -> str:
        """The key a username is stored under (case-folded in case-insensitive pools)."""
        return username if self.case_sensitive is not False else username.casefold()

    def same_name(self, one: str, other: str) -> bool:
        """Whether two alias values (email, phone number, preferred_username) name the same user.

        Case matters unless the pool is case-insensitive (`UsernameConfiguration.CaseSensitive`
        false) [doc, UsernameConfigurationType: it applies to usernames and their aliases].
        """
        return self.username_key(one) == self.username_key(other)

    def same_login(self, attribute: str, one: str, other: str) -> bool:
        """Whether two values of a username attribute (email or phone as the username) are equal.

        An email used as the username compares without case in every pool [belief: the address
        is the user's name, and Cognito stores it as given but finds it either way].
        """
        if attribute == "email":
            return one.casefold() == other.casefold()
        return self.same_name(one, other)


@dataclass(slots=True)
class IssuedCode:
    """A code or temporary password the pool 'sent'; readable locally."""

    pool_id: str
    username: str
    purpose: CodePurpose
    code: str
    issued: float
    expires: float
    medium: str | None = None
    destination: str | None = None
    attribute: str | None = None
    used: bool = False
    #: The message and subject as they would have been sent (templates filled in).
    message: str | None = None
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One change in the directory, for summaries."""

    time: float
    kind: EventKind
    pool_id: str
    subject: str
    detail: str = ""

    def describe(self) -> str:
        """One line for a summary: `UserCreated alice in us-east-1_AbC123xyz (FORCE_CHANGE_PASSWORD)`."""
        tail = f" ({self.detail})" if self.detail else ""
        return f"{self.kind} {self.subject} in {self.pool_id}{tail}"


@dataclass(slots=True)
class AuthSession:
    """One authentication: its refresh token and the `origin_jti` every token from it carries."""

    origin_jti: str
    pool_id: str
    client_id: str
    username: str
    sub: str
    auth_time: int
    refresh_token: str
    refresh_expires: float
    revoked: bool = False
    #: The `event_id` of every token pair issued for this authentication (refreshes included).
    event_ids: list[str] = field(default_factory=list)
    #: OAuth 2.0 scopes granted through the hosted sign-in (refreshes keep them); empty for API sign-ins.
    scopes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Challenge:
    """A pending auth challenge, addressed by its opaque Session.

    `flow` is the AuthFlow that started it; `data` holds what the next answer is checked against
    (the SRP exchange, the custom-auth session list, the MFA options) as JSON values.
    """

    session: str
    name: str
    pool_id: str
    client_id: str
    username: str
    sub: str
    expires: float
    flow: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    #: Wrong answers so far (MFA codes).
    failures: int = 0


@dataclass(slots=True)
class IdentityPool:
    """An identity pool (Amazon Cognito identity pools): who may get AWS credentials, in which role."""

    id: str
    name: str
    created: float
    allow_unauthenticated: bool = False
    allow_classic_flow: bool = False
    #: CognitoIdentityProviders as given: `ProviderName` (`cognito-idp.<region>.amazonaws.com/<pool>`),
    #: `ClientId`, `ServerSideTokenCheck`.
    providers: list[dict[str, Any]] = field(default_factory=list)
    #: `authenticated` / `unauthenticated` -> role ARN (SetIdentityPoolRoles).
    roles: dict[str, str] = field(default_factory=dict)
    #: Provider name -> RoleMapping as given (Type Token or Rules).
    role_mappings: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Identity:
    """One identity of an identity pool: unauthenticated, or linked to user-pool logins (`<provider>:<sub>`)."""

    id: str
    pool_id: str
    created: float
    modified: float
    logins: list[str] = field(default_factory=list)
