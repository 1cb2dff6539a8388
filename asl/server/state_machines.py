"""State machine actions: Create, Describe, List, Update, Delete, ValidateStateMachineDefinition."""

from __future__ import annotations

import json
import uuid
from typing import Any

from asl.server import interpreter
from asl.server.arns import check_name, invalid_arn, read_execution, read_machine, read_tags
from asl.server.backend import Backend
from asl.server.errors import ServiceError
from asl.server.paging import fetch_page, page_size
from asl.store import executions as exec_sql
from asl.store import machines as sql

Request = dict[str, Any]
DEFAULT_LOGGING = {"level": "OFF", "includeExecutionData": False}
DEFAULT_TRACING = {"enabled": False}
#: Express workflows cannot wait: AWS refuses these integration patterns in them.
_EXPRESS_REFUSES = {"sync": "'.sync'", "sync:2": "'.sync'", "waitForTaskToken": "'.waitForTaskToken'"}


def invalid_definition(problems: list[tuple[str, str, str]]) -> ServiceError:
    """AWS's InvalidDefinition: `'CODE: message at /pointer, ...'`."""
    parts = [f"{code}: {message} at {pointer or '/'}" for code, message, pointer in problems]
    return ServiceError("InvalidDefinition", f"Invalid State Machine Definition: '{', '.join(parts)}'")


def check_definition(backend: Backend, text: str, machine_type: str) -> None:
    """Refuse what AWS refuses to create: validator errors, then what the loader cannot compile."""
    errors = [d for d in interpreter.diagnostics(text) if d.is_error]
    if errors:
        raise invalid_definition([(d.aws_code, d.aws_message, d.location or "") for d in errors])
    try:
        definition = backend.compile(text)
    except interpreter.DefinitionError as exc:
        raise invalid_definition([(p.code, p.message, p.pointer) for p in exc.problems]) from None
    if machine_type == "EXPRESS":
        from asl.model import TaskState, iter_states

        refused = [
            (
                "SCHEMA_VALIDATION_FAILED",
                f"Express state machine does not support {_EXPRESS_REFUSES[s.resource.pattern]} service integration",
                f"/States/{s.name}/Resource",
            )
            for s in iter_states(definition.machine)
            if isinstance(s, TaskState) and s.resource.pattern in _EXPRESS_REFUSES
        ]
        refused += [
            (
                "SCHEMA_VALIDATION_FAILED",
                "Express state machine does not support activities",
                f"/States/{s.name}/Resource",
            )
            for s in iter_states(definition.machine)
            if isinstance(s, TaskState) and s.resource.is_activity
        ]
        if refused:
            raise invalid_definition(refused)


def check_settings(request: Request) -> None:
    """Refuse settings whose effect this server does not emulate, rather than store and ignore them."""
    logging = request.get("loggingConfiguration") or {}
    if logging.get("level", "OFF") != "OFF" or logging.get("destinations"):
        raise ServiceError(
            "ValidationException",
            "asl serve does not send execution logs to CloudWatch Logs: loggingConfiguration.level must be "
            f"OFF (it is {logging.get('level', 'OFF')}) with no destinations; leave loggingConfiguration out locally",
        )
    if (request.get("tracingConfiguration") or {}).get("enabled"):
        raise ServiceError(
            "ValidationException",
            "asl serve does not emit X-Ray traces: tracingConfiguration.enabled must be false locally",
        )
    encryption = request.get("encryptionConfiguration") or {}
    if encryption.get("type", "AWS_OWNED_KEY") != "AWS_OWNED_KEY":
        raise ServiceError(
            "ValidationException",
            "asl serve does not use KMS: encryptionConfiguration.type must be AWS_OWNED_KEY locally",
        )


def check_publish(request: Request) -> None:
    """A version description needs `publish`, as AWS says."""
    if request.get("versionDescription") and not request.get("publish"):
        raise ServiceError("ValidationException", "Version description can only be set when publish is true")


def _role(request: Request) -> str:
    role = request.get("roleArn")
    if role is not None and not role.startswith("arn:"):
        raise invalid_arn(role, "Invalid ARN prefix")
    return str(role or "")


