"""TestState's request: the API's fields read and checked, JSON strings parsed (or values given as such)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asl import jsonvalue
from asl.errors import AslError

FIELDS = frozenset(
    {
        "definition",
        "roleArn",
        "input",
        "inspectionLevel",
        "revealSecrets",
        "variables",
        "stateName",
        "mock",
        "context",
        "stateConfiguration",
    }
)
LEVELS = ("INFO", "DEBUG", "TRACE")
UNSET: Any = object()


class TestStateError(AslError):
    """A request AWS would refuse: `code` is the AWS error (ValidationException, InvalidDefinition...)."""

    __test__ = False  # not a pytest test class

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Request:
    """A checked TestState request."""

    definition: dict[str, Any]
    input: Any
    input_text: str
    state_name: str | None = None
    inspection_level: str = "INFO"
    reveal_secrets: bool = False
    variables: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    mock_result: Any = UNSET
    mock_error: tuple[str, str] | None = None
    field_validation: str = "STRICT"
    retrier_retry_count: int = 0
    error_caused_by_state: str | None = None

    @property
    def mocked(self) -> bool:
        """True when the request mocks the state's result or error."""
        return self.mock_result is not UNSET or self.mock_error is not None


def _json(request: Mapping[str, Any], key: str, default: Any, what: str) -> tuple[Any, str]:
    """A field AWS takes as a JSON string; a Python caller may give the value itself."""
    if key not in request or request[key] is None:
        return default, json.dumps(default, separators=(",", ":"))
    value = request[key]
    code = "InvalidExecutionInput" if key == "input" else "ValidationException"
    if not isinstance(value, str):
        problem = jsonvalue.value_problem(value)
        if problem is not None:
            raise TestStateError(code, f"{what} is not valid JSON: {problem}")
        return value, json.dumps(value, separators=(",", ":"))
    try:
        return jsonvalue.loads(value), value
    except json.JSONDecodeError as exc:
        raise TestStateError(
            code, f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except jsonvalue.JsonValueError as exc:
        raise TestStateError(code, f"{what} is not valid JSON: {exc}") from None


def parse_request(request: Mapping[str, Any]) -> Request:
    """Check a TestState request the way AWS does; raise `TestStateError` naming the field."""
    unknown = sorted(set(request) - FIELDS)
    if unknown:
        raise TestStateError("ValidationException", f"Unknown request field(s): {', '.join(unknown)}")
    if not request.get("definition"):
        raise TestStateError("ValidationException", "The 'definition' field is required")
    definition, _ = _json(request, "definition", None, "The definition")
    if not isinstance(definition, dict):
        raise TestStateError(
            "InvalidDefinition", "The definition must be a JSON object: a state or a state machine"
        )
    value, text = _json(request, "input", {}, "The input")
    variables, _ = _json(request, "variables", {}, "The variables")
    context, _ = _json(request, "context", {}, "The context")
    for name, item in (("variables", variables), ("context", context)):
        if not isinstance(item, dict):
            raise TestStateError("ValidationException", f"'{name}' must be a JSON object")
    level = request.get("inspectionLevel") or "INFO"
    if level not in LEVELS:
        raise TestStateError(
            "ValidationException", f"inspectionLevel must be one of INFO, DEBUG, TRACE, got {level!r}"
        )
    state_name = request.get("stateName")
    if state_name is not None and not isinstance(state_name, str):
        raise TestStateError("ValidationException", "stateName must be a string")
    options: dict[str, Any] = {}
    mock = request.get("mock")
    if mock is not None:
        options.update(_mock(mock))
    configuration = request.get("stateConfiguration") or {}
    options.update(_configuration(configuration))
    return Request(
        definition,
        value,
        text,
        state_name=state_name,
        inspection_level=level,
        reveal_secrets=bool(request.get("revealSecrets", False)),
        variables=variables,
        context=context,
        **options,
    )


def _mock(mock: Any) -> dict[str, Any]:
    if not isinstance(mock, Mapping) or not set(mock) <= {"result", "errorOutput", "fieldValidationMode"}:
        raise TestStateError(
            "ValidationException",
            "mock must be an object with 'result' or 'errorOutput' (and 'fieldValidationMode')",
        )
    if ("result" in mock) == ("errorOutput" in mock):
        raise TestStateError("ValidationException", "mock takes exactly one of 'result' and 'errorOutput'")
    mode = mock.get("fieldValidationMode") or "STRICT"
    if mode not in ("STRICT", "PRESENT", "NONE"):
        raise TestStateError(
            "ValidationException", f"fieldValidationMode must be STRICT, PRESENT or NONE, got {mode!r}"
        )
    if "result" in mock:
        result, _ = _json(mock, "result", None, "The mock result")
        return {"mock_result": result, "field_validation": mode}
    error = mock["errorOutput"]
    if not isinstance(error, Mapping) or not isinstance(error.get("error", ""), str):
        raise TestStateError(
            "ValidationException", 'mock.errorOutput must be {"error": "...", "cause": "..."}'
        )
    return {
        "mock_error": (str(error.get("error", "")), str(error.get("cause", ""))),
        "field_validation": mode,
    }


def _configuration(configuration: Any) -> dict[str, Any]:
    if not isinstance(configuration, Mapping):
        raise TestStateError("ValidationException", "stateConfiguration must be an object")
    unsupported = sorted(set(configuration) & {"mapIterationFailureCount", "mapItemReaderData"})
    if unsupported:
        raise TestStateError(
            "ValidationException",
            f"stateConfiguration.{unsupported[0]} is not supported locally; mock the Map state's result or error instead",
        )
    unknown = sorted(set(configuration) - {"retrierRetryCount", "errorCausedByState"})
    if unknown:
        raise TestStateError(
            "ValidationException", f"Unknown stateConfiguration field(s): {', '.join(unknown)}"
        )
    count = configuration.get("retrierRetryCount", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise TestStateError("ValidationException", "retrierRetryCount must be a non-negative integer")
    caused = configuration.get("errorCausedByState")
    return {"retrier_retry_count": count, "error_caused_by_state": caused}
