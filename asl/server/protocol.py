"""AWS JSON 1.0/1.1: `POST /` with `X-Amz-Target: <Prefix>.<Action>`, a JSON body, JSON answers.

Each service is a `JsonService`: its target prefix, its botocore model (which checks every request
before an action sees it, unless the service checks requests itself with its own wording: `checked`
False) and its actions, `async (request dict) -> response dict`. Several services
share the one route, told apart by the target's prefix (`AWSStepFunctions`,
`AWSCognitoIdentityProviderService`, ...). Errors are `{"__type", "message"}` with HTTP 400, so every
SDK raises its own exception class; nothing a client sends produces a traceback. SigV4 signatures
are accepted and not verified.

Browsers: the actions AWS serves without credentials (the model's `authtype: none`: InitiateAuth,
SignUp, GetId, ...) answer web pages of any origin (CORS, as AWS's endpoints do); any other action
sent from a web page (a request with an `Origin` other than this server) is refused with 403
`AccessDeniedException`, so a page a browser happens to show cannot drive the local services.
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
#: What a browser's preflight is told: SDK headers may be sent, the request id and error type read.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": (
        "content-type, x-amz-target, x-amz-user-agent, x-amz-date, x-amz-security-token, "
        "x-amz-content-sha256, authorization, amz-sdk-invocation-id, amz-sdk-request, cache-control"
    ),
    "Access-Control-Expose-Headers": "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date",
    "Access-Control-Max-Age": "600",
}


@dataclass
class JsonService:
    """One AWS service served over the JSON protocol."""

    target_prefix: str
    #: botocore's service name (`stepfunctions`, `cognito-idp`): requests are checked against its model.
    model_name: str
    actions: Mapping[str, Action]
    #: False: the actions check requests themselves (Cognito words its own validation errors).
    checked: bool = True
    _model: Any = field(default=None, repr=False)

    @property
    def model(self) -> Any:
        """The botocore ServiceModel, loaded on first use."""
        if self._model is None:
            import botocore.session

            self._model = botocore.session.get_session().get_service_model(self.model_name)
        return self._model

    async def call(self, action_name: str, body: dict[str, Any]) -> dict[str, Any]:
        """Run an action as a request for it runs: checked against the model first (when `checked`)."""
        if self.checked:
            check_request(self.model.operation_model(action_name).input_shape, body)
        return await self.actions[action_name](body)

    def unauthenticated(self, action: str) -> bool:
        """Whether AWS serves `action` without credentials (so browsers call it directly)."""
        return bool(self.model.operation_model(action).auth_type == "none")

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


def preflight() -> Response:
    """The answer to a browser's CORS preflight (`OPTIONS /`)."""
    return Response(None, 204, headers=CORS_HEADERS)


def _from_web_page(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return False
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/").lower() != host.lower()


async def dispatch(request: Request, services: Mapping[str, JsonService]) -> Response:
    """Answer one JSON-protocol request."""
    request_id = str(uuid.uuid4())
    target = request.headers.get("x-amz-target", "")
    prefix, _, action_name = target.rpartition(".")
    service = services.get(prefix)
    content_type = service.content_type if service else "application/x-amz-json-1.0"
    response = await _answer(request, service, target, action_name, content_type, request_id)
    if service is not None and action_name in service.actions and service.unauthenticated(action_name):
        response.headers.update(CORS_HEADERS)
    return response


async def _answer(
    request: Request,
    service: JsonService | None,
    target: str,
    action_name: str,
    content_type: str,
    request_id: str,
) -> Response:
    try:
        if service is None or action_name not in service.actions:
            shown = f"'{target}'" if target else "no X-Amz-Target header"
            if service is not None and action_name in service.model.operation_names:
                raise ServiceError(
                    "UnknownOperationException",
                    f"Unknown operation: {shown}: asl serve does not implement {action_name}",
                )
            raise ServiceError("UnknownOperationException", f"Unknown operation: {shown}")
        if _from_web_page(request) and not service.unauthenticated(action_name):
            raise ServiceError(
                "AccessDeniedException",
                f"asl serve refuses {action_name} from a web page (Origin {request.headers['origin']}): "
                "only the actions AWS serves without credentials may be called from a browser",
                403,
            )
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
