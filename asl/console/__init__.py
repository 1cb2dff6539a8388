"""A local console for `asl serve`, in the browser at `/console` on the server's own port.

State machines (definition, diagram, start form), executions (diagram coloured by outcome, the
event table, each state's input and output, Map iterations and Parallel branches, the failure),
stopping an execution, answering a waiting callback, and the Cognito pools, users and outbox.
Pages are rendered on the server (Jinja2, autoescaped); one small script polls a running
execution and one stylesheet styles everything, both shipped in the package (no CDN, no build).
The diagram is SVG laid out in Python (`asl.console.layout`), so Graphviz is not needed.

`routes(backend, bind_host)` returns the one route to mount with `create_app(routes=...)`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from asl.console.pages import BadRequest, Pages
from asl.console.security import PAGE_HEADERS, Guard

if TYPE_CHECKING:
    from asl.server.backend import Backend

__all__ = ["routes"]

Endpoint = Callable[[Request], Awaitable[Response]]
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
log = logging.getLogger("asl.console")


def routes(backend: Backend, bind_host: str = "127.0.0.1") -> list[BaseRoute]:
    """The console's routes under `/console`, answering only requests for `bind_host`."""
    from asl.server import step_functions

    guard = Guard(bind_host)
    pages = Pages(backend, guard, step_functions(backend))
    static = resources.files("asl.console").joinpath("static")

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        suffix = name[name.rfind(".") :] if "." in name else ""
        item = static.joinpath(name)
        if suffix not in _TYPES or "/" in name or not item.is_file():
            return PlainTextResponse("Not found", 404, headers=PAGE_HEADERS)
        headers = {**PAGE_HEADERS, "Cache-Control": "no-cache"}
        return Response(item.read_bytes(), 200, media_type=_TYPES[suffix], headers=headers)

    def checked(endpoint: Endpoint) -> Endpoint:
        async def handle(request: Request) -> Response:
            if not guard.host_allowed(request.headers.get("host", "")):
                return PlainTextResponse(
                    "asl serve's console answers only requests for the address it listens on",
                    403,
                    headers=PAGE_HEADERS,
                )
            try:
                return await endpoint(request)
            except BadRequest as bad:
                return pages.refused(request, str(bad), 400)
            except Exception as exc:  # a bug of ours: the log has the traceback, the page says what failed
                log.exception("console %s %s failed", request.method, request.url.path)
                message = f"asl serve's console failed on this page: {type(exc).__name__}: {exc} (please report this)"
                return pages.refused(request, message, 500)

        return handle

    async def root(request: Request) -> Response:
        return RedirectResponse("/console/", 308)

    table = [
        Route("/", pages.home),
        Route("/state-machines/{name}", pages.machine),
        Route("/state-machines/{name}/start", pages.start, methods=["POST"]),
        Route("/executions", pages.executions),
        Route("/execution", pages.execution),
        Route("/execution/live", pages.live),
        Route("/execution/stop", pages.stop, methods=["POST"]),
        Route("/execution/callback", pages.callback, methods=["POST"]),
        Route("/cognito", pages.cognito),
        Route("/cognito/pool", pages.pool),
        Route("/static/{name}", asset),
    ]
    guarded = [Route(r.path, checked(r.endpoint), methods=r.methods) for r in table]
    return [Route("/console", checked(root)), Mount("/console", routes=guarded)]
