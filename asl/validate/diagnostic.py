"""The `Diagnostic` record and the catalogue of stable diagnostic codes.

Codes that AWS's ValidateStateMachineDefinition also reports keep AWS's name; the others are ours.
Each code has one severity, so a code alone tells whether it fails a run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from asl.errors import Problem

if TYPE_CHECKING:
    from asl.source import Source

Severity = Literal["ERROR", "WARNING"]

#: code -> (severity, what it means). The first block are AWS's codes.
CODES: dict[str, tuple[Severity, str]] = {
    "INVALID_JSON_DESCRIPTION": ("ERROR", "The file is not valid JSON."),
    "MISSING_DESCRIPTION": ("ERROR", "The definition is empty or null."),
    "SCHEMA_VALIDATION_FAILED": ("ERROR", "A field is unknown, missing, of the wrong type or out of range."),
    "INVALID_RESOURCE": (
        "ERROR",
        "A Task resource is not a valid ARN or names an integration that does not exist.",
    ),
    "MISSING_END_STATE": ("ERROR", "A state machine has no terminal state."),
    "DUPLICATE_STATE_NAME": ("ERROR", "The same state name appears more than once in the definition."),
    "INVALID_STATE_NAME": ("ERROR", "A state name is longer than 80 characters."),
    "DUPLICATE_LABEL_NAME": ("ERROR", "Two Map states use the same Label."),
    "INVALID_LABEL_NAME": ("ERROR", "A Map Label is too long or has a forbidden character."),
    "MISSING_TRANSITION_TARGET": (
        "ERROR",
        "StartAt, Next or Default names a state that does not exist, or no transition leads to a state.",
    ),
    "TOO_DEEPLY_NESTED": ("ERROR", "The definition is nested too deeply to check."),
    "NO_DOLLAR": (
        "WARNING",
        "A field value looks like a path or intrinsic but its name does not end in '.$'.",
    ),
    "NO_PATH": ("WARNING", "A field value looks like a path but the field's name does not end in 'Path'."),
    "PASS_RESULT_IS_STATIC": (
        "WARNING",
        "A Pass state's Result uses '.$' fields, which are never evaluated.",
    ),
    "NO_PATH_TO_END": (
        "WARNING",
        "From some states no path reaches a terminal state: the execution can never end.",
    ),
    "STATES_ALL_NOT_LAST": ("ERROR", "A retrier or catcher with States.ALL is not the last one."),
    "STATES_ALL_NOT_ALONE": ("ERROR", "States.ALL is listed with other error names."),
    "RESERVED_ERROR_NAME": ("ERROR", "An error name starts with 'States.' but is not a predefined error."),
    "HEARTBEAT_NOT_BELOW_TIMEOUT": ("ERROR", "HeartbeatSeconds is not smaller than TimeoutSeconds."),
    "INVALID_JSONPATH": ("ERROR", "A JSONPath, context path or variable path is not valid."),
    "INVALID_REFERENCE_PATH": ("ERROR", "A ResultPath or ItemsPath is not a reference path."),
    "WAIT_PAST_CALENDAR": (
        "WARNING",
        "A Wait's literal Timestamp, plus the longest literal Seconds in the definition, passes year 9999.",
    ),
    "INVALID_INTRINSIC": (
        "ERROR",
        "An intrinsic function call is malformed, unknown or has wrong arguments.",
    ),
    "INVALID_JSONATA": ("ERROR", "A JSONata expression is not valid."),
    "UNSUPPORTED_JSONATA": (
        "ERROR",
        "A JSONata expression reads what Step Functions does not provide: '$$', a field at the top level, "
        "or $states.result / $states.errorOutput where they do not exist.",
    ),
    "INVALID_PAYLOAD_TEMPLATE": (
        "ERROR",
        "A '.$' field has a non-string value or clashes with a field of the same name.",
    ),
    "INVALID_VARIABLE_NAME": ("ERROR", "An Assign key is not a valid variable name."),
    "JSONPATH_FIELD_IN_JSONATA_STATE": ("ERROR", "A JSONPath-only field is used in a JSONata state."),
    "JSONATA_FIELD_IN_JSONPATH_STATE": (
        "ERROR",
        "A JSONata-only field or expression is used in a JSONPath state.",
    ),
    "JSONPATH_STATE_IN_JSONATA_MACHINE": (
        "ERROR",
        "A state asks for JSONPath inside a JSONata state machine.",
    ),
    "UNASSIGNED_VARIABLE": ("WARNING", "A variable is read but no Assign in the definition sets it."),
    "UNKNOWN_SDK_SERVICE": (
        "WARNING",
        "An aws-sdk Task names a service this installation has no API model for.",
    ),
    "UNKNOWN_SDK_PARAMETER": ("ERROR", "An aws-sdk Task passes a parameter the API action does not take."),
    "MISSING_SDK_PARAMETER": (
        "WARNING",
        "An aws-sdk Task omits a parameter the API action requires (AWS refuses it only when the task runs).",
    ),
    "NO_LOCAL_HANDLER": (
        "WARNING",
        "No local handler serves a Task resource; it can only run on AWS or with a mock.",
    ),
    "NOT_ON_AWS": ("WARNING", "A resource in a non-AWS partition runs only locally."),
    "INVALID_S3_NAME": (
        "WARNING",
        "A literal S3 bucket name or object key breaks S3's naming rules; the state fails when it runs.",
    ),
    "UNREADABLE_FILE": ("ERROR", "The file cannot be read."),
    "DEFINITION_TOO_LARGE": (
        "ERROR",
        "The definition is larger than the 1,048,576 bytes AWS takes (CreateStateMachine refuses it).",
    ),
    "INTERNAL_ERROR": ("WARNING", "A check could not finish; please report it."),
}


#: The code ValidateStateMachineDefinition reports for each of our codes that is not one of AWS's own.
AWS_CODES: dict[str, str] = {
    "INVALID_JSONATA": "INVALID_JSONATA_EXPRESSION",
    "UNSUPPORTED_JSONATA": "UNSUPPORTED_JSONATA_EXPRESSION",
    "STATES_ALL_NOT_LAST": "SCHEMA_VALIDATION_FAILED",
    "STATES_ALL_NOT_ALONE": "SCHEMA_VALIDATION_FAILED",
    "RESERVED_ERROR_NAME": "SCHEMA_VALIDATION_FAILED",
    "HEARTBEAT_NOT_BELOW_TIMEOUT": "SCHEMA_VALIDATION_FAILED",
    "INVALID_JSONPATH": "SCHEMA_VALIDATION_FAILED",
    "INVALID_REFERENCE_PATH": "SCHEMA_VALIDATION_FAILED",
    "INVALID_INTRINSIC": "SCHEMA_VALIDATION_FAILED",
    "INVALID_PAYLOAD_TEMPLATE": "SCHEMA_VALIDATION_FAILED",
    "INVALID_VARIABLE_NAME": "SCHEMA_VALIDATION_FAILED",
    "JSONPATH_FIELD_IN_JSONATA_STATE": "SCHEMA_VALIDATION_FAILED",
    "JSONATA_FIELD_IN_JSONPATH_STATE": "SCHEMA_VALIDATION_FAILED",
    "JSONPATH_STATE_IN_JSONATA_MACHINE": "SCHEMA_VALIDATION_FAILED",
    "UNKNOWN_SDK_PARAMETER": "SCHEMA_VALIDATION_FAILED",
    "TOO_DEEPLY_NESTED": "INVALID_JSON_DESCRIPTION",
}


@dataclass(frozen=True, slots=True)
class Aws:
    """How ValidateStateMachineDefinition words a finding: its code, message, and where (a JSON pointer, or none)."""

    code: str
    message: str
    pointer: str | None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: severity, a stable code, a message saying how to fix it, and where (pointer, line, column).

    `aws` is AWS's own wording when it is known; `location` is where AWS places the finding, in AWS's
    form (`/States/C/Choices[0]/Next`), filled in by `asl.validate.validate`.
    """

    severity: Severity
    code: str
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    aws: Aws | None = None
    location: str | None = None

    @property
    def aws_code(self) -> str:
        """The code AWS reports for this finding."""
        return self.aws.code if self.aws is not None else AWS_CODES.get(self.code, self.code)

    @property
    def aws_message(self) -> str:
        """AWS's message when known, else ours."""
        return self.aws.message if self.aws is not None else self.message

    @property
    def aws_pointer(self) -> str | None:
        """Where AWS places the finding, as a JSON pointer (None: AWS gives no location)."""
        if self.aws is not None:
            return self.aws.pointer
        return self.pointer or None

    def wire(self) -> dict[str, Any]:
        """ValidateStateMachineDefinition's diagnostic shape, plus our rule, hint, pointer, line and column."""
        item: dict[str, Any] = {"severity": self.severity, "code": self.aws_code, "message": self.aws_message}
        if self.location is not None:
            item["location"] = self.location
        if self.aws_code != self.code:
            item["rule"] = self.code
        if self.aws_message != self.message:
            item["hint"] = self.message
        if self.pointer:
            item["pointer"] = self.pointer
        if self.line is not None:
            item["line"], item["column"] = self.line, self.column
        return item

    @property
    def is_error(self) -> bool:
        """True for an ERROR: AWS would refuse the definition."""
        return self.severity == "ERROR"

    def located(self, source: Source | None) -> Diagnostic:
        """A copy with line and column taken from `source` (unchanged if already placed or not found)."""
        if source is None or self.line is not None:
            return self
        position = source.locate(self.pointer)
        if position is None:
            return self
        return replace(self, line=position[0], column=position[1])

    def as_problem(self) -> Problem:
        """The same finding as an `asl.errors.Problem`, for a `DefinitionError`."""
        return Problem(self.pointer, self.message, self.code, self.line, self.column)


def make(code: str, message: str, pointer: str = "", aws: Aws | None = None) -> Diagnostic:
    """A diagnostic with the severity that the catalogue gives `code` (the message starts with a capital)."""
    return Diagnostic(CODES[code][0], code, message[:1].upper() + message[1:], pointer, aws=aws)
