"""The user-pool API over HTTP: `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>` (AWS JSON 1.1).

Every action the Task integration runs is served through the same entry point
(`cognito_tasks.api.call`: Cognito's own request validation, the directory's guard), on a worker
thread so the server's event loop stays free while a password is hashed or the users file is
locked. Answers carry dates as epoch seconds, as the wire does. A `CognitoError` is answered with
its name as `__type` (boto3 and the JavaScript SDK raise their own exception classes for it); a
request AWS accepts that is not emulated is answered 400 `NotEmulatedException` with a message
naming what is not supported, never with a made-up success.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import anyio.to_thread

from asl.server.errors import ServiceError
from asl.server.protocol import JsonService
from cognito_tasks import api, wire
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import CognitoError, NotEmulated

TARGET_PREFIX = "AWSCognitoIdentityProviderService"
#: The `__type` of a request that AWS would accept but this emulation does not implement.
NOT_EMULATED = "NotEmulatedException"


async def answer(run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run an action on a worker thread; CognitoError/NotEmulated become AWS error answers."""
    try:
        result = await anyio.to_thread.run_sync(run)
    except CognitoError as exc:
        raise ServiceError(exc.name, exc.message, exc.status_code) from None
    except NotEmulated as exc:
        raise ServiceError(NOT_EMULATED, str(exc)) from None
    rendered: dict[str, Any] = wire.render(result, "epoch")
    return rendered


async def call(directory: UserDirectory, name: str, request: dict[str, Any]) -> dict[str, Any]:
    """Run one user-pool action for an HTTP client."""
    return await answer(lambda: api.call(directory, name, request, time.time()))


def service(directory: UserDirectory) -> JsonService:
    """The cognito-idp JSON service over `directory`."""
    actions = {name: partial(call, directory, name) for name in api.operations()}
    return JsonService(TARGET_PREFIX, "cognito-idp", actions, checked=False)
