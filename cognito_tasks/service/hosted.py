"""The hosted sign-in: `/oauth2/authorize`, the `/login` page with its new-password and MFA steps, `/logout`.

`GET /oauth2/authorize` checks the request against the app client [doc, "The authorize endpoint"]:
the client uses OAuth and its pool has a domain; `redirect_uri` is one of its CallbackURLs (else an
error page: nothing is ever sent to an unregistered address); `response_type` `code` or `token` is
one of its AllowedOAuthFlows (`token` is the implicit flow); the `scope`s are among its
AllowedOAuthScopes (all of them when none is asked for); `code_challenge_method` is S256 (the only
one Cognito takes); `COGNITO` is one of its SupportedIdentityProviders. Errors found after the
redirect URI is known go back to it as `?error=...&state=...`. A browser already signed in to the
pool (a cookie from an earlier sign-in, one hour) gets its grant at once unless `prompt=login`;
otherwise it goes to `/login` with the same query, as on AWS.

`/login` signs in with the user pool's own machinery (`cognito_tasks.flows` and `.challenges`:
password, lockout, triggers, NEW_PASSWORD_REQUIRED, SMS/email/TOTP codes, choosing a factor, setting
up TOTP), then redirects to the callback with `code` (and `state`), or, for the implicit flow,
with the tokens in the fragment. Every form carries a CSRF token that must match an HttpOnly,
SameSite=Strict cookie set with the page, and a POST from another origin is refused; every value
shown is escaped (Jinja2 autoescape), and pages send a Content-Security-Policy with no script at all.

`GET /logout?client_id=...&logout_uri=...` (one of the client's LogoutURLs) signs the browser out
and redirects there; with `redirect_uri` and `response_type` instead it signs out and shows the
sign-in page again.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import anyio.to_thread
import pyotp
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from asl.console.security import PAGE_HEADERS
from cognito_tasks import actions_mfa, challenges, flows, mfa, sessions
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import CognitoError
from cognito_tasks.model import AppClient, UserPool
from cognito_tasks.oauth import COGNITO
from cognito_tasks.service.grants import Code, Flow, Grants, OAuthError, oauth_client
from cognito_tasks.service.oauth2 import HOSTED_SOURCE, form_of, token_answer

BROWSER_COOKIE = "asl-cognito-signin"
_ENV = Environment(
    loader=PackageLoader("cognito_tasks.service", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_PROMPTS = {
    mfa.SMS: "Enter the code we sent by SMS.",
    mfa.EMAIL: "Enter the code we sent by email.",
    mfa.TOTP: "Enter the code from your authenticator app.",
}


def _error_location(error: Redirect) -> str:
    return _with_query(
        error.uri, {"error": error.error, "error_description": error.description, "state": error.state}
    )


class Redirect(Exception):
    """An error to report to the client's redirect URI (`?error=...&state=...`)."""

    def __init__(self, uri: str, error: str, description: str, state: str | None) -> None:
        super().__init__(description)
        self.uri, self.error, self.description, self.state = uri, error, description, state


def _with_query(uri: str, values: dict[str, Any], fragment: bool = False) -> str:
    clean = {k: v for k, v in values.items() if v is not None}
    if fragment:
        return f"{uri}#{urlencode(clean)}"
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(clean)}"


def _headers(redirect_uri: str | None = None) -> dict[str, str]:
    """Page headers; the CSP lets the sign-in form's redirect reach the client's callback."""
    allowed = "'self'"
    if redirect_uri:
        parts = urlsplit(redirect_uri)
        allowed += f" {parts.scheme}://{parts.netloc}" if parts.netloc else f" {parts.scheme}:"
    csp = PAGE_HEADERS["Content-Security-Policy"].replace("form-action 'self'", f"form-action {allowed}")
    return {**PAGE_HEADERS, "Content-Security-Policy": csp}


