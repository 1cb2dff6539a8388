"""AWS API models (from botocore's data files) for `arn:aws:states:::aws-sdk:<service>:<action>` tasks.

Step Functions names SDK services by the SDK's lowercase service id without spaces
(`cognitoidentityprovider`), while botocore files them under their endpoint prefix
(`cognito-idp`). This module bridges the two and answers "which request members does this
action take", lazily and with caching, so nothing is loaded unless a check needs it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

#: Step Functions service names whose botocore name is not found by the generic rule.
_KNOWN = {
    "cognitoidentityprovider": "cognito-idp",
    "cognitoidentity": "cognito-identity",
    "sfn": "stepfunctions",
    "dynamodb": "dynamodb",
    "lambda": "lambda",
    "s3": "s3",
    "sqs": "sqs",
    "sns": "sns",
}


@dataclass(frozen=True, slots=True)
class Operation:
    """One API action: its PascalCase name, request members and the required ones."""

    service: str
    name: str
    members: frozenset[str]
    required: frozenset[str]
    error_prefix: str


def _loader() -> Any:
    import botocore.session

    return botocore.session.get_session().get_component("data_loader")


@functools.cache
def botocore_name(sfn_service: str) -> str | None:
    """The botocore service name for a Step Functions SDK service name, or None if unknown."""
    if sfn_service in _KNOWN:
        return _KNOWN[sfn_service]
    loader = _loader()
    for name in loader.list_available_services("service-2"):
        if name.replace("-", "") == sfn_service:
            return str(name)
    for name in loader.list_available_services("service-2"):
        model = _model(name)
        if model["metadata"].get("serviceId", "").lower().replace(" ", "") == sfn_service:
            return str(name)
    return None


@functools.cache
def _model(botocore_service: str) -> Any:
    return _loader().load_service_model(botocore_service, "service-2")


def operation(sfn_service: str, action: str) -> Operation | None:
    """The operation behind `aws-sdk:<sfn_service>:<action>` (action in camelCase), or None."""
    name = botocore_name(sfn_service)
    if name is None:
        return None
    model = _model(name)
    op_name = action[:1].upper() + action[1:]
    op = model["operations"].get(op_name)
    if op is None:
        return None
    members: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    if "input" in op:
        shape = model["shapes"][op["input"]["shape"]]
        members = frozenset(shape.get("members", {}))
        required = frozenset(shape.get("required", []))
    prefix = model["metadata"].get("serviceId", sfn_service).replace(" ", "")
    return Operation(sfn_service, op_name, members, required, prefix)
