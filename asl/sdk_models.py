"""AWS API models (from botocore's data files) for `arn:aws:states:::aws-sdk:<service>:<action>` tasks.

Step Functions names SDK services by the SDK's lowercase service id without spaces
(`cognitoidentityprovider`), while botocore files them under their endpoint prefix
(`cognito-idp`). This module bridges the two and answers "which request members does this
action take", lazily and with caching, so nothing is loaded unless a check needs it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
def _services() -> dict[str, str]:
    """The shipped table of Step Functions service names -> botocore names (tools/gen_sdk_services.py)."""
    text = (Path(__file__).parent / "sdk_services.json").read_text(encoding="utf-8")
    table: dict[str, str] = json.loads(text)
    return table


def botocore_name(sfn_service: str) -> str | None:
    """The botocore service name for a Step Functions SDK service name, or None if unknown."""
    return _services().get(sfn_service.lower().replace("-", ""))


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


def actions(sfn_service: str) -> list[str]:
    """Every action of an SDK service as Step Functions spells it (camelCase), or [] if the service is unknown."""
    name = botocore_name(sfn_service)
    if name is None:
        return []
    return sorted(op[:1].lower() + op[1:] for op in _model(name)["operations"])
