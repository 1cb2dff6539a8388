"""AWS JSON 1.0/1.1: `POST /` with `X-Amz-Target: <Prefix>.<Action>`, a JSON body, JSON answers.

Each service is a `JsonService`: its target prefix, its botocore model (which checks every request
before an action sees it) and its actions, `async (request dict) -> response dict`. Several services
share the one route, told apart by the target's prefix (`AWSStepFunctions`,
`AWSCognitoIdentityProviderService`, ...). Errors are `{"__type", "message"}` with HTTP 400, so every
SDK raises its own exception class; nothing a client sends produces a traceback. SigV4 signatures
are accepted and not verified.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from asl.server.errors import ServiceError
from asl.server.shapes import check_request

Action = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
log = logging.getLogger("asl.server")

#: The largest request body read (AWS's largest member, a definition, is 1 MiB).
MAX_BODY = 4 * 1024 * 1024


@dataclass
class JsonService:
    """One AWS service served over the JSON protocol."""

    target_prefix: str
    #: botocore's service name (`stepfunctions`, `cognito-idp`): requests are checked against its model.
    model_name: str
    actions: Mapping[str, Action]
    _model: Any = field(default=None, repr=False)

    @property
    def model(self) -> Any:
        """The botocore ServiceModel, loaded on first use."""
        if self._model is None:
            import botocore.session

            self._model = botocore.session.get_session().get_service_model(self.model_name)
        return self._model

    async def call(self, action_name: str, body: dict[str, Any]) -> dict[str, Any]:
        """Run an action as a request for it runs: checked against the model first."""
        check_request(self.model.operation_model(action_name).input_shape, body)
        return await self.actions[action_name](body)

    @property
    def content_type(self) -> str:
        """`application/x-amz-json-1.0` or `-1.1`, as the model says."""
        return f"application/x-amz-json-{self.model.metadata.get('jsonVersion', '1.0')}"


def error_response(
    error: ServiceError, content_type: str = "application/x-amz-json-1.0", request_id: str = ""
) -> Response:
    """The AWS error shape."""
    body = json.dumps({"__type": error.code, "message": error.message})
    return Response(body, error.status, headers=_headers(content_type, request_id))


def _headers(content_type: str, request_id: str) -> dict[str, str]:
    return {"content-type": content_type, "x-amzn-RequestId": request_id or str(uuid.uuid4())}


async def dispatch(request: Request, services: Mapping[str, JsonService]) -> Response:
    """Answer one JSON-protocol request."""
    request_id = str(uuid.uuid4())
    target = request.headers.get("x-amz-target", "")
    prefix, _, action_name = target.rpartition(".")
    service = services.get(prefix)
    content_type = service.content_type if service else "application/x-amz-json-1.0"
    try:
        if service is None or action_name not in service.actions:
            shown = f"'{target}'" if target else "no X-Amz-Target header"
            if service is not None and action_name in service.model.operation_names:
                raise ServiceError(
                    "UnknownOperationException",
                    f"Unknown operation: {shown}: asl serve does not implement {action_name}",
                )
            raise ServiceError("UnknownOperationException", f"Unknown operation: {shown}")
        body = await _read_body(request)
        result = await service.call(action_name, body)
    except ServiceError as error:
        return error_response(error, content_type, request_id)
    except Exception as exc:  # a bug of ours: say so without a traceback on the wire
        log.exception("%s failed", target)
        failure = ServiceError(
            "InternalFailure", f"asl serve failed on {target}: {type(exc).__name__}: {exc}", 500
        )
        return error_response(failure, content_type, request_id)
    return Response(
        json.dumps(_drop_none(result), ensure_ascii=False), 200, headers=_headers(content_type, request_id)
    )


async def _read_body(request: Request) -> Any:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ServiceError(
                "ValidationException", f"The request body is larger than {MAX_BODY} bytes", 413
            )
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ServiceError("SerializationException", "The request body nests JSON too deeply") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "it is not UTF-8"
        raise ServiceError(
            "SerializationException", f"The request body is not valid JSON{where}: {reason}"
        ) from None


def _drop_none(value: Any) -> Any:
    """Leave out members without a value, as AWS does."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value
