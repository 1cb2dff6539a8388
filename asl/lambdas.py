"""Local Lambda functions: ordinary `handler(event, context)` Python functions behind Lambda ARNs.

Two ways a workflow calls Lambda, both served here:
- `arn:aws:lambda:<region>:<account>:function:<name>`: the result is the function's return value;
- `arn:aws:states:::lambda:invoke` with `FunctionName` and `Payload`: the result is wrapped as AWS
  wraps it (`Payload`, `StatusCode`, `ExecutedVersion`, `SdkHttpMetadata`, `SdkResponseMetadata`).
A function that raises fails the task as AWS reports a Lambda error: the error is the exception's
type name and the cause is the JSON `{"errorMessage", "errorType", "requestId", "stackTrace"}`.
Synchronous functions are called directly on the event loop (deterministic, like one Lambda
instance); async functions are awaited.
"""

from __future__ import annotations

import inspect
import json
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asl.errors import StatesError, StatesRuntime, TaskFailed
from asl.resources import Handler, TaskContext

LambdaFunction = Callable[[Any, Any], Any]
INVOKE_ARN = "arn:aws:states:::lambda:invoke"


@dataclass
class LambdaContext:
    """The `context` a Lambda function receives, with the attributes Python Lambda code uses."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    deadline: float
    function_version: str = "$LATEST"
    memory_limit_in_mb: str = "128"

    @property
    def log_group_name(self) -> str:
        """The function's log group name, as on AWS."""
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        """A log stream name shaped like AWS's."""
        return f"{time.strftime('%Y/%m/%d')}/[$LATEST]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the task's timeout (Lambda's 15-minute maximum when none is set)."""
        return max(int((self.deadline - time.monotonic()) * 1000), 0)


def function_name(reference: str) -> str:
    """The function name in a name, a full or partial ARN, with or without a version or alias."""
    parts = reference.split(":")
    if "function" in parts:
        return parts[parts.index("function") + 1]
    return parts[0]


def lambda_error(exc: BaseException, request_id: str) -> TaskFailed:
    """The task failure AWS reports for a Lambda function that raised `exc`."""
    error_type = getattr(exc, "error_type", None) or type(exc).__name__  # a command reports its own
    stack = getattr(exc, "stack_trace", None)
    if stack is None:
        stack = [line.rstrip("\n") for line in traceback.format_tb(exc.__traceback__)]
    cause = {"errorMessage": str(exc), "errorType": error_type, "requestId": request_id, "stackTrace": stack}
    return TaskFailed(error_type, json.dumps(cause))


async def invoke(
    function: LambdaFunction, name: str, arn: str, event: Any, ctx: TaskContext
) -> tuple[Any, str]:
    """Call `function` as Lambda would; return (its result, the request id)."""
    request_id = ctx.request_id()
    seconds = ctx.timeout_seconds if ctx.timeout_seconds is not None else 900
    context = LambdaContext(name, arn, request_id, time.monotonic() + seconds)
    try:
        result = function(event, context)
        if inspect.isawaitable(result):
            result = await result
    except StatesError:
        raise  # already an ASL error (a timeout, or what a Lambda endpoint reported)
    except Exception as exc:
        raise lambda_error(exc, request_id) from exc
    try:
        json.dumps(result)
    except (TypeError, ValueError):
        raise TaskFailed(
            "Runtime.MarshalError",
            f"Unable to marshal response: {type(result).__name__} is not JSON serializable",
        ) from None
    return result, request_id


def function_handler(function: LambdaFunction, name: str, arn: str) -> Handler:
    """A registry handler for a Lambda function ARN resource."""

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        result, _ = await invoke(function, name, arn, payload, ctx)
        return result

    return handler


def invoke_handler(
    functions: dict[str, LambdaFunction],
    region: str,
    account: str,
    fallback: Callable[[str], LambdaFunction | None] | None = None,
) -> Handler:
    """The registry handler for `arn:aws:states:::lambda:invoke`, dispatching on FunctionName.

    `fallback(name)` serves functions that `functions` lacks (a Lambda-API endpoint).
    """

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        if not isinstance(payload, dict) or not isinstance(payload.get("FunctionName"), str):
            raise StatesRuntime("lambda:invoke needs a 'FunctionName' string in Parameters (or Arguments)")
        name = function_name(payload["FunctionName"])
        function = functions.get(name)
        if function is None and fallback is not None:
            function = fallback(name)
        if function is None:
            raise TaskFailed(
                "Lambda.ResourceNotFoundException",
                f"Function not found: arn:aws:lambda:{region}:{account}:function:{name} "
                "(map it to a local handler in asl.toml [handlers] or with --handler)",
            )
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        result, request_id = await invoke(function, name, arn, payload.get("Payload"), ctx)
        return {
            "ExecutedVersion": "$LATEST",
            "Payload": result,
            "SdkHttpMetadata": {
                "HttpHeaders": {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": request_id},
                "HttpStatusCode": 200,
            },
            "SdkResponseMetadata": {"RequestId": request_id},
            "StatusCode": 200,
        }

    return handler
