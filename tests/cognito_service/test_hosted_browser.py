"""The hosted sign-in in headless Chromium (Playwright with Debian's chromium; never `playwright install`)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pyotp
import pytest
from authlib.integrations.requests_client import OAuth2Session

from tests.cognito_service.conftest import PASSWORD, new_user
from tests.cognito_service.oauth_setup import Setup, app_server, oauth_pool
from tests.server.conftest import Server

__all__ = ["browser"]  # headless Chromium, shared with the console's tests
from tests.console.conftest import browser


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    with app_server() as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page."""
    context = browser.new_context()
    context.set_default_timeout(15_000)
    context.route(
        "http://localhost/**", lambda route: route.fulfill(body="back in the app", content_type="text/plain")
    )
    errors: list[str] = []
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == []


def _client(client_id: str, callback: str) -> tuple[OAuth2Session, str]:
    oauth = OAuth2Session(
        client_id,
        scope="openid email orders/read",
        redirect_uri=callback,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    return oauth, secrets.token_urlsafe(48)


def test_new_password_then_totp_setup_then_single_sign_on_and_sign_out(
    server: Server, idp: Any, page: Any, app: str
) -> None:
    callback = f"{app}/callback"
    setup: Setup = oauth_pool(idp, callback)
    idp.set_user_pool_mfa_config(
        UserPoolId=setup.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    idp.admin_create_user(
        UserPoolId=setup.pool_id,
        Username="nia",
        TemporaryPassword="Temp0rary!",
        UserAttributes=[{"Name": "email", "Value": "nia@example.com"}],
        MessageAction="SUPPRESS",
    )
    oauth, verifier = _client(setup.public, callback)
    url, state = oauth.create_authorization_url(f"{server.url}/oauth2/authorize", code_verifier=verifier)
    page.goto(url)
    page.get_by_label("Username").fill("nia")
    page.get_by_label("Password").fill("Temp0rary!")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    secret = page.locator("#secret").inner_text()
    assert page.locator("#otpauth").inner_text().startswith("otpauth://totp/")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{callback}**")
    assert parse_qs(urlsplit(page.url).query)["state"] == [state]
    token = oauth.fetch_token(
        f"{server.url}/oauth2/token", authorization_response=page.url, code_verifier=verifier
    )
    claims = jwt.decode(token["id_token"], options={"verify_signature": False})
    assert (claims["cognito:username"], claims["email"]) == ("nia", "nia@example.com")
    assert idp.admin_get_user(UserPoolId=setup.pool_id, Username="nia")["UserStatus"] == "CONFIRMED"
    # Signed in already: the next authorize goes straight back with a code.
    again, _ = oauth.create_authorization_url(f"{server.url}/oauth2/authorize", code_verifier=verifier)
    page.goto(again)
    page.wait_for_url(f"{callback}**")
    assert "code" in parse_qs(urlsplit(page.url).query)
    # Signed out: back to the app's sign-out page, and the next authorize asks for the password.
    page.goto(f"{server.url}/logout?client_id={setup.public}&logout_uri={app}/signed-out")
    page.wait_for_url(f"{app}/signed-out")
    page.goto(again)
    assert page.get_by_label("Password").is_visible()


def test_implicit_flow_with_a_wrong_password_then_a_totp_code(
    server: Server, idp: Any, page: Any, app: str
) -> None:
    callback = f"{app}/callback"
    setup = oauth_pool(idp, callback)
    idp.set_user_pool_mfa_config(
        UserPoolId=setup.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    new_user(idp, setup.pool_id, "ivo")
    tokens = idp.admin_initiate_auth(
        UserPoolId=setup.pool_id,
        ClientId=idp.create_user_pool_client(
            UserPoolId=setup.pool_id,
            ClientName="admin",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ivo", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(
        AccessToken=tokens["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    page.goto(
        f"{server.url}/oauth2/authorize?client_id={setup.implicit}&response_type=token&redirect_uri={callback}&state=st"
    )
    page.get_by_label("Username").fill("ivo")
    page.get_by_label("Password").fill("wrong-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("#error").inner_text() == "Incorrect username or password."
    page.get_by_label("Username").fill("ivo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert "authenticator app" in page.content()
    totp = pyotp.TOTP(secret)
    # The current step's code was spent verifying the token; a code is accepted once, so use the next one's.
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{callback}**")
    fragment = parse_qs(urlsplit(page.url).fragment)
    assert fragment["state"] == ["st"]
    assert "refresh_token" not in fragment
    assert jwt.decode(fragment["access_token"][0], options={"verify_signature": False})["scope"] == "openid"
