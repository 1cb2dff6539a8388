"""The ASGI application: one port for every service, `GET /health`, and whatever routes are mounted.

`create_app` takes the JSON-protocol services (Step Functions now; the Cognito services later), extra
routes (a console, `/{poolId}/.well-known/...`) and a lifespan that starts and stops the backends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from asl.server.bodies import BodyDeadline
from asl.server.hosts import HostGuard
from asl.server.protocol import JsonService, dispatch, preflight

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


@asynccontextmanager
async def _no_lifespan(app: Starlette) -> AsyncIterator[None]:
    yield


def create_app(
    services: Sequence[JsonService],
    routes: Sequence[BaseRoute] = (),
    lifespan: Lifespan | None = None,
    health: Callable[[], dict[str, Any]] | None = None,
    bind_host: str | None = None,
) -> Starlette:
    """An app serving `services` on `POST /`, `GET /health`, and `routes`.

    `bind_host`: the address the server listens on; requests for another Host get 403 (`asl.server.hosts`).
    A request whose body does not arrive in time gets 408 (`asl.server.bodies`).
    """
    by_prefix = {service.target_prefix: service for service in services}

    async def json_protocol(request: Request) -> Response:
        return await dispatch(request, by_prefix)

    async def cors(request: Request) -> Response:
        return preflight()

    async def health_check(request: Request) -> Response:
        body: dict[str, Any] = {"status": "ok", "services": sorted(by_prefix)}
        if health is not None:
            body.update(health())
        return JSONResponse(body, 200 if body["status"] == "ok" else 503)

    return Starlette(
        routes=[
            Route("/", json_protocol, methods=["POST"]),
            Route("/", cors, methods=["OPTIONS"]),
            Route("/health", health_check, methods=["GET"]),
            *routes,
        ],
        lifespan=lifespan or _no_lifespan,
        middleware=[
            *([Middleware(HostGuard, bind_host=bind_host)] if bind_host is not None else []),
            Middleware(BodyDeadline),
        ],
    )