def _page(template: str, status: int = 200, redirect_uri: str | None = None, **values: Any) -> HTMLResponse:
    html = _ENV.get_template(template).render(**values)
    return HTMLResponse(html, status, headers=_headers(redirect_uri))


def _error_page(message: str, status: int = 400) -> HTMLResponse:
    return _page("error.html", status, title="Sign-in error", message=message)


def check(d: UserDirectory, params: dict[str, str]) -> tuple[UserPool, AppClient, list[str]]:
    """Validate an authorize request: (pool, client, granted scopes); OAuthError (a page) or Redirect."""
    pool, client = oauth_client(d, params.get("client_id"))
    uri = params.get("redirect_uri")
    if not uri or uri not in client.oauth.callback_urls:
        raise OAuthError(
            "invalid_request", f"redirect_uri {uri!r} is not one of the app client's CallbackURLs"
        )
    state = params.get("state")
    provider = params.get("identity_provider") or params.get("idp_identifier")
    if provider and provider != COGNITO:
        known = provider in pool.identity_providers or any(
            provider in p.identifiers for p in pool.identity_providers.values()
        )
        why = "is not emulated locally" if known else "is not an identity provider of this user pool"
        raise OAuthError("invalid_request", f"signing in through {provider} {why}")
    if COGNITO not in client.oauth.identity_providers:
        raise OAuthError(
            "invalid_request", "the app client does not allow signing in with the user pool (COGNITO)"
        )
    flow = {"code": "code", "token": "implicit"}.get(params.get("response_type", ""))
    if flow is None:
        raise Redirect(uri, "unsupported_response_type", "response_type must be code or token", state)
    if flow not in client.oauth.flows:
        raise Redirect(uri, "unauthorized_client", f"the app client does not allow the {flow} flow", state)
    asked = params.get("scope", "").split()
    refused = [s for s in asked if s not in client.oauth.scopes]
    if refused:
        raise Redirect(uri, "invalid_scope", f"the app client does not allow {' '.join(refused)}", state)
    if params.get("code_challenge") and params.get("code_challenge_method") != "S256":
        raise Redirect(uri, "invalid_request", "code_challenge_method must be S256", state)
    return pool, client, asked or list(client.oauth.scopes)


def grant(d: UserDirectory, grants: Grants, params: dict[str, str], sub: str) -> str:
    """Where the browser goes once signed in: the callback with a code, or with tokens (implicit)."""
    pool, client, scopes = check(d, params)
    uri, state = params["redirect_uri"], params.get("state")
    now = time.time()
    if params["response_type"] == "code":
        code = Code(
            client.id,
            pool.id,
            sub,
            scopes,
            uri,
            params.get("code_challenge"),
            params.get("nonce"),
            now + 300.0,
        )
        return _with_query(uri, {"code": grants.new_code(code), "state": state})
    user = d.find_user(pool, sub)
    if user is None:
        raise OAuthError("invalid_request", "the signed-in user no longer exists")
    result = sessions.issue(
        d, pool, client, user, now, source=HOSTED_SOURCE, oauth_scopes=scopes, nonce=params.get("nonce")
    )
    answer = token_answer(result)
    answer.pop("refresh_token", None)  # the implicit grant hands out no refresh token
    answer["state"] = state
    return _with_query(uri, answer, fragment=True)


def _signed_in(
    d: UserDirectory, grants: Grants, params: dict[str, str], cookie: str | None, now: float
) -> str | None:
    """The callback for a browser already signed in to the pool (None: it must sign in)."""
    pool, _, _ = check(d, params)
    browser = grants.browser(cookie, pool.id, now)
    if browser is None or params.get("prompt") == "login":
        return None
    user = d.find_user(pool, browser.sub)
    if user is None or not user.enabled:
        return None
    return grant(d, grants, params, browser.sub)


