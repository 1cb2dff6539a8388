"""What the OAuth 2.0 endpoints hand out and take back: authorization codes, browser sign-ins, client checks.

Codes and browser sign-ins live in this server process's memory (a restart signs browsers out and
voids codes not yet exchanged, as codes are single-use within minutes anyway); the tokens they turn
into are sessions of the user directory, saved with it.

Client authentication at the token and revoke endpoints [doc, "The token endpoint"]: a client with
a secret sends `Authorization: Basic base64(client_id:client_secret)` (or `client_secret` in the
form); a public client sends `client_id`. The client must use OAuth (`AllowedOAuthFlowsUserPoolClient`)
and its pool must have a domain: without one AWS has no endpoints to call.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import ResourceNotFoundException
from cognito_tasks.model import AppClient, UserPool

#: How long an authorization code may be exchanged [doc: "valid for five minutes"].
CODE_SECONDS = 300.0
#: How long a browser stays signed in on the hosted pages (AWS: one hour).
BROWSER_SECONDS = 3600.0
#: How long a sign-in page's form stays usable.
FLOW_SECONDS = 900.0


class OAuthError(Exception):
    """An OAuth 2.0 error answer (`error`, a description, the HTTP status)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass
class Code:
    """An authorization code: what the token endpoint gives for it."""

    client_id: str
    pool_id: str
    sub: str
    scopes: list[str]
    redirect_uri: str
    challenge: str | None
    nonce: str | None
    expires: float


@dataclass
class Browser:
    """A browser signed in on the hosted pages (its cookie's value is the key)."""

    pool_id: str
    sub: str
    expires: float


@dataclass
class Flow:
    """One sign-in page's progress: the authorize request, its CSRF secret, the pending challenge."""

    params: dict[str, str]
    client_id: str
    pool_id: str
    csrf: str
    expires: float
    session: str | None = None
    challenge: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    username: str = ""


class Grants:
    """The codes, browser sign-ins and sign-in flows of one server."""

    def __init__(self) -> None:
        self.codes: dict[str, Code] = {}
        self.browsers: dict[str, Browser] = {}
        self.flows: dict[str, Flow] = {}

    def _sweep(self, now: float) -> None:
        for table in (self.codes, self.browsers, self.flows):
            for key in [k for k, v in table.items() if v.expires < now]:
                del table[key]

    def new_code(self, code: Code) -> str:
        """Remember a code; its value."""
        self._sweep(time.time())
        value = secrets.token_urlsafe(32)
        self.codes[value] = code
        return value

    def take_code(self, value: str, now: float) -> Code | None:
        """The live code (used once: it is forgotten), or None."""
        code = self.codes.pop(value, None)
        return code if code is not None and code.expires >= now else None

    def new_browser(self, pool_id: str, sub: str, now: float) -> str:
        """A signed-in browser's cookie value."""
        value = secrets.token_urlsafe(32)
        self.browsers[value] = Browser(pool_id, sub, now + BROWSER_SECONDS)
        return value

    def browser(self, value: str | None, pool_id: str, now: float) -> Browser | None:
        """The browser sign-in the cookie names, for this pool and still live."""
        found = self.browsers.get(value or "")
        return found if found is not None and found.pool_id == pool_id and found.expires >= now else None

    def new_flow(self, params: dict[str, str], client: AppClient, now: float) -> tuple[str, Flow]:
        """A new sign-in page flow: (its id, the flow)."""
        self._sweep(now)
        flow = Flow(dict(params), client.id, client.pool_id, secrets.token_urlsafe(32), now + FLOW_SECONDS)
        key = secrets.token_urlsafe(24)
        self.flows[key] = flow
        return key, flow


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a code verifier (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def oauth_client(directory: UserDirectory, client_id: str | None) -> tuple[UserPool, AppClient]:
    """The client of an OAuth request, if it may use the OAuth endpoints; else OAuthError."""
    if not client_id:
        raise OAuthError("invalid_request", "client_id is required")
    try:
        pool, client = directory.client(client_id)
    except ResourceNotFoundException:
        raise OAuthError("invalid_client", f"no app client {client_id}", 400) from None
    if pool.domain is None:
        raise OAuthError(
            "invalid_request",
            f"user pool {pool.id} has no domain, so it has no OAuth 2.0 endpoints; create one with "
            "CreateUserPoolDomain",
        )
    if not client.oauth.enabled:
        raise OAuthError(
            "unauthorized_client",
            f"app client {client.id} does not use OAuth 2.0: set AllowedOAuthFlowsUserPoolClient",
        )
    return pool, client


def authenticate(
    directory: UserDirectory, authorization: str | None, form: dict[str, str]
) -> tuple[UserPool, AppClient]:
    """The client a token or revoke request authenticates as (Basic or form credentials)."""
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "the Basic credentials are not base64", 401) from None
        name, _, given = decoded.partition(":")
        if client_id and unquote(name) != client_id:
            raise OAuthError("invalid_client", "client_id differs from the Basic credentials", 401)
        client_id, secret = unquote(name), unquote(given)
    pool, client = oauth_client(directory, client_id)
    if client.secret is not None and not hmac.compare_digest((secret or "").encode(), client.secret.encode()):
        raise OAuthError("invalid_client", "the client secret is missing or wrong", 401)
    return pool, client
