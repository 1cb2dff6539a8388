"""Mocked task results checked against the service's API model (botocore's output shape).

AWS's TestState checks a mocked result in one of three field-validation modes (MockInput's
`fieldValidationMode`, STRICT by default): STRICT, every required field is present and every
present field conforms to the API's schema; PRESENT, every present field conforms; NONE, no check.
Its messages are kept word for word (`Mock result schema validation error: Field 'Entries' must be an
array`). Step Functions names result fields in PascalCase (`ExecutionArn` for startExecution's
`executionArn`). A field the API does not have is accepted by AWS; we report it too, as a
`MockFieldWarning` with the nearest real name (`{"Itme": ...}` from dynamodb:getItem: did you mean
'Item'?), since it is almost always a typo.

Checked: aws-sdk integrations and the request-response optimized integrations of services
botocore models. Not checked (the result has no API shape): Lambda function ARNs and activities,
`.sync` and `.waitForTaskToken` results, HTTP Tasks and services botocore does not know.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from typing import Any

from asl.resources import ResourceArn

MODES = ("STRICT", "PRESENT", "NONE")
PREFIX = "Mock result schema validation error: "

#: Optimized integrations (arn:aws:states:::<service>:<action>) -> botocore service name.
_OPTIMIZED = {
    "lambda": "lambda",
    "dynamodb": "dynamodb",
    "sns": "sns",
    "sqs": "sqs",
    "events": "events",
    "states": "stepfunctions",
    "ecs": "ecs",
    "batch": "batch",
    "glue": "glue",
    "athena": "athena",
    "codebuild": "codebuild",
    "sagemaker": "sagemaker",
    "eks": "eks",
    "elasticmapreduce": "emr",
    "emr-containers": "emr-containers",
    "emr-serverless": "emr-serverless",
    "bedrock": "bedrock-runtime",
    "mediaconvert": "mediaconvert",
    "databrew": "databrew",
}
#: Fields Step Functions adds to optimized integrations' results (not in the API model).
_ADDED = frozenset({"SdkHttpMetadata", "SdkResponseMetadata"})


class MockFieldWarning(UserWarning):
    """A mocked result has a field the service's API does not return (AWS accepts it; it is likely a typo)."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding: an AWS validation error (`error`) or our unknown-field warning; `at` is a JSONPath."""

    message: str
    at: str
    error: bool = True

    def describe(self) -> str:
        """The message with where it is."""
        return f"{self.message} (at {self.at})"


def output_shape(arn: ResourceArn) -> Any:
    """The botocore output shape of the integration behind `arn`, or None when it has none to check."""
    if not arn.is_service_integration or arn.pattern:
        return None
    integration, _, action = arn.action.rpartition(":")
    if arn.sdk_service:
        from asl.sdk_models import botocore_name

        service = botocore_name(arn.sdk_service)
    else:
        service = _OPTIMIZED.get(integration)
    if service is None:
        return None
    model = _service_model(service)
    if model is None:
        return None
    operation = action[:1].upper() + action[1:]
    if operation not in model.operation_names:
        return None
    return model.operation_model(operation).output_shape


@functools.cache
def _service_model(service: str) -> Any:
    import botocore.exceptions
    import botocore.session

    try:
        return botocore.session.get_session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError:
        return None