def _step(d: UserDirectory, flow: Flow, answer: dict[str, Any]) -> None:
    """Move the flow to the challenge an answer opened."""
    flow.challenge = answer["ChallengeName"]
    flow.session = answer["Session"]
    flow.parameters = dict(answer.get("ChallengeParameters") or {})
    if flow.challenge == mfa.SETUP:
        pool = d.pool(flow.pool_id)
        associated = actions_mfa.associate_software_token(d, {"Session": flow.session}, time.time())
        flow.session = associated["Session"]
        flow.parameters["SECRET"] = associated["SecretCode"]
        flow.parameters["ISSUER"] = pool.name


def advance(d: UserDirectory, grants: Grants, flow: Flow, form: dict[str, str]) -> str | None:
    """Apply one submitted step; the callback URL when signed in, else None (the flow shows its next step)."""
    with d.guard():
        pool = d.pool(flow.pool_id)
        _, client = d.client(flow.client_id, pool)
        now = time.time()
        if flow.challenge is None:
            flow.username = form.get("username", "")
            request = {
                "AuthFlow": challenges.HOSTED,
                "AuthParameters": {"USERNAME": flow.username, "PASSWORD": form.get("password", "")},
            }
            answer = flows.password(d, pool, client, request, now)
        else:
            challenge = challenges.pending(d, client, flow.session, now)
            user = d.find_user(pool, challenge.username)
            if user is None or user.sub != challenge.sub:
                raise CognitoError("The user no longer exists.")
            attempt = challenges.Attempt(pool, client, user, challenge.flow, now)
            responses: dict[str, Any] = {"USERNAME": user.username}
            if challenge.name == challenges.NEW_PASSWORD_REQUIRED:
                responses["NEW_PASSWORD"] = form.get("new_password", "")
                prefix = "attribute."
                responses.update(
                    {f"userAttributes.{k[len(prefix) :]}": v for k, v in form.items() if k.startswith(prefix)}
                )
            elif challenge.name == mfa.SELECT:
                responses["ANSWER"] = form.get("mfa_type", "")
            elif challenge.name == mfa.SETUP:
                verified = actions_mfa.verify_software_token(
                    d, {"Session": flow.session, "UserCode": form.get("code", "")}, now
                )
                flow.session = verified["Session"]
                challenge = challenges.pending(d, client, flow.session, now)
            else:
                responses[mfa.CODE_MEMBER[challenge.name]] = form.get("code", "")
            answer = challenges.ANSWERS[challenge.name](d, attempt, challenge, responses)
        if "SignedIn" in answer:
            user = d.user(pool, answer["SignedIn"])
            return grant(d, grants, flow.params, user.sub)
        _step(d, flow, answer)
        return None


def _render(flow_id: str, flow: Flow, error: str | None, pool: UserPool | None) -> HTMLResponse:
    step = flow.challenge or "PASSWORD"
    values: dict[str, Any] = {
        "title": "Sign in" if step == "PASSWORD" else "Confirm your sign-in",
        "flow": flow_id,
        "csrf": flow.csrf,
        "step": step,
        "error": error,
        "username": flow.username,
        "others": sorted(set(pool.identity_providers)) if pool is not None else [],
        "required": [],
        "choices": [],
        "prompt": _PROMPTS.get(step, ""),
        "secret": flow.parameters.get("SECRET", ""),
        "otpauth": "",
    }
    if step == challenges.NEW_PASSWORD_REQUIRED:
        required = json.loads(flow.parameters.get("requiredAttributes", "[]"))
        values["required"] = [r.removeprefix("userAttributes.") for r in required]
    elif step == mfa.SELECT:
        values["choices"] = json.loads(flow.parameters.get("MFAS_CAN_CHOOSE", "[]"))
    elif step == mfa.SETUP:
        values["otpauth"] = pyotp.TOTP(values["secret"]).provisioning_uri(
            name=flow.username, issuer_name=flow.parameters.get("ISSUER", "Cognito")
        )
    response = _page("signin.html", 200, flow.params.get("redirect_uri"), **values)
    response.set_cookie(f"asl-csrf-{flow_id}", flow.csrf, max_age=900, httponly=True, samesite="strict")
    return response


