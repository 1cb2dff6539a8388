"""The outbox over HTTP: `GET /cognito/outbox?pool=<id>&username=<name>` (both optional).

What `asl cognito codes --json` prints, oldest first: every confirmation, reset, invitation and MFA
code (and temporary password) the pools "sent", with the message and subject it would have had. A
test or a script reads the code it needs from here instead of from an inbox. Codes are secrets of
this machine: like the console, the route answers only requests addressed to the host the server
listens on (no DNS rebinding) and never to a web page of another origin.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from asl.console.security import Guard
from cognito_tasks import wire
from cognito_tasks.directory import UserDirectory


def routes(directory: UserDirectory, bind_host: str) -> list[BaseRoute]:
    """The outbox route, answering only requests for `bind_host`."""
    guard = Guard(bind_host)

    async def outbox(request: Request) -> Response:
        host = request.headers.get("host", "")
        origin = request.headers.get("origin")
        if not guard.host_allowed(host) or (origin is not None and origin.split("://", 1)[-1] != host):
            return JSONResponse({"message": "the outbox answers only local requests for this server"}, 403)
        pool_id = request.query_params.get("pool")
        username = request.query_params.get("username")
        with directory.lock:
            if pool_id is not None and pool_id not in directory.pools:
                return JSONResponse({"message": f"User pool {pool_id} does not exist."}, 404)
            chosen = [
                wire.outbox_entry(code)
                for code in directory.codes
                if (pool_id is None or code.pool_id == pool_id)
                and (username is None or code.username == username)
            ]
        return JSONResponse(chosen, headers={"Cache-Control": "no-store"})

    return [Route("/cognito/outbox", outbox, methods=["GET"])]