async def create_state_machine(backend: Backend, request: Request) -> dict[str, Any]:
    """CreateStateMachine (idempotent when everything matches, as AWS)."""
    name = request["name"]
    check_name(name)
    machine_type = request.get("type") or "STANDARD"
    check_settings(request)
    check_publish(request)
    text = request["definition"]
    check_definition(backend, text, machine_type)
    now = interpreter.now()
    row = {
        "arn": backend.where.machine(name),
        "name": name,
        "type": machine_type,
        "definition": text,
        "role_arn": _role(request),
        "logging": json.dumps(request.get("loggingConfiguration") or DEFAULT_LOGGING),
        "tracing": json.dumps(request.get("tracingConfiguration") or DEFAULT_TRACING),
        "revision_id": uuid.uuid4().hex,
        "created": now,
    }
    existing = await backend.db.run(sql.create_machine, row)
    if existing is not None:
        same = all(
            existing[key] == row[key] for key in ("type", "definition", "role_arn", "logging", "tracing")
        )
        if not same:
            raise ServiceError("StateMachineAlreadyExists", f"State Machine Already Exists: '{row['arn']}'")
        return {"stateMachineArn": existing["arn"], "creationDate": existing["created"]}
    tags = read_tags(request.get("tags"))
    if tags:
        await backend.db.run(sql.set_tags, row["arn"], tags)
    response: dict[str, Any] = {"stateMachineArn": row["arn"], "creationDate": now}
    if request.get("publish"):
        version = await backend.db.run(
            sql.publish_version, row["arn"], request.get("versionDescription") or "", now
        )
        response["stateMachineVersionArn"] = version["arn"]
    return response


async def get_machine(backend: Backend, arn: str) -> dict[str, Any]:
    """A state machine's row, or AWS's StateMachineDoesNotExist."""
    ref = read_machine(arn, backend.where, qualified=False)
    row = await backend.db.query(sql.get_machine, ref.arn)
    if row is None:
        raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    return row


def _described(row: dict[str, Any], arn: str, name: str) -> dict[str, Any]:
    return {
        "stateMachineArn": arn,
        "name": name,
        "status": "ACTIVE",
        "definition": row["definition"],
        "roleArn": row["role_arn"],
        "type": row["type"],
        "creationDate": row["created"],
        "loggingConfiguration": json.loads(row["logging"] or "null") or DEFAULT_LOGGING,
        "tracingConfiguration": json.loads(row["tracing"] or "null") or DEFAULT_TRACING,
        "revisionId": row["revision_id"],
        "description": row.get("description") or None,
    }


async def describe_state_machine(backend: Backend, request: Request) -> dict[str, Any]:
    """DescribeStateMachine, of a state machine or of one of its versions."""
    arn = request["stateMachineArn"]
    ref = read_machine(arn, backend.where)
    if ref.alias is not None:
        raise invalid_arn(arn, "DescribeStateMachine takes a state machine or version ARN, not an alias")
    if ref.version is not None:
        version = await backend.db.query(sql.get_version, arn)
        if version is None:
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        described = _described(version, arn, ref.name)
    else:
        row = await get_machine(backend, arn)
        described = _described(row, arn, row["name"])
    if request.get("includedData") == "METADATA_ONLY":
        described.pop("definition")
    return described


async def list_state_machines(backend: Backend, request: Request) -> dict[str, Any]:
    """ListStateMachines, in creation order."""
    shown, token = await fetch_page(backend.db, request, "machines", "seq", 0, sql.list_machines)
    return {
        "stateMachines": [
            {"stateMachineArn": r["arn"], "name": r["name"], "type": r["type"], "creationDate": r["created"]}
            for r in shown
        ],
        "nextToken": token,
    }