def routes(directory: UserDirectory, grants: Grants) -> list[BaseRoute]:
    """The authorize, login and logout routes."""

    def finish(location: str, pool_id: str, sub: str | None) -> Response:
        response = RedirectResponse(location, 302, headers={"Cache-Control": "no-store"})
        if sub is not None:
            cookie = grants.new_browser(pool_id, sub, time.time())
            response.set_cookie(BROWSER_COOKIE, cookie, max_age=3600, httponly=True, samesite="lax")
        return response

    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        cookie = request.cookies.get(BROWSER_COOKIE)
        try:
            with directory.guard():
                location = _signed_in(directory, grants, params, cookie, time.time())
        except OAuthError as exc:
            return _error_page(exc.description)
        except Redirect as exc:
            return finish(_error_location(exc), "", None)
        if location is not None:
            return finish(location, "", None)
        return RedirectResponse("/login?" + urlencode(params), 302)

    async def login_page(request: Request) -> Response:
        params = dict(request.query_params)
        try:
            with directory.lock:
                pool, client, _ = check(directory, params)
                flow_id, flow = grants.new_flow(params, client, time.time())
        except OAuthError as exc:
            return _error_page(exc.description)
        except Redirect as exc:
            return finish(_error_location(exc), "", None)
        return _render(flow_id, flow, None, pool)

    async def login(request: Request) -> Response:
        try:
            form = await form_of(request)
        except OAuthError as exc:
            return _error_page(exc.description)
        flow_id = form.get("flow", "")
        flow = grants.flows.get(flow_id)
        origin = request.headers.get("origin")
        host = request.headers.get("host", "")
        if (
            flow is None
            or flow.expires < time.time()
            or form.get("csrf") != flow.csrf
            or request.cookies.get(f"asl-csrf-{flow_id}") != flow.csrf
            or (origin is not None and urlsplit(origin).netloc != host)
        ):
            return _error_page(
                "This sign-in page expired or was not sent from this server: open the sign-in link again.",
                403,
            )
        try:
            location = await anyio.to_thread.run_sync(advance, directory, grants, flow, form)
        except CognitoError as exc:
            if flow.challenge is not None and flow.session not in directory.challenges:
                flow.challenge = None  # the challenge closed (too many wrong codes): start again
            return _render(flow_id, flow, exc.message, directory.pools.get(flow.pool_id))
        except OAuthError as exc:
            return _error_page(exc.description)
        if location is None:
            return _render(flow_id, flow, None, directory.pools.get(flow.pool_id))
        grants.flows.pop(flow_id, None)
        pool = directory.pools.get(flow.pool_id)
        user = directory.find_user(pool, flow.username) if pool is not None else None
        response = finish(location, flow.pool_id, user.sub if user is not None else None)
        response.delete_cookie(f"asl-csrf-{flow_id}")
        return response

    async def logout(request: Request) -> Response:
        params = dict(request.query_params)
        try:
            with directory.lock:
                _, client = oauth_client(directory, params.get("client_id"))
                target = params.get("logout_uri")
                if target is not None:
                    if target not in client.oauth.logout_urls:
                        raise OAuthError(
                            "invalid_request",
                            f"logout_uri {target!r} is not one of the app client's LogoutURLs",
                        )
                    location = target
                else:
                    check(directory, params)
                    location = "/login?" + urlencode(params)
        except OAuthError as exc:
            return _error_page(exc.description)
        except Redirect as exc:
            return _error_page(exc.description)
        grants.browsers.pop(request.cookies.get(BROWSER_COOKIE, ""), None)
        response = RedirectResponse(location, 302, headers={"Cache-Control": "no-store"})
        response.delete_cookie(BROWSER_COOKIE)
        return response

    return [
        Route("/oauth2/authorize", authorize, methods=["GET"]),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["GET"]),
    ]