def check(arn: ResourceArn, result: Any, mode: str = "STRICT") -> list[Issue]:
    """What is wrong with `result` as the result of `arn` (empty when it conforms or cannot be checked)."""
    if mode not in MODES:
        raise ValueError(f"fieldValidationMode must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "NONE":
        return []
    shape = output_shape(arn)
    if shape is None:
        return []
    issues: list[Issue] = []
    optimized = not arn.sdk_service
    _value(shape, result, "$", "", mode == "STRICT", issues, optimized, top=True)
    return issues


def _member(name: str) -> str:
    return name[:1].upper() + name[1:]


def _field(issues: list[Issue], name: str, at: str, what: str) -> None:
    issues.append(Issue(f"{PREFIX}Field '{name}' {what}", at))


def _value(
    shape: Any,
    value: Any,
    at: str,
    name: str,
    strict: bool,
    issues: list[Issue],
    optimized: bool,
    top: bool = False,
) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            if top:
                issues.append(Issue(f"{PREFIX}The mocked result must be a JSON object", at))
            else:
                _field(issues, name, at, "must be an object")
            return
        members = {_member(m): s for m, s in shape.members.items()}
        if strict:
            for required in shape.required_members:
                if _member(required) not in value:
                    issues.append(Issue(f"{PREFIX}Required field '{_member(required)}' is missing", at))
        for key, item in value.items():
            member = members.get(key)
            if member is None:
                if not (top and optimized and key in _ADDED):
                    close = difflib.get_close_matches(key, list(members), n=1)
                    hint = (
                        f"; did you mean '{close[0]}'?"
                        if close
                        else f"; it has {', '.join(members) or 'no fields'}"
                    )
                    issues.append(
                        Issue(f"Field '{key}' is not part of the API's result{hint}", f"{at}.{key}", False)
                    )
                continue
            if top and optimized and key == "Payload" and member.type_name == "blob":
                continue  # lambda:invoke returns the function's JSON result here, parsed
            _value(member, item, f"{at}.{key}", key, strict, issues, optimized)
    elif kind == "list":
        if not isinstance(value, list):
            _field(issues, name, at, "must be an array")
            return
        for index, item in enumerate(value):
            _value(shape.member, item, f"{at}[{index}]", name, strict, issues, optimized)
    elif kind == "map":
        if not isinstance(value, dict):
            _field(issues, name, at, "must be an object")
            return
        for key, item in value.items():
            _value(shape.value, item, f"{at}.{key}", key, strict, issues, optimized)
    elif kind in ("string", "blob", "timestamp"):
        _string(shape, value, at, name, issues)
    elif kind in ("integer", "long", "float", "double"):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (kind in ("integer", "long") and value != int(value))
        ):
            _field(issues, name, at, "must be a number")
            return
        limits = shape.metadata
        if "min" in limits and value < limits["min"]:
            _field(issues, name, at, "is less than the minimum value")
        elif "max" in limits and value > limits["max"]:
            _field(issues, name, at, "exceeds the maximum value")
    elif kind == "boolean" and not isinstance(value, bool):
        _field(issues, name, at, "must be a boolean")


def _string(shape: Any, value: Any, at: str, name: str, issues: list[Issue]) -> None:
    if not isinstance(value, str):
        _field(issues, name, at, "must be a string")
        return
    enum = getattr(shape, "enum", None)
    if enum and value not in enum:
        _field(issues, name, at, "is not an expected value")
    elif shape.type_name != "timestamp" and "min" in shape.metadata and len(value) < shape.metadata["min"]:
        _field(issues, name, at, "is smaller than the minimum length")


def check_answers(
    tasks: dict[str, ResourceArn], answers: dict[str, list[tuple[str, Any]]], mode: str, where: str
) -> list[str]:
    """Check mocked results by state (`{state: [(label, result), ...]}`) against each state's resource.

    Returns the errors (each naming where, the state and the answer); warns `MockFieldWarning` for
    fields the API does not have.
    """
    import warnings

    errors = []
    for state, results in answers.items():
        arn = tasks.get(state)
        if arn is None:
            continue
        for label, result in results:
            for issue in check(arn, result, mode):
                text = f"{where}: {label} for state {state!r} ({arn.raw}): {issue.describe()}"
                if issue.error:
                    errors.append(text)
                else:
                    warnings.warn(text, MockFieldWarning, stacklevel=2)
    return errors


def task_resources(machine: Any) -> dict[str, ResourceArn]:
    """The resource of every Task state of a loaded StateMachine, by state name."""
    from asl.model import TaskState, iter_states

    return {s.name: s.resource for s in iter_states(machine.definition.machine) if isinstance(s, TaskState)}
