"""An app client's OAuth 2.0 settings: Cognito's rules when they are set, and what they allow.

Rules checked when a client is created or updated [doc, CreateUserPoolClient and "App client
settings"; messages are ours unless marked]: flows are `code`, `implicit` and `client_credentials`
(the model's enum), and `client_credentials` goes alone and needs a client secret
(InvalidOAuthFlowException); a client that uses OAuth (`AllowedOAuthFlowsUserPoolClient`) names its
flows and scopes; scopes are the standard ones (`openid`, `email`, `phone`, `profile`,
`aws.cognito.signin.user.admin`) or `<resource server>/<scope>` of this pool
(ScopeDoesNotExistException), and `client_credentials` takes resource-server scopes only;
`code` and `implicit` need CallbackURLs; a callback or sign-out URL is absolute, without a fragment,
and HTTPS unless it is `http://localhost` (any port) or an app's own scheme (`myapp://callback`)
[doc: "Amazon Cognito requires HTTPS over HTTP except for http://localhost for testing purposes
only"]; DefaultRedirectURI is one of the CallbackURLs; SupportedIdentityProviders are `COGNITO` or
identity providers of the pool.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cognito_tasks.errors import (
    InvalidOAuthFlowException,
    InvalidParameterException,
    ScopeDoesNotExistException,
)
from cognito_tasks.model import OAuthSettings, UserPool

STANDARD_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
COGNITO = "COGNITO"


def known_scope(pool: UserPool, scope: str) -> bool:
    """Whether `scope` is standard or a scope of one of the pool's resource servers."""
    if scope in STANDARD_SCOPES:
        return True
    identifier, _, name = scope.rpartition("/")
    server = pool.resource_servers.get(identifier)
    return server is not None and name in server.scopes


def _check_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    problem = None
    if not parts.scheme or not (parts.netloc or parts.path):
        problem = "it is not an absolute URL"
    elif parts.fragment:
        problem = "it has a fragment (#...)"
    elif parts.scheme == "http" and parts.hostname != "localhost":
        problem = "http is allowed only for http://localhost; use https"
    if problem:
        raise InvalidParameterException(f"{what} {url!r} is not valid: {problem}.")


def settings(pool: UserPool, request: dict[str, Any], has_secret: bool) -> OAuthSettings:
    """The OAuth settings of a CreateUserPoolClient/UpdateUserPoolClient request, checked."""
    given = OAuthSettings(
        enabled=bool(request.get("AllowedOAuthFlowsUserPoolClient", False)),
        flows=list(request.get("AllowedOAuthFlows") or []),
        scopes=list(request.get("AllowedOAuthScopes") or []),
        callback_urls=list(request.get("CallbackURLs") or []),
        logout_urls=list(request.get("LogoutURLs") or []),
        default_redirect_uri=request.get("DefaultRedirectURI"),
        identity_providers=list(request.get("SupportedIdentityProviders") or []),
    )
    if "client_credentials" in given.flows:
        if len(set(given.flows)) > 1:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected along with code flow or implicit flow."
            )
        if not has_secret:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected if client does not have a client secret."
            )
    if given.enabled and not (given.flows and given.scopes):
        raise InvalidParameterException(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use "
            "OAuth flows."
        )
    for scope in given.scopes:
        if not known_scope(pool, scope):
            raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")
        if "client_credentials" in given.flows and scope in STANDARD_SCOPES:
            raise InvalidOAuthFlowException(
                f"client_credentials flow can only be used with custom scopes, not {scope}."
            )
    if given.enabled and set(given.flows) & {"code", "implicit"} and not given.callback_urls:
        raise InvalidParameterException("CallbackURLs are required for the code and implicit flows.")
    for url in given.callback_urls:
        _check_url(url, "The callback URL")
    for url in given.logout_urls:
        _check_url(url, "The sign-out URL")
    if given.default_redirect_uri is not None and given.default_redirect_uri not in given.callback_urls:
        raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")
    for name in given.identity_providers:
        if name != COGNITO and name not in pool.identity_providers:
            raise InvalidParameterException(f"The provider {name} does not exist for User Pool {pool.id}")
    return given


def members(oauth: OAuthSettings) -> dict[str, Any]:
    """The UserPoolClientType members of the settings (empty lists left out, as AWS does)."""
    out: dict[str, Any] = {}
    for key, value in (
        ("SupportedIdentityProviders", oauth.identity_providers),
        ("CallbackURLs", oauth.callback_urls),
        ("LogoutURLs", oauth.logout_urls),
        ("AllowedOAuthFlows", oauth.flows),
        ("AllowedOAuthScopes", oauth.scopes),
    ):
        if value:
            out[key] = list(value)
    if oauth.default_redirect_uri:
        out["DefaultRedirectURI"] = oauth.default_redirect_uri
    out["AllowedOAuthFlowsUserPoolClient"] = oauth.enabled
    return out
