"""An OAuth-ready pool (domain, resource server, clients) and a scripted sign-in through the hosted form."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.cognito_service.conftest import unique

CALLBACK = "http://localhost/callback"


@dataclass
class Setup:
    pool_id: str
    public: str
    machine: str
    machine_secret: str
    implicit: str


def oauth_pool(idp: Any, callback: str = CALLBACK, **pool: Any) -> Setup:
    pool_id: str = idp.create_user_pool(PoolName=unique("oauth"), **pool)["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=unique("auth"))
    idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="Orders",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "r"},
            {"ScopeName": "write", "ScopeDescription": "w"},
        ],
    )
    common = {
        "UserPoolId": pool_id,
        "AllowedOAuthFlowsUserPoolClient": True,
        "SupportedIdentityProviders": ["COGNITO"],
    }
    public = idp.create_user_pool_client(
        ClientName="spa",
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "orders/read"],
        CallbackURLs=[callback],
        LogoutURLs=[callback.replace("/callback", "/signed-out")],
        **common,
    )["UserPoolClient"]["ClientId"]
    machine = idp.create_user_pool_client(
        ClientName="worker",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read", "orders/write"],
        **common,
    )["UserPoolClient"]
    implicit = idp.create_user_pool_client(
        ClientName="legacy",
        AllowedOAuthFlows=["implicit"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=[callback],
        **common,
    )["UserPoolClient"]["ClientId"]
    return Setup(pool_id, public, machine["ClientId"], machine["ClientSecret"], implicit)


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, html
    return found.group(1)


def form_sign_in(http: httpx.Client, authorize_url: str, steps: list[dict[str, str]]) -> httpx.Response:
    """Follow authorize to /login and post each step's fields; the last answer (a redirect when signed in)."""
    answer = http.get(authorize_url)
    assert answer.status_code == 302, answer.text
    page = http.get(answer.headers["location"])
    assert page.status_code == 200, page.text
    for fields in steps:
        answer = http.post(
            "/login", data={"flow": hidden(page.text, "flow"), "csrf": hidden(page.text, "csrf"), **fields}
        )
        if answer.status_code != 200:
            return answer
        page = answer
    return answer


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


class _App(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"back in the app")

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def app_server() -> Iterator[str]:
    """A stand-in for the app the browser returns to: `http://localhost:<port>`, answering 200 to any GET."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _App)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
