"""User-pool Lambda triggers, run as local Python functions.

A pool's LambdaConfig names function ARNs (`PreSignUp`, `PostConfirmation`, `PreAuthentication`,
`PostAuthentication`, `PreTokenGeneration` or `PreTokenGenerationConfig`, `CustomMessage`,
`UserMigration`, `DefineAuthChallenge`, `CreateAuthChallenge`, `VerifyAuthChallengeResponse`).
`directory.functions(arn)` resolves an ARN to a Python function; `asl run` resolves them through
the `[handlers]` table of asl.toml exactly as it does for Task states (by function name), and a
Python caller passes `UserDirectory(functions=...)` (`by_name` builds one from a dict).

A function receives AWS's event [doc, "Customizing user pool workflows with Lambda triggers"]
`{version, triggerSource, region, userPoolId, userName, callerContext: {awsSdkVersion, clientId},
request, response}` and a Lambda-like context, and returns the event with `response` filled in (an
`async def` works too). What Cognito does with each response is in the module that calls it.

Failures, as Cognito reports them: a function that raises fails the API call with
UserLambdaValidationException `"<Trigger> failed with error <message>."` [obs: the message seen from
PreSignUp, amplify-ui-android #314]; a result that is not the event with a `response` object is
InvalidLambdaResponseException `"Unrecognizable lambda output"` [obs]; an ARN no local function
answers is UnexpectedLambdaException naming the ARN and how to map it. Cognito's 5-second timeout and
retries are not emulated (a local function runs to completion once).
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.from_thread

from asl.lambdas import LambdaContext, function_name
from cognito_tasks.errors import (
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from cognito_tasks.model import UserPool

#: The LambdaConfig members this module runs (PreTokenGenerationConfig is read as PreTokenGeneration).
TRIGGERS = (
    "PreSignUp",
    "CustomMessage",
    "PostConfirmation",
    "PreAuthentication",
    "PostAuthentication",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
    "PreTokenGeneration",
    "UserMigration",
)
#: What `callerContext.clientId` says when no app client is involved (admin actions) [doc].
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"
SDK_VERSION = "aws-sdk-unknown-unknown"
_TIMEOUT = 5.0

Resolver = Callable[[str], Callable[..., Any] | None]


def by_name(functions: dict[str, Callable[..., Any]]) -> Resolver:
    """A resolver finding a trigger's function by the function name in its ARN (as Task states do)."""
    return lambda arn: functions.get(function_name(arn))


def arn(pool: UserPool, trigger: str) -> str | None:
    """The function ARN configured for `trigger`, or None."""
    if trigger == "PreTokenGeneration":
        config = pool.lambda_config.get("PreTokenGenerationConfig")
        if isinstance(config, dict) and config.get("LambdaArn"):
            return str(config["LambdaArn"])
    value = pool.lambda_config.get(trigger)
    return str(value) if value else None


def token_version(pool: UserPool) -> str:
    """The pre token generation event version: "1" (V1_0, the default) or "2" (V2_0 and V3_0)."""
    config = pool.lambda_config.get("PreTokenGenerationConfig")
    if isinstance(config, dict) and config.get("LambdaVersion") in ("V2_0", "V3_0"):
        return "2"
    return "1"


async def _wait(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _in_own_loop(awaitable: Awaitable[Any]) -> Any:
    """Run `awaitable` to completion on a fresh event loop in a helper thread, and wait for it."""
    outcome: dict[str, Any] = {}

    def body() -> None:
        try:
            outcome["value"] = anyio.run(_wait, awaitable)
        except BaseException as exc:  # handed back to the caller's thread below
            outcome["error"] = exc

    helper = threading.Thread(target=body, name="cognito-trigger")
    helper.start()
    helper.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _settle(result: Any) -> Any:
    """The value of a trigger function's result; an `async def` function's is awaited.

    Like a Lambda invocation, the trigger runs to completion before the action goes on: on an
    AnyIO worker thread it is awaited on the caller's event loop; on a thread running an event
    loop (a Task handler) it runs on its own loop in a helper thread, so the workflow's other
    branches see the same order of events on every run.
    """
    if not inspect.isawaitable(result):
        return result
    try:
        return anyio.from_thread.run(_wait, result)
    except RuntimeError:
        pass
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return anyio.run(_wait, result)
    return _in_own_loop(result)


def invoke(
    directory: Any,
    pool: UserPool,
    trigger: str,
    source: str,
    username: str,
    request: dict[str, Any],
    *,
    client_id: str | None = None,
    response: dict[str, Any] | None = None,
    version: str = "1",
) -> dict[str, Any] | None:
    """Run the pool's `trigger` (if configured) and return the `response` object it returned."""
    target = arn(pool, trigger)
    if target is None:
        return None
    function = directory.functions(target)
    if function is None:
        raise UnexpectedLambdaException(
            f"{trigger} trigger: no local function for {target}; map its function name "
            f'"{function_name(target)}" to "module:function" in the [handlers] table of asl.toml '
            "(or --handler NAME=module:function)"
        )
    event = {
        "version": version,
        "triggerSource": source,
        "region": pool.id.split("_", 1)[0],
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id or NO_CLIENT},
        "request": copy.deepcopy(request),
        "response": dict(response or {}),
    }
    name = function_name(target)
    context = LambdaContext(name, target, str(uuid.uuid4()), time.monotonic() + _TIMEOUT)
    try:
        result = _settle(function(event, context))
    except (UnexpectedLambdaException, InvalidLambdaResponseException):
        raise
    except Exception as exc:
        raise UserLambdaValidationException(f"{trigger} failed with error {exc}.") from exc
    try:
        result = json.loads(json.dumps(result))
    except (TypeError, ValueError):
        raise InvalidLambdaResponseException("Unrecognizable lambda output") from None
    if not isinstance(result, dict) or not isinstance(result.get("response"), dict):
        raise InvalidLambdaResponseException("Unrecognizable lambda output")
    out: dict[str, Any] = result["response"]
    return out


def flag(response: dict[str, Any] | None, name: str) -> bool:
    """A boolean the function set in its response (absent or null is false; anything else is refused)."""
    value = (response or {}).get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidLambdaResponseException(f"Invalid lambda response: {name} must be a boolean")
    return value


def user_attributes(attributes: dict[str, str], status: str | None = None) -> dict[str, str]:
    """`request.userAttributes` as Cognito sends it (with `cognito:user_status` when known)."""
    out = dict(attributes)
    if status is not None:
        out["cognito:user_status"] = status
    return out
