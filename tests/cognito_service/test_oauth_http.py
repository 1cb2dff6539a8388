"""The OAuth 2.0 endpoints through authlib's OAuth 2.0 client and httpx: grants, client rules, tokens."""

from __future__ import annotations

import html
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import pytest
from authlib.integrations.requests_client import OAuth2Session as OAuth2Client

from cognito_tasks import verify
from tests.cognito_service.conftest import PASSWORD, new_user
from tests.cognito_service.oauth_setup import CALLBACK, Setup, form_sign_in, oauth_pool, query
from tests.server.conftest import Server


@pytest.fixture(scope="module")
def setup(idp: Any) -> Setup:
    found = oauth_pool(idp)
    new_user(idp, found.pool_id, "ana", email="ana@example.com")
    return found


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=10) as client:
        yield client


def authorize_url(server: Server, client_id: str, **extra: str) -> str:
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "state": "s1",
        **extra,
    }
    return f"{server.url}/oauth2/authorize?{urlencode(params)}"


def test_code_flow_with_pkce_through_authlib(server: Server, setup: Setup, http: httpx.Client) -> None:
    oauth = OAuth2Client(
        setup.public,
        scope="openid email",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = secrets.token_urlsafe(48)
    url, state = oauth.create_authorization_url(f"{server.url}/oauth2/authorize", code_verifier=verifier)
    done = form_sign_in(http, url, [{"username": "ana", "password": PASSWORD}])
    assert done.status_code == 302
    callback = done.headers["location"]
    assert callback.startswith(CALLBACK)
    assert query(callback)["state"] == state
    token = oauth.fetch_token(
        f"{server.url}/oauth2/token", authorization_response=callback, code_verifier=verifier
    )
    assert token["token_type"] == "Bearer"
    access = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert access["scope"] == "openid email"
    identity = jwt.decode(token["id_token"], options={"verify_signature": False})
    assert (identity["email"], identity["aud"]) == ("ana@example.com", setup.public)
    info = http.get("/oauth2/userInfo", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert info.json() == {"sub": access["sub"], "email": "ana@example.com", "username": "ana"}
    refreshed = oauth.refresh_token(f"{server.url}/oauth2/token", refresh_token=token["refresh_token"])
    assert (
        jwt.decode(refreshed["access_token"], options={"verify_signature": False})["scope"] == "openid email"
    )
    # Revoked: the refresh token and the access tokens from this sign-in stop working.
    revoked = http.post("/oauth2/revoke", data={"token": token["refresh_token"], "client_id": setup.public})
    assert revoked.status_code == 200
    after = http.get("/oauth2/userInfo", headers={"Authorization": f"Bearer {refreshed['access_token']}"})
    assert after.status_code == 401
    assert 'error="invalid_token"' in after.headers["www-authenticate"]


def test_a_code_is_used_once_and_needs_its_verifier(server: Server, setup: Setup, http: httpx.Client) -> None:
    verifier = secrets.token_urlsafe(48)
    from cognito_tasks.service.grants import s256

    url = authorize_url(server, setup.public, code_challenge=s256(verifier), code_challenge_method="S256")
    code = query(form_sign_in(http, url, [{"username": "ana", "password": PASSWORD}]).headers["location"])[
        "code"
    ]
    form = {
        "grant_type": "authorization_code",
        "client_id": setup.public,
        "code": code,
        "redirect_uri": CALLBACK,
    }
    wrong = http.post("/oauth2/token", data={**form, "code_verifier": "not-it"})
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    again = http.post("/oauth2/token", data={**form, "code_verifier": verifier})
    assert again.json()["error"] == "invalid_grant"  # the failed attempt used the code up


def test_client_credentials_carry_resource_server_scopes(server: Server, setup: Setup, idp: Any) -> None:
    oauth = OAuth2Client(setup.machine, setup.machine_secret, scope="orders/read")
    token = oauth.fetch_token(f"{server.url}/oauth2/token", grant_type="client_credentials")
    assert "id_token" not in token
    assert "refresh_token" not in token
    keys = jwt.PyJWKClient(f"{server.url}/{setup.pool_id}/.well-known/jwks.json")
    claims = jwt.decode(
        token["access_token"], keys.get_signing_key_from_jwt(token["access_token"]).key, algorithms=["RS256"]
    )
    assert (claims["sub"], claims["client_id"], claims["scope"], claims["token_use"]) == (
        setup.machine,
        setup.machine,
        "orders/read",
        "access",
    )
    directory = server.backend.runner.directory
    assert verify.authorize(directory, token["access_token"], scopes=["orders/read"]).allowed
    assert verify.authorize(directory, token["access_token"], scopes=["orders/write"]).code == "scope"
    everything = OAuth2Client(setup.machine, setup.machine_secret).fetch_token(
        f"{server.url}/oauth2/token", grant_type="client_credentials"
    )
    assert (
        jwt.decode(everything["access_token"], options={"verify_signature": False})["scope"]
        == "orders/read orders/write"
    )


@pytest.mark.parametrize(
    ("form", "auth", "error"),
    [
        ({"grant_type": "client_credentials"}, ("machine", "wrong"), "invalid_client"),
        ({"grant_type": "client_credentials", "scope": "openid"}, ("machine", None), "invalid_scope"),
        ({"grant_type": "client_credentials"}, ("public", None), "unauthorized_client"),
        ({"grant_type": "password"}, ("public", None), "unsupported_grant_type"),
        ({"grant_type": "refresh_token", "refresh_token": "nope"}, ("public", None), "invalid_grant"),
    ],
)
def test_token_endpoint_errors(
    http: httpx.Client, setup: Setup, form: dict[str, str], auth: tuple[str, str | None], error: str
) -> None:
    client_id = setup.machine if auth[0] == "machine" else setup.public
    secret = auth[1] if auth[1] is not None else (setup.machine_secret if auth[0] == "machine" else None)
    answer = http.post(
        "/oauth2/token", data={**form, "client_id": client_id}, auth=(client_id, secret) if secret else None
    )
    assert answer.json()["error"] == error
    assert answer.status_code in (400, 401)


@pytest.mark.parametrize(
    ("change", "where", "expected"),
    [
        ({"redirect_uri": "https://evil.example/cb"}, "page", "is not one of the app client's CallbackURLs"),
        ({"client_id": "nosuchclient"}, "page", "no app client"),
        ({"identity_provider": "Google"}, "page", "is not an identity provider of this user pool"),
        ({"scope": "openid phone"}, "redirect", "invalid_scope"),
        ({"response_type": "token"}, "redirect", "unauthorized_client"),
        ({"code_challenge": "abc", "code_challenge_method": "plain"}, "redirect", "invalid_request"),
    ],
)
def test_authorize_enforces_the_client_settings(
    server: Server, setup: Setup, http: httpx.Client, change: dict[str, str], where: str, expected: str
) -> None:
    params = {
        "client_id": setup.public,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "state": "xyz",
        **change,
    }
    answer = http.get("/oauth2/authorize", params=params)
    if where == "page":
        assert answer.status_code == 400
        assert expected in html.unescape(answer.text)
        return
    assert answer.status_code == 302
    returned = query(answer.headers["location"])
    assert answer.headers["location"].startswith(CALLBACK)
    assert (returned["error"], returned["state"]) == (expected, "xyz")


def test_a_pool_without_a_domain_has_no_oauth_endpoints(server: Server, idp: Any, http: httpx.Client) -> None:
    pool_id = idp.create_user_pool(PoolName="nodomain")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="c",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    answer = http.get(authorize_url(server, client_id))
    assert answer.status_code == 400
    assert "CreateUserPoolDomain" in html.unescape(answer.text)


def test_the_sign_in_form_refuses_a_post_without_its_csrf_cookie(server: Server, setup: Setup) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False) as first:
        page = first.get(first.get(authorize_url(server, setup.public)).headers["location"])
    from tests.cognito_service.oauth_setup import hidden

    with httpx.Client(base_url=server.url, follow_redirects=False) as other:  # another browser: no cookie
        answer = other.post(
            "/login",
            data={
                "flow": hidden(page.text, "flow"),
                "csrf": hidden(page.text, "csrf"),
                "username": "ana",
                "password": PASSWORD,
            },
        )
    assert answer.status_code == 403
    assert "Content-Security-Policy" in page.headers
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_what_the_page_shows_is_escaped(server: Server, idp: Any, setup: Setup, http: httpx.Client) -> None:
    name = "<b>eve</b>"
    idp.admin_create_user(
        UserPoolId=setup.pool_id, Username=name, TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    page = form_sign_in(
        http, authorize_url(server, setup.public), [{"username": name, "password": "Temp0rary!"}]
    )
    assert page.status_code == 200
    assert "&lt;b&gt;eve&lt;/b&gt;" in page.text
    assert "<b>eve</b>" not in page.text
