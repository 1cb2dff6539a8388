"""HTTP Task (`arn:aws:states:::http:invoke`) with httpx, reaching only the hosts the configuration allows.

Parameters, as AWS takes them: `ApiEndpoint`, `Method`, `Headers`, `QueryParameters`, `RequestBody`,
`Transform` (`RequestBodyEncoding` NONE or URL_ENCODED, `RequestEncodingOptions.ArrayFormat` BRACKETS,
COMMAS, REPEAT or INDICES) and the connection (`Authentication.ConnectionArn` or
`InvocationConfig.ConnectionArn`). The result is `{"Headers": {name: [values]}, "ResponseBody", "StatusCode",
"StatusText"}`, the body parsed when it is JSON. A status outside 2xx fails the task with
`States.Http.StatusCode.<code>` and the status text as cause; a connection that cannot be made fails with
`States.Http.Socket`. An EventBridge connection's credentials live in AWS and are not applied locally:
give what the API needs in `Headers`. A host outside `http_allow` (loopback by default) stops the
execution with States.Runtime before anything is sent.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from asl.errors import StatesRuntime, TaskFailed
from asl.resources import Handler, TaskContext

ARN = "arn:aws:states:::http:invoke"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"})
_FIELDS = frozenset(
    {
        "ApiEndpoint",
        "Method",
        "Headers",
        "QueryParameters",
        "RequestBody",
        "Transform",
        "Authentication",
        "InvocationConfig",
    }
)

#: The last request and response of this task (TestState's TRACE inspection reads it).
exchange: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "http_exchange", default=None
)


def _encode(body: Any, array_format: str) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in (body or {}).items():
        if isinstance(value, list):
            items = [v if isinstance(v, str) else json.dumps(v) for v in value]
            if array_format == "COMMAS":
                pairs.append((key, ",".join(items)))
            elif array_format == "REPEAT":
                pairs += [(key, item) for item in items]
            elif array_format == "INDICES":
                pairs += [(f"{key}[{i}]", item) for i, item in enumerate(items)]
            else:
                pairs += [(f"{key}[]", item) for item in items]
        else:
            pairs.append((key, value if isinstance(value, str) else json.dumps(value)))
    return urlencode(pairs)


def _request(payload: Any) -> tuple[str, str, dict[str, str], dict[str, Any], bytes | None]:
    if not isinstance(payload, dict):
        raise StatesRuntime(
            "The HTTP Task's Parameters (or Arguments) must be an object with ApiEndpoint and Method"
        )
    unknown = sorted(set(payload) - _FIELDS)
    if unknown:
        raise StatesRuntime(
            f"The HTTP Task does not take {', '.join(unknown)}; it takes {', '.join(sorted(_FIELDS))}"
        )
    url, method = payload.get("ApiEndpoint"), payload.get("Method")
    if not isinstance(url, str) or not isinstance(method, str) or method.upper() not in METHODS:
        raise StatesRuntime(
            "The HTTP Task needs ApiEndpoint (a URL) and Method (GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD)"
        )
    headers = {
        str(k): v if isinstance(v, str) else json.dumps(v) for k, v in (payload.get("Headers") or {}).items()
    }
    query = payload.get("QueryParameters") or {}
    transform = payload.get("Transform") or {}
    body: bytes | None = None
    if "RequestBody" in payload:
        raw = payload["RequestBody"]
        if transform.get("RequestBodyEncoding") == "URL_ENCODED":
            options = transform.get("RequestEncodingOptions") or {}
            body = _encode(raw, str(options.get("ArrayFormat", "BRACKETS"))).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            body = (raw if isinstance(raw, str) else json.dumps(raw)).encode()
            headers.setdefault("Content-Type", "application/json")
    return url, method.upper(), headers, query, body


def http_handler(allowed: Iterable[str] = LOOPBACK, timeout: float = 60.0) -> Handler:
    """The registry handler for http:invoke, sending only to the `allowed` hosts."""
    hosts = frozenset(h.lower().strip("[]") for h in allowed)

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        import httpx

        url, method, headers, query, body = _request(payload)
        host = (urlsplit(url).hostname or "").lower()
        if host not in hosts:
            raise StatesRuntime(
                f"The HTTP Task may not reach {host or url!r} locally: add it to http_allow in asl.toml "
                f"(allowed now: {', '.join(sorted(hosts))})"
            )
        seconds = ctx.timeout_seconds if ctx.timeout_seconds is not None else timeout
        try:
            async with httpx.AsyncClient(timeout=seconds, follow_redirects=False) as client:
                response = await client.request(method, url, params=query, headers=headers, content=body)
        except httpx.HTTPError as exc:
            raise TaskFailed("States.Http.Socket", f"{type(exc).__name__}: {exc}") from None
        exchange.set(
            {
                "request": {
                    "protocol": "https" if url.startswith("https") else "http",
                    "method": method,
                    "url": str(response.request.url),
                    "headers": json.dumps(dict(response.request.headers)),
                    "body": (body or b"").decode("utf-8", "replace"),
                },
                "response": {
                    "protocol": response.http_version,
                    "statusCode": str(response.status_code),
                    "statusMessage": response.reason_phrase,
                    "headers": json.dumps(dict(response.headers)),
                    "body": response.text,
                },
            }
        )
        if not 200 <= response.status_code < 300:
            raise TaskFailed(f"States.Http.StatusCode.{response.status_code}", response.reason_phrase)
        try:
            parsed: Any = response.json() if response.content else ""
        except ValueError:
            parsed = response.text
        grouped: dict[str, list[str]] = {}
        for name, value in response.headers.multi_items():
            grouped.setdefault(name, []).append(value)
        return {
            "Headers": grouped,
            "ResponseBody": parsed,
            "StatusCode": response.status_code,
            "StatusText": response.reason_phrase,
        }

    return handler
