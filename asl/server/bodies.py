"""How long a request's body may take to arrive: a client that announces more than it sends is cut off.

uvicorn waits for a request's body as long as the connection stays open, so a `Content-Length`
larger than the bytes sent (or a body trickled a byte at a time) would hold a connection, and the
request's handler, forever. `BodyDeadline` gives the whole body `BODY_SECONDS` from the request's
headers: past that the request is answered 408 and the connection closed.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import anyio.lowlevel

#: Seconds from a request's headers to the last byte of its body (AWS's largest request, 1 MiB,
#: arrives in well under a second on any link a local server is used over).
BODY_SECONDS = 30.0


class BodyDeadline:
    """ASGI middleware: a request whose body is not complete within `BODY_SECONDS` gets 408."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Pass the request on, cancelling it (and answering 408) if its body is late."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = anyio.current_time() + BODY_SECONDS
        state = {"complete": False, "late": False, "answered": False}

        with anyio.CancelScope() as handling:

            async def timed_receive() -> Any:
                if state["complete"]:  # the body is in: later calls wait for a disconnect, as they should
                    return await receive()
                with anyio.move_on_after(deadline - anyio.current_time()):
                    message = await receive()
                    if message["type"] != "http.request" or not message.get("more_body", False):
                        state["complete"] = True
                    return message
                state["late"] = True
                handling.cancel()
                await anyio.lowlevel.checkpoint()  # raises the cancellation into the handler
                raise AssertionError("unreachable: the handler was cancelled")

            async def tracked_send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    state["answered"] = True
                await send(message)

            await self.app(scope, timed_receive, tracked_send)
        if state["late"] and not state["answered"]:
            await _request_timeout(send)


async def _request_timeout(send: Any) -> None:
    message = (
        f"The request body did not arrive within {BODY_SECONDS:g} seconds (fewer bytes than its "
        "Content-Length, or sent too slowly); the connection is closed"
    )
    body = json.dumps({"__type": "RequestTimeoutException", "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 408,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
