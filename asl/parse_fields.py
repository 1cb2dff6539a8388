"""Field-level parsing shared by every state: paths, templates, Assign, dynamic fields, Retry and Catch.

`FieldParser` collects problems with JSON pointers; `asl.parse._Parser` builds machines and states on it.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from asl import jsonata, payload
from asl.errors import Problem
from asl.model import Catcher, Dynamic, Expr, QueryLanguage, Retrier
from asl.paths import Path, PathSyntaxError, compile_path, compile_reference_path
from asl.source import escape_token

#: The fields each state type allows, and those only one query language allows.
TOP_FIELDS = {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
#: A Parallel branch or Map body has no QueryLanguage of its own (AWS: "Field 'QueryLanguage' is not supported").
BODY_FIELDS = {"Comment", "StartAt", "States", "ProcessorConfig"}
_IO = {"InputPath", "OutputPath"}
_RESULT = {"Parameters", "ResultSelector", "ResultPath"}
_FLOW = {"Next", "End"}
_ERRORS = {"Retry", "Catch"}
_COMMON = {"Type", "Comment", "QueryLanguage"}
ALLOWED: dict[str, set[str]] = {
    "Pass": _COMMON | _FLOW | _IO | {"Parameters", "ResultPath", "Result", "Assign", "Output"},
    "Task": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | _ERRORS
    | {"Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"}
    | {"Credentials", "Arguments", "Output", "Assign"},
    "Choice": _COMMON | _IO | {"Choices", "Default", "Assign", "Output"},
    "Wait": _COMMON
    | _FLOW
    | _IO
    | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign", "Output"},
    "Succeed": _COMMON | _IO | {"Output"},
    "Fail": _COMMON | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON | _FLOW | _IO | _RESULT | _ERRORS | {"Branches", "Arguments", "Output", "Assign"},
    "Map": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | _ERRORS
    | {
        "ItemSelector",
        "Iterator",
        "ItemProcessor",
        "ItemsPath",
        "Items",
        "MaxConcurrency",
        "MaxConcurrencyPath",
    }
    | {"ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage"}
    | {
        "ToleratedFailurePercentagePath",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "Label",
        "Output",
        "Assign",
    },
}
JSONPATH_ONLY = {
    "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Result", "SecondsPath",
    "TimestampPath", "ErrorPath", "CausePath", "TimeoutSecondsPath", "HeartbeatSecondsPath", "ItemsPath",
    "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath",
}  # fmt: skip
JSONATA_ONLY = {"Arguments", "Output", "Items"}
KNOWN_ERRORS = {
    "States.ALL", "States.DataLimitExceeded", "States.ExceedToleratedFailureThreshold", "States.HeartbeatTimeout",
    "States.Http.Socket", "States.IntrinsicFailure", "States.ItemReaderFailed", "States.NoChoiceMatched",
    "States.ParameterPathFailure", "States.Permissions", "States.ResultPathMatchFailure", "States.ResultWriterFailed",
    "States.Runtime", "States.Timeout", "States.TaskFailed", "States.BranchFailed", "States.QueryEvaluationError",
}  # fmt: skip


def is_int(v: Any) -> TypeGuard[int]:
    """True for JSON integers (not booleans)."""
    return isinstance(v, int) and not isinstance(v, bool)


class FieldParser:
    """Parses the fields states share; every problem is recorded with its pointer, nothing raises."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, pointer: str, message: str, code: str = "SCHEMA_VALIDATION_FAILED") -> None:
        """Record a problem at `pointer`."""
        self.problems.append(Problem(pointer, message, code))

    def path(self, text: Any, pointer: str) -> Path | None:
        if not isinstance(text, str):
            self.problem(pointer, "must be a JSONPath string (or null)")
            return None
        try:
            return compile_path(text)
        except PathSyntaxError as exc:
            self.problem(pointer, str(exc), "INVALID_JSONPATH")
            return None

    def reference_path(self, text: Any, pointer: str) -> Path | None:
        if not isinstance(text, str):
            self.problem(pointer, "ResultPath must be a reference path string (or null)")
            return None
        try:
            return compile_reference_path(text)
        except PathSyntaxError as exc:
            self.problem(pointer, str(exc), "INVALID_JSONPATH")
            return None

    def template(self, value: Any, pointer: str, object_only: bool = False) -> Expr | None:
        if object_only and not isinstance(value, dict):
            self.problem(pointer, "must be a JSON object")
            return None
        return payload.compile_template(value, pointer, self.problems)

    def assign(self, value: Any, pointer: str, lang: QueryLanguage) -> Expr | None:
        if not isinstance(value, dict):
            self.problem(pointer, "Assign must be an object of variable names to values")
            return None
        for key in value:
            name = key[:-2] if lang is QueryLanguage.JSONPATH and key.endswith(".$") else key
            if (
                not name
                or not (name[0].isalpha() or name[0] == "_")
                or not all(c.isalnum() or c == "_" for c in name)
            ):
                self.problem(
                    f"{pointer}/{escape_token(key)}",
                    f"{name!r} is not a valid variable name (letters, digits and '_', not starting with a digit)",
                )
            elif name == "states":
                self.problem(
                    f"{pointer}/{escape_token(key)}",
                    "'states' is a reserved name and cannot be assigned",
                    "INVALID_VARIABLE_NAME",
                )
        if lang is QueryLanguage.JSONATA:
            return jsonata.compile_template(value, "Assign", pointer, self.problems)
        return payload.compile_template(value, pointer, self.problems)

    def dynamic(
        self,
        raw: dict[str, Any],
        pointer: str,
        lang: QueryLanguage,
        name: str,
        path_name: str,
        kind: str,
        intrinsic: bool = False,
    ) -> Dynamic | None:
        if name in raw and path_name in raw:
            self.problem(f"{pointer}/{path_name}", f"{name} and {path_name} cannot both be given")
        if path_name in raw:
            text = raw[path_name]
            if intrinsic and isinstance(text, str) and text.startswith("States."):
                expr = payload.compile_dynamic_value(text, path_name, f"{pointer}/{path_name}", self.problems)
                return Dynamic(path_name, expr=expr, text=text)
            return Dynamic(path_name, path=self.path(text, f"{pointer}/{path_name}"), text=str(text))
        if name not in raw:
            return None
        from asl.choice import is_number, parse_timestamp  # the Choice machinery loads when a field needs it

        value = raw[name]
        if lang is QueryLanguage.JSONATA and jsonata.is_expression(value):
            expr = jsonata.compile_expression(value, name, f"{pointer}/{name}", self.problems)
            return Dynamic(name, expr=expr, text=jsonata.expression_text(value))
        ok = {
            "string": isinstance(value, str),
            "seconds": is_int(value) and value >= 0,
            "positive": is_int(value) and value > 0,
            "count": is_int(value) and value >= 0,
            "percentage": is_number(value) and 0 <= value <= 100,
            "timestamp": isinstance(value, str) and parse_timestamp(value) is not None,
        }[kind]
        if not ok:
            expected = {
                "string": "a string", "seconds": "a non-negative integer", "positive": "a positive integer",
                "count": "a non-negative integer", "percentage": "a number between 0 and 100",
                "timestamp": "an ISO-8601 timestamp like 2024-01-01T00:00:00Z",
            }[kind]  # fmt: skip
            self.problem(f"{pointer}/{name}", f"{name} must be {expected}; got {value!r}")
        return Dynamic(name, value=value)

    def error_names(self, value: Any, pointer: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.problem(pointer, "ErrorEquals must be a non-empty array of error names")
            return ()
        for i, name in enumerate(value):
            if name.startswith("States.") and name not in KNOWN_ERRORS:
                self.problem(
                    f"{pointer}/{i}",
                    f"{name!r} is not a predefined error; custom error names cannot start with 'States.'",
                    "INVALID_ERROR_NAME",
                )
        if "States.ALL" in value and len(value) > 1:
            self.problem(pointer, "States.ALL must appear alone in ErrorEquals", "STATES_ALL_NOT_ALONE")
        return tuple(value)

    def retriers(self, value: Any, pointer: str) -> tuple[Retrier, ...]:
        from asl.choice import is_number

        if not isinstance(value, list):
            self.problem(pointer, "Retry must be an array of retriers")
            return ()
        out: list[Retrier] = []
        allowed = {
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
            "Comment",
        }
        for i, r in enumerate(value):
            rp = f"{pointer}/{i}"
            if not isinstance(r, dict):
                self.problem(rp, "a retrier must be an object")
                continue
            for key in r:
                if key not in allowed:
                    self.problem(f"{rp}/{escape_token(key)}", f"unknown field {key!r} in a retrier")
            errors = self.error_names(r.get("ErrorEquals"), f"{rp}/ErrorEquals")
            if "States.ALL" in errors and i != len(value) - 1:
                self.problem(
                    f"{rp}/ErrorEquals",
                    "a retrier with States.ALL must be the last one",
                    "STATES_ALL_NOT_LAST",
                )
            interval = r.get("IntervalSeconds", 1)
            attempts = r.get("MaxAttempts", 3)
            backoff = r.get("BackoffRate", 2.0)
            max_delay = r.get("MaxDelaySeconds")
            jitter = r.get("JitterStrategy", "NONE")
            if not is_int(interval) or interval < 1:
                self.problem(f"{rp}/IntervalSeconds", "IntervalSeconds must be a positive integer")
            if not is_int(attempts) or attempts < 0:
                self.problem(f"{rp}/MaxAttempts", "MaxAttempts must be a non-negative integer")
            if not is_number(backoff) or backoff < 1:
                self.problem(f"{rp}/BackoffRate", "BackoffRate must be a number of at least 1.0")
            if max_delay is not None and (not is_int(max_delay) or max_delay < 1):
                self.problem(f"{rp}/MaxDelaySeconds", "MaxDelaySeconds must be a positive integer")
            if jitter not in ("FULL", "NONE"):
                self.problem(f"{rp}/JitterStrategy", "JitterStrategy must be FULL or NONE")
            if self.problems and self.problems[-1].pointer.startswith(rp):
                continue
            out.append(Retrier(errors, interval, attempts, float(backoff), max_delay, jitter))
        return tuple(out)

    def catchers(self, value: Any, pointer: str, lang: QueryLanguage) -> tuple[Catcher, ...]:
        if not isinstance(value, list):
            self.problem(pointer, "Catch must be an array of catchers")
            return ()
        out: list[Catcher] = []
        allowed = {"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"}
        for i, c in enumerate(value):
            cp = f"{pointer}/{i}"
            if not isinstance(c, dict):
                self.problem(cp, "a catcher must be an object")
                continue
            for key in c:
                if key not in allowed:
                    self.problem(f"{cp}/{escape_token(key)}", f"unknown field {key!r} in a catcher")
                elif lang is QueryLanguage.JSONATA and key == "ResultPath":
                    self.problem(
                        f"{cp}/ResultPath", "ResultPath is not supported in a JSONata state; use Output"
                    )
                elif lang is QueryLanguage.JSONPATH and key == "Output":
                    self.problem(
                        f"{cp}/Output",
                        "Output is only supported when QueryLanguage is JSONata; use ResultPath",
                    )
            errors = self.error_names(c.get("ErrorEquals"), f"{cp}/ErrorEquals")
            if "States.ALL" in errors and i != len(value) - 1:
                self.problem(
                    f"{cp}/ErrorEquals",
                    "a catcher with States.ALL must be the last one",
                    "STATES_ALL_NOT_LAST",
                )
            nxt = c.get("Next")
            if not isinstance(nxt, str):
                self.problem(f"{cp}/Next" if "Next" in c else cp, "a catcher needs 'Next', a state name")
                continue
            result_path = None
            discard = False
            if "ResultPath" in c and lang is QueryLanguage.JSONPATH:
                if c["ResultPath"] is None:
                    discard = True
                else:
                    result_path = self.reference_path(c["ResultPath"], f"{cp}/ResultPath")
            output = (
                jsonata.compile_template(c["Output"], "Output", f"{cp}/Output", self.problems)
                if "Output" in c and lang is QueryLanguage.JSONATA
                else None
            )
            assign = self.assign(c["Assign"], f"{cp}/Assign", lang) if "Assign" in c else None
            out.append(Catcher(errors, nxt, result_path, discard, output, assign))
        return tuple(out)

    def condition(self, body: dict[str, Any], pointer: str, lang: QueryLanguage) -> Any:
        if lang is QueryLanguage.JSONATA:
            cond = body.get("Condition")
            extra = [k for k in body if k != "Condition"]
            if extra:
                self.problem(
                    f"{pointer}/{escape_token(extra[0])}",
                    f"field {extra[0]!r} is not allowed in a JSONata Choice rule; use 'Condition'",
                )
            if isinstance(cond, bool):
                return lambda scope: cond
            if not jsonata.is_expression(cond):
                self.problem(
                    f"{pointer}/Condition" if "Condition" in body else pointer,
                    "a JSONata Choice rule needs 'Condition': a {% %} expression or a boolean",
                )
                return None
            expr = jsonata.compile_expression(cond, "Condition", f"{pointer}/Condition", self.problems)
            if expr is None:
                return None
            return _boolean_condition(expr, cond)
        if "Condition" in body:
            self.problem(
                f"{pointer}/Condition",
                "'Condition' is only supported when QueryLanguage is JSONata; use 'Variable' and a comparison operator",
            )
            return None
        from asl import choice

        return choice.compile_rule(body, pointer, self.problems)


def _boolean_condition(expr: Expr, text: str) -> Any:
    from asl.errors import QueryEvaluationError
    from asl.history import dumps
    from asl.jsonvalue import json_type

    def test(scope: Any) -> bool:
        value = expr(scope)
        if not isinstance(value, bool):
            # Worded as AWS words the same check for Items ("... Expected 'array', but was 'number' for value: 1").
            raise QueryEvaluationError(
                f"The JSONata expression '{jsonata.expression_text(text)}' specified for the field 'Condition' "
                f"returned an unexpected result type. Expected 'boolean', but was '{json_type(value)}' "
                f"for value: {dumps(value)}",
                location="Condition",
            )
        return value

    return test
