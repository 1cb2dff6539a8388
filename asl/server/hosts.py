"""Which `Host` a server answers: the name it listens on, so DNS rebinding cannot reach it.

A page on another site can point a name it controls at 127.0.0.1 and have the browser send
requests there, reading the answers. Such requests carry the attacker's name in `Host`; the SDKs,
the AWS CLI and the browser on the console send the address the server listens on. So a server
bound to one address answers only requests for it (and for `localhost` when it is a loopback
address; also `sync-<name>`, the endpoint the SDKs use for StartSyncExecution when host prefix
injection is on). A server bound to every interface (`--host 0.0.0.0`) answers any name, as
`asl serve` warns when it starts.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

_ALL_INTERFACES = ("0.0.0.0", "::", "")
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: botocore's host prefix for StartSyncExecution and TestState (`sync-<endpoint host>`).
_PREFIXES = ("sync-",)


def host_allowed(bind_host: str, host_header: str) -> bool:
    """Whether a request's Host header names the address a server is bound to."""
    if bind_host in _ALL_INTERFACES:
        return True
    name = _host_name(host_header)
    for prefix in _PREFIXES:
        name = name.removeprefix(prefix)
    if name == bind_host.strip("[]").lower():
        return True
    return _is_loopback(bind_host) and name in _LOOPBACK_NAMES


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class HostGuard:
    """ASGI middleware: a request whose Host is not this server's gets 403 and reaches nothing."""

    def __init__(self, app: Any, bind_host: str) -> None:
        self.app = app
        self.bind_host = bind_host

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Refuse, or pass the request on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if host_allowed(self.bind_host, host):
            await self.app(scope, receive, send)
            return
        message = (
            f"asl serve answers only requests for the address it listens on ({self.bind_host}), not for "
            f"Host '{host}'; give the endpoint as that address, or start asl serve with --host for the name"
        )
        # AWS's error shape, so an SDK raises its own exception (and anything else can read it)
        body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
        content_type = b"application/x-amz-json-1.0" if headers.get(b"x-amz-target") else b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
