"""Lambda invocations sent to a Lambda-API endpoint (`sam local start-lambda`, or any Invoke API).

`lambda_endpoint = "http://127.0.0.1:3001"` in asl.toml: a Lambda function that no local handler or
command serves is invoked there, `POST /2015-03-31/functions/<name>/invocations` with the event as body,
as the AWS SDK does. A function error (`X-Amz-Function-Error`) fails the task with the `errorType` and
`errorMessage` the endpoint returns; an unknown function is `Lambda.ResourceNotFoundException`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from asl.commands import CommandFailed
from asl.errors import TaskFailed


def remote_function(endpoint: str, name: str, timeout: float = 900.0) -> Any:
    """A Lambda-style function `(event, context)` that invokes `name` at `endpoint`."""
    url = f"{endpoint.rstrip('/')}/2015-03-31/functions/{quote(name, safe='')}/invocations"

    async def function(event: Any, context: Any) -> Any:
        import httpx

        try:
            async with httpx.AsyncClient(timeout=timeout) as client:
                response = await client.post(
                    url, content=json.dumps(event).encode(), headers={"Content-Type": "application/json"}
                )
        except httpx.HTTPError as exc:
            raise TaskFailed(
                "Lambda.SdkClientException", f"cannot reach the Lambda endpoint {endpoint}: {exc}"
            ) from None
        if response.status_code == 404:
            raise TaskFailed(
                "Lambda.ResourceNotFoundException", f"Function not found: {name} (at {endpoint})"
            )
        if response.status_code >= 400:
            raise TaskFailed(
                "Lambda.ServiceException",
                f"{endpoint} answered {response.status_code}: {response.text[:300]}",
            )
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        if response.headers.get("X-Amz-Function-Error"):
            error = body if isinstance(body, dict) else {}
            trace = error.get("stackTrace")
            raise CommandFailed(
                str(error.get("errorType", "Unhandled")),
                str(error.get("errorMessage", response.text)),
                [str(t) for t in trace] if isinstance(trace, list) else [],
            )
        return body

    return function
