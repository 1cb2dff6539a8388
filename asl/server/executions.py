"""Execution actions: Start, StartSync, Describe, List, Stop, GetExecutionHistory, Redrive."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from asl import jsonvalue
from asl.server import interpreter
from asl.server.arns import check_name, read_execution, read_machine
from asl.server.backend import Backend
from asl.server.errors import ServiceError
from asl.server.paging import fetch_page, page, page_size, read_token
from asl.store import executions as sql
from asl.store import machines as machine_sql

Request = dict[str, Any]
#: AWS keeps a closed execution redrivable for 14 days.
REDRIVE_DAYS = 14
#: AWS's limit on how often one execution is redriven.
REDRIVE_LIMIT = 1000
_NOT_SUPPORTED = "This operation is not supported by this type of state machine"


_SURROGATE = re.compile("[\ud800-\udfff]")


def read_json(text: str, code: str, prefix: str) -> Any:
    """Parse JSON text as AWS does (strictly; no unpaired UTF-16 surrogates); else `code` saying why."""
    try:
        value = jsonvalue.loads(text)
        if _SURROGATE.search(interpreter.dumps(value)):
            raise jsonvalue.JsonValueError("a string holds an unpaired UTF-16 surrogate (\\ud800-\\udfff)")
    except json.JSONDecodeError as exc:
        raise ServiceError(code, f"{prefix}: '{exc.msg} at line {exc.lineno}, column {exc.colno}'") from None
    except jsonvalue.JsonValueError as exc:
        raise ServiceError(code, f"{prefix}: '{exc}'") from None
    return value


def read_input(request: Request) -> tuple[str, Any]:
    """The execution input's text and value; AWS's InvalidExecutionInput when it is not JSON."""
    text = request.get("input")
    if text is None:
        text = "{}"
    return text, read_json(text, "InvalidExecutionInput", "Invalid State Machine Execution Input")


async def start(
    backend: Backend, request: Request, sync: bool, parent_token: str | None = None
) -> dict[str, Any]:
    """Start an execution of the state machine (version, alias, `#TestCase`) the request names.

    `parent_token`: the `states:startExecution` task of another execution starting this one.
    """
    ref = read_machine(request["stateMachineArn"], backend.where, test_case=True)
    target = await backend.target(ref)
    if sync and target.type != "EXPRESS":
        raise ServiceError("StateMachineTypeNotSupported", _NOT_SUPPORTED)
    name = request.get("name") or str(uuid.uuid4())
    check_name(name)
    text, value = read_input(request)
    limit = backend.config.payload_limit
    if limit and len(text.encode("utf-8", "surrogatepass")) > limit:  # AWS's own limit is in the model
        raise ServiceError(
            "ValidationException",
            "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have "
            f"length less than or equal to {limit} (payload_limit in asl.toml)",
        )
    return await backend.runtime.start(target, name, text, value, request.get("traceHeader"), parent_token)


async def start_execution(backend: Backend, request: Request) -> dict[str, Any]:
    """StartExecution: durable before it answers; same name and input while running is the same execution."""
    row = await start(backend, request, sync=False)
    return {"executionArn": row["arn"], "startDate": row["start_date"]}


async def start_sync_execution(backend: Backend, request: Request) -> dict[str, Any]:
    """StartSyncExecution (EXPRESS only): run to the end and answer with the result."""
    row = await start(backend, request, sync=True)
    row = await backend.runtime.closed(row["arn"])
    described = _described(row)
    for key in (
        "stateMachineVersionArn",
        "stateMachineAliasArn",
        "redriveCount",
        "redriveStatus",
        "redriveStatusReason",
    ):
        described.pop(key, None)
    duration = int(((row["stop_date"] or row["start_date"]) - row["start_date"]) * 1000)
    described["billingDetails"] = {
        "billedMemoryUsedInMB": 64,
        "billedDurationInMilliseconds": max(duration, 100),
    }
    return described


async def get_execution(backend: Backend, arn: str) -> dict[str, Any]:
    """An execution's row, or AWS's ExecutionDoesNotExist."""
    read_execution(arn, backend.where)
    row = await backend.db.query(sql.get_execution, arn)
    if row is None:
        raise ServiceError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
    return row


def redrivable(row: dict[str, Any]) -> str | None:
    """Why AWS would refuse to redrive this execution, or None."""
    if row["type"] != "STANDARD":
        return "Execution of an EXPRESS state machine cannot be redriven"
    if row["status"] not in ("FAILED", "TIMED_OUT", "ABORTED"):
        return f"Execution is {row['status']} and cannot be redriven"
    if row["redrive_count"] >= REDRIVE_LIMIT:
        return f"Execution has been redriven {REDRIVE_LIMIT} times, the most AWS allows"
    if row["stop_date"] and interpreter.now() - row["stop_date"] > REDRIVE_DAYS * 86400:
        return f"Execution closed more than {REDRIVE_DAYS} days ago and cannot be redriven"
    return None


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    """An execution as ListExecutions shows it."""
    return {
        "executionArn": row["arn"],
        "stateMachineArn": row["machine_arn"],
        "name": row["name"],
        "status": row["status"],
        "startDate": row["start_date"],
        "stopDate": row["stop_date"],
        "stateMachineVersionArn": row["version_arn"],
        "stateMachineAliasArn": row["alias_arn"],
        "redriveCount": row["redrive_count"],
        "redriveDate": row["redrive_date"],
    }


def _described(row: dict[str, Any]) -> dict[str, Any]:
    reason = redrivable(row)
    described = _summary(row)
    described.update(
        {
            "input": row["input"],
            "inputDetails": {"included": True},
            "traceHeader": row["trace_header"],
            "error": row["error"],
            "cause": row["cause"],
            "redriveStatus": "NOT_REDRIVABLE" if reason else "REDRIVABLE",
            "redriveStatusReason": reason,
        }
    )
    if row["status"] == "SUCCEEDED":
        described["output"] = row["output"]
        described["outputDetails"] = {"included": True}
    return described


async def describe_execution(backend: Backend, request: Request) -> dict[str, Any]:
    """DescribeExecution."""
    return _described(await get_execution(backend, request["executionArn"]))


async def list_executions(backend: Backend, request: Request) -> dict[str, Any]:
    """ListExecutions of a state machine, version or alias, newest first, by status if asked."""
    if request.get("mapRunArn"):
        raise ServiceError(
            "ResourceNotFound", "asl serve does not keep Map Runs: list the executions of a state machine"
        )
    arn = request.get("stateMachineArn")
    if not arn:
        raise ServiceError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
    ref = read_machine(arn, backend.where)
    machine = await backend.db.query(machine_sql.get_machine, ref.arn)
    if machine is None:
        raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    if machine["type"] == "EXPRESS":
        raise ServiceError("StateMachineTypeNotSupported", _NOT_SUPPORTED)
    column = (
        "version_arn" if ref.version is not None else "alias_arn" if ref.alias is not None else "machine_arn"
    )
    status = request.get("statusFilter")
    redrive = request.get("redriveFilter")
    redriven = None if redrive is None else redrive == "REDRIVEN"
    shown, token = await fetch_page(
        backend.db,
        request,
        "executions",
        "seq",
        2**62,
        sql.list_executions,
        column,
        ref.qualified,
        status,
        redriven,
    )
    return {"executions": [_summary(row) for row in shown], "nextToken": token}


async def stop_execution(backend: Backend, request: Request) -> dict[str, Any]:
    """StopExecution: aborted, recorded and committed before it answers."""
    arn = request["executionArn"]
    row = await get_execution(backend, arn)
    if row["type"] == "EXPRESS":
        raise ServiceError("StateMachineTypeNotSupported", _NOT_SUPPORTED)
    stopped = await backend.runtime.stop(arn, request.get("error"), request.get("cause"))
    if stopped is None:
        row = await get_execution(backend, arn)
        stopped = row["stop_date"]
    return {"stopDate": stopped}


_DATA_KEYS = ("input", "output")


async def get_execution_history(backend: Backend, request: Request) -> dict[str, Any]:
    """GetExecutionHistory, paged, oldest first unless `reverseOrder`."""
    arn = request["executionArn"]
    await get_execution(backend, arn)
    size = page_size(request)
    reverse = bool(request.get("reverseOrder"))
    after = read_token(request, "events", 2**62 if reverse else 0)
    found = await backend.db.query(sql.events, arn, after, size + 1, reverse)
    shown, token = page(found, size, "events", "id")
    include = request.get("includeExecutionData", True) is not False
    events = []
    for event in shown:
        event.pop("lane", None)  # where the interpreter resumes from: not part of AWS's event
        event.pop("next", None)
        if not include:
            for key, details in event.items():
                if key.endswith("EventDetails") and isinstance(details, dict):
                    for data in _DATA_KEYS:
                        details.pop(data, None)
        events.append(event)
    return {"events": events, "nextToken": token}


async def redrive_execution(backend: Backend, request: Request) -> dict[str, Any]:
    """RedriveExecution where AWS allows it."""
    row = await get_execution(backend, request["executionArn"])
    reason = redrivable(row)
    if reason:
        raise ServiceError("ExecutionNotRedrivable", reason)
    redriven = await backend.runtime.redrive(row)
    if redriven is None:  # another RedriveExecution (or a change) came first
        row = await get_execution(backend, row["arn"])
        raise ServiceError("ExecutionNotRedrivable", redrivable(row) or "Execution is being redriven")
    return {"redriveDate": redriven}


ACTIONS = {
    "StartExecution": start_execution,
    "StartSyncExecution": start_sync_execution,
    "DescribeExecution": describe_execution,
    "ListExecutions": list_executions,
    "StopExecution": stop_execution,
    "GetExecutionHistory": get_execution_history,
    "RedriveExecution": redrive_execution,
}
