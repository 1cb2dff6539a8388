"""Keys and discovery: `/{poolId}/.well-known/jwks.json` and `/{poolId}/.well-known/openid-configuration`.

The JWKS holds the pool's two public keys (ID and access tokens), as AWS's does; a verifier such
as PyJWT's `PyJWKClient` or aws-jwt-verify with a custom `jwksUri` points at it. The discovery
document names the issuer the pool's tokens carry (AWS's URL by default, the server's own with
`asl serve --cognito-issuer server`) and this server's OAuth 2.0 endpoints, with the members AWS's
document has [doc, "The identity provider discovery endpoint" / obs of a pool's document]:
`authorization_endpoint`, `token_endpoint`, `userinfo_endpoint`, `revocation_endpoint`,
`end_session_endpoint`, `jwks_uri`, the response types, scopes and signing algorithm.

An OIDC client that discovers from the issuer (fetching `<iss>/.well-known/openid-configuration`
and checking that the document's `issuer` is where it fetched it) needs the server issuer: with
AWS's issuer it would look on AWS.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import ResourceNotFoundException

#: Caches may keep the keys for a while, as they do AWS's.
_CACHE = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


def base_url(request: Request) -> str:
    """The server's address as the client reached it (no trailing slash)."""
    return str(request.base_url).rstrip("/")


def document(directory: UserDirectory, pool_id: str, base: str) -> dict[str, Any]:
    """The pool's OpenID Connect discovery document, with this server's endpoints."""
    pool = directory.pool(pool_id)
    return {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "end_session_endpoint": f"{base}/logout",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": directory.issuer(pool),
        "jwks_uri": f"{base}/{pool.id}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{base}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
    }


def _jwks(directory: UserDirectory, pool_id: str) -> dict[str, Any]:
    with directory.guard():  # the keys are made (and saved) on first use
        return directory.jwks(pool_id)


def routes(directory: UserDirectory) -> list[BaseRoute]:
    """The two well-known routes of every pool in `directory`."""

    async def jwks(request: Request) -> Response:
        try:
            keys = await anyio.to_thread.run_sync(_jwks, directory, request.path_params["pool"])
        except ResourceNotFoundException as exc:
            return JSONResponse({"message": exc.message}, 404)
        return JSONResponse(keys, headers=_CACHE)

    async def openid(request: Request) -> Response:
        try:
            with directory.lock:
                body = document(directory, request.path_params["pool"], base_url(request))
        except ResourceNotFoundException as exc:
            return JSONResponse({"message": exc.message}, 404)
        return JSONResponse(body, headers=_CACHE)

    return [
        Route("/{pool}/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/{pool}/.well-known/openid-configuration", openid, methods=["GET"]),
    ]
