"""What keeps the console a local tool: host checks, CSRF tokens, strict response headers.

- Host: a page on another site can make the browser send requests to `127.0.0.1` (and, with DNS
  rebinding, read the answers). The console answers only requests whose `Host` names the address
  the server is bound to (or `localhost` when it is a loopback address); a server bound to every
  interface (`--host 0.0.0.0`) answers any name, as `asl serve` warns when it starts.
- CSRF: every form carries a token that only pages of this server show (an HMAC of a per-process
  secret); a POST without it, or with an `Origin` that is not this server, changes nothing (403).
- Headers: a Content-Security-Policy that allows only this server's own script and stylesheet (no
  inline script, no inline style, no framing), `X-Frame-Options: DENY`, `nosniff`,
  no referrer sent to other sites (`same-origin`: the browser still sends
  `Origin` on our own forms), and `Cache-Control: no-store` on every page (they hold execution data).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from asl.server.hosts import host_allowed

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class Guard:
    """The checks for one server: which Host names it answers to, and its CSRF token."""

    def __init__(self, bind_host: str) -> None:
        self.bind_host = bind_host
        self._secret = secrets.token_bytes(32)
        self.token = hmac.new(self._secret, b"asl-console-form", hashlib.sha256).hexdigest()

    def host_allowed(self, host_header: str) -> bool:
        """Whether a request's Host header names this server's bind address (see `asl.server.hosts`)."""
        return host_allowed(self.bind_host, host_header)

    def form_allowed(self, token: str, origin: str | None, host_header: str) -> bool:
        """Whether a POSTed form may change something: the right token, sent from this server's pages."""
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return False
        if origin is None:
            return True
        if origin == "null":
            return False
        return urlsplit(origin).netloc.lower() == host_header.lower()
