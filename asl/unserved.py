"""Task states that nothing serves locally: a warning before the run, AWS's failure if one is reached.

A test that mocks one path should not have to mock the others. So a Task whose resource has no
handler, mock or local state machine does not stop the execution from starting (unless strict mode
asks for that); only if the execution reaches it does the task fail, with the error AWS gives for a
resource that does not exist: `<Service>.ResourceNotFoundException` (AWS SDK integrations name their
errors `ServiceName.ErrorName`, "AWS SDK service integrations" in the Step Functions Developer
Guide), e.g. `Lambda.ResourceNotFoundException` "Function not found: <arn> ..." for a Lambda function,
as Step Functions Local reports it. The failure is an ordinary task failure: Retry and Catch see it.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

from asl.errors import TaskFailed
from asl.resources import ResourceArn, TaskContext

#: Step Functions' error prefix for the optimized integrations (`arn:aws:states:::<service>:<action>`).
_PREFIXES = {
    "lambda": "Lambda",
    "states": "StepFunctions",
    "sns": "SNS",
    "sqs": "SQS",
    "dynamodb": "DynamoDB",
    "events": "EventBridge",
    "ecs": "ECS",
    "eks": "EKS",
    "glue": "Glue",
    "batch": "Batch",
    "sagemaker": "SageMaker",
    "apigateway": "ApiGateway",
    "codebuild": "CodeBuild",
    "athena": "Athena",
    "emr": "EMR",
    "bedrock": "Bedrock",
}


class UnservedResourceWarning(UserWarning):
    """Some Task states have no local handler; the execution fails only if it reaches one of them."""


def describe(missing: list[tuple[str, str]], hint: str) -> str:
    """The warning text: which states, which resources, and how to serve them."""
    states = ", ".join(f"{state!r} ({arn})" for state, arn in missing)
    return (
        f"nothing serves these Task states locally: {states}. An execution that reaches one fails with "
        f"<Service>.ResourceNotFoundException, as on AWS; {hint}"
    )


def warn(missing: list[tuple[str, str]], hint: str) -> None:
    """Warn (UnservedResourceWarning) about Task states nothing serves, at the caller's line outside asl."""
    package = str(Path(__file__).parent)
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(package):
        level, frame = level + 1, frame.f_back  # type: ignore[assignment]
    warnings.warn(describe(missing, hint), UnservedResourceWarning, stacklevel=level)


def error_name(arn: ResourceArn) -> str:
    """`<Service>.ResourceNotFoundException` for the service behind `arn`."""
    if arn.is_lambda or arn.action == "lambda:invoke":
        return "Lambda.ResourceNotFoundException"
    if arn.sdk_service:
        from asl.sdk_models import operation

        found = operation(arn.sdk_service, arn.action.rsplit(":", 1)[-1])
        prefix = (
            found.error_prefix if found is not None else arn.sdk_service[:1].upper() + arn.sdk_service[1:]
        )
        return f"{prefix}.ResourceNotFoundException"
    service = arn.action.split(":", 1)[0] if arn.is_service_integration else arn.service
    prefix = _PREFIXES.get(service, service[:1].upper() + service[1:])
    return f"{prefix}.ResourceNotFoundException"


#: How to serve a resource, said to users of the Python API (the CLI says it in its own terms).
PYTHON_HINT = "register a handler (TaskRegistry.register(arn, handler)) or mock the state (StateMachine(mocks={state: handler}))"


def stand_in(arn: ResourceArn, hint: str) -> Any:
    """The handler of a Task nothing serves: it fails as AWS fails a call to a resource that does not exist."""

    async def handler(payload: Any, ctx: TaskContext) -> Any:
        if arn.is_lambda or arn.action == "lambda:invoke":
            named = payload.get("FunctionName") if isinstance(payload, dict) else None
            function = arn.raw if arn.is_lambda or not isinstance(named, str) else named
            cause = (
                f"Function not found: {function} "
                "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException)"
            )
        else:
            cause = f"Resource not found: {arn.raw}"
        raise TaskFailed(error_name(arn), f"{cause}. asl-runner: nothing serves it locally; {hint}")

    return handler