async def update_state_machine(backend: Backend, request: Request) -> dict[str, Any]:
    """UpdateStateMachine: a new revision; `publish` makes it a version too."""
    arn = request["stateMachineArn"]
    row = await get_machine(backend, arn)
    check_settings(request)
    check_publish(request)
    changes: dict[str, Any] = {}
    if "definition" in request:
        check_definition(backend, request["definition"], row["type"])
        changes["definition"] = request["definition"]
    if "roleArn" in request:
        changes["role_arn"] = _role(request)
    for key, column in (("loggingConfiguration", "logging"), ("tracingConfiguration", "tracing")):
        if key in request:
            changes[column] = json.dumps(request[key])
    if not changes and "encryptionConfiguration" not in request:
        raise ServiceError(
            "MissingRequiredParameter",
            "Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration "
            "or the TracingConfiguration must be specified",
        )
    now = interpreter.now()
    publish = (request.get("versionDescription") or "") if request.get("publish") else None
    revised = await backend.db.run(sql.revise_machine, row["arn"], changes, uuid.uuid4().hex, publish, now)
    if revised is None:
        raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    revision, version = revised
    response: dict[str, Any] = {"updateDate": now, "revisionId": revision}
    if version is not None:
        response["stateMachineVersionArn"] = version["arn"]
    return response


async def delete_state_machine(backend: Backend, request: Request) -> dict[str, Any]:
    """DeleteStateMachine (its versions and aliases go too; running executions finish)."""
    ref = read_machine(request["stateMachineArn"], backend.where)
    if ref.version is not None or ref.alias is not None:
        raise invalid_arn(
            request["stateMachineArn"], "DeleteStateMachine takes an unqualified state machine ARN"
        )
    await backend.db.run(sql.delete_machine, ref.arn)
    return {}


async def describe_state_machine_for_execution(backend: Backend, request: Request) -> dict[str, Any]:
    """DescribeStateMachineForExecution: the definition the execution runs, as it was when it started."""
    arn = request["executionArn"]
    read_execution(arn, backend.where)
    row = await backend.db.query(exec_sql.get_execution, arn)
    if row is None:
        raise ServiceError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
    machine = await backend.db.query(sql.get_machine, row["machine_arn"])
    return {
        "stateMachineArn": row["version_arn"] or row["machine_arn"],
        "name": arn.split(":")[6],
        "definition": row["definition"],
        "roleArn": row["role_arn"],
        "updateDate": (machine or {}).get("updated") or (machine or {}).get("created") or row["start_date"],
        "loggingConfiguration": json.loads((machine or {}).get("logging") or "null") or DEFAULT_LOGGING,
        "tracingConfiguration": json.loads((machine or {}).get("tracing") or "null") or DEFAULT_TRACING,
        "revisionId": row["revision_id"],
    }


async def validate_state_machine_definition(backend: Backend, request: Request) -> dict[str, Any]:
    """ValidateStateMachineDefinition: our validator's findings in AWS's codes, wording and locations."""
    threshold = request.get("severity") or "ERROR"
    limit = page_size(request)
    found = [
        d for d in interpreter.diagnostics(request["definition"]) if d.is_error or threshold == "WARNING"
    ]
    shown = found[:limit]
    return {
        "result": "FAIL" if any(d.is_error for d in found) else "OK",
        "diagnostics": [
            {"severity": d.severity, "code": d.aws_code, "message": d.aws_message, "location": d.location}
            for d in shown
        ],
        "truncated": len(found) > limit,
    }


async def put_configured(backend: Backend, name: str, path: Any) -> None:
    """Create (or bring up to date) a state machine that asl.toml's [state_machines] names."""
    from pathlib import Path

    if name.startswith("arn:"):
        name = name.rsplit(":", 1)[-1]
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ServiceError(
            "ValidationException", f"state_machines.{name}: cannot read {path}: {exc.strerror}"
        ) from None
    arn = backend.where.machine(name)
    existing = await backend.db.query(sql.get_machine, arn)
    if existing is None:
        await create_state_machine(backend, {"name": name, "definition": text})
    elif existing["definition"] != text:
        await update_state_machine(backend, {"stateMachineArn": arn, "definition": text})


ACTIONS = {
    "CreateStateMachine": create_state_machine,
    "DescribeStateMachine": describe_state_machine,
    "ListStateMachines": list_state_machines,
    "UpdateStateMachine": update_state_machine,
    "DeleteStateMachine": delete_state_machine,
    "DescribeStateMachineForExecution": describe_state_machine_for_execution,
    "ValidateStateMachineDefinition": validate_state_machine_definition,
}
