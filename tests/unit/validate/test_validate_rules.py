"""A corpus of invalid definitions, one per rule: each must produce its code at its pointer."""

from __future__ import annotations

from typing import Any

import pytest

from asl.validate import CODES, validate

END = {"Type": "Succeed"}
LAMBDA = "arn:aws:states:::lambda:invoke"


def machine(states: dict[str, Any], start: str = "A", **top: Any) -> dict[str, Any]:
    return {"StartAt": start, "States": states, **top}


def one(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    return machine({"A": state}, **top)


def jsonata(state: dict[str, Any]) -> dict[str, Any]:
    return one(state, QueryLanguage="JSONata")


def body(states: dict[str, Any], start: str = "B") -> dict[str, Any]:
    return {"StartAt": start, "States": states}


RULE = {"Variable": "$.x", "IsNull": True, "Next": "B"}

CASES = [
    # --- shape (schema.json) ---------------------------------------------------------------------
    (
        "unknown field",
        one({"Type": "Pass", "Nxet": "B", "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Nxet",
    ),
    ("unknown top-level field", machine({"A": END}, Versoin="1.0"), "SCHEMA_VALIDATION_FAILED", "/Versoin"),
    ("missing StartAt", {"States": {"A": END}}, "SCHEMA_VALIDATION_FAILED", ""),
    ("definition not an object", ["StartAt"], "SCHEMA_VALIDATION_FAILED", ""),
    ("states not an object", {"StartAt": "A", "States": []}, "SCHEMA_VALIDATION_FAILED", "/States"),
    ("state not an object", machine({"A": "Pass"}), "SCHEMA_VALIDATION_FAILED", "/States/A"),
    ("missing Type", one({"End": True}), "SCHEMA_VALIDATION_FAILED", "/States/A"),
    ("unknown Type", one({"Type": "Pas", "End": True}), "SCHEMA_VALIDATION_FAILED", "/States/A/Type"),
    ("missing Resource", one({"Type": "Task", "End": True}), "SCHEMA_VALIDATION_FAILED", "/States/A"),
    ("Next of wrong type", one({"Type": "Pass", "Next": 1}), "SCHEMA_VALIDATION_FAILED", "/States/A/Next"),
    (
        "Next and End",
        one({"Type": "Pass", "Next": "A", "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    ),
    (
        "neither Next nor End",
        machine({"A": {"Type": "Pass"}, "B": END}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    ),
    ("End false alone", one({"Type": "Pass", "End": False}), "SCHEMA_VALIDATION_FAILED", "/States/A"),
    (
        "Succeed with Next",
        machine({"A": {"Type": "Succeed", "Next": "A"}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Next",
    ),
    ("Fail with End", one({"Type": "Fail", "End": True}), "SCHEMA_VALIDATION_FAILED", "/States/A/End"),
    (
        "Choice with Next",
        machine({"A": {"Type": "Choice", "Choices": [RULE], "Next": "B"}, "B": END}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Next",
    ),
    (
        "Choice without rules",
        machine({"A": {"Type": "Choice", "Choices": []}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices",
    ),
    (
        "Wait with two durations",
        one({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    ),
    ("Wait without duration", one({"Type": "Wait", "End": True}), "SCHEMA_VALIDATION_FAILED", "/States/A"),
    (
        "negative Seconds",
        one({"Type": "Wait", "Seconds": -1, "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Seconds",
    ),
    (
        "malformed Timestamp",
        one({"Type": "Wait", "Timestamp": "2024-01-01 10:00", "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Timestamp",
    ),
    (
        "Error and ErrorPath",
        one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ErrorPath",
    ),
    (
        "Cause and CausePath",
        one({"Type": "Fail", "Cause": "C", "CausePath": "$.c"}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/CausePath",
    ),
    (
        "TimeoutSeconds and TimeoutSecondsPath",
        one(
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "TimeoutSeconds": 5,
                "TimeoutSecondsPath": "$.t",
                "End": True,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/TimeoutSecondsPath",
    ),
    (
        "HeartbeatSeconds and HeartbeatSecondsPath",
        one(
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "HeartbeatSeconds": 5,
                "HeartbeatSecondsPath": "$.h",
                "End": True,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/HeartbeatSecondsPath",
    ),
    (
        "zero TimeoutSeconds",
        one({"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 0, "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/TimeoutSeconds",
    ),
    (
        "Parameters and ItemSelector",
        one(
            {
                "Type": "Map",
                "ItemSelector": {},
                "Parameters": {},
                "ItemProcessor": body({"B": END}),
                "End": True,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Parameters",
    ),
    (
        "Iterator and ItemProcessor",
        one(
            {"Type": "Map", "Iterator": body({"B": END}), "ItemProcessor": body({"C": END}, "C"), "End": True}
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    ),
    (
        "MaxConcurrency and MaxConcurrencyPath",
        one(
            {
                "Type": "Map",
                "MaxConcurrency": 2,
                "MaxConcurrencyPath": "$.m",
                "ItemProcessor": body({"B": END}),
                "End": True,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/MaxConcurrencyPath",
    ),
    (
        "negative MaxConcurrency",
        one({"Type": "Map", "MaxConcurrency": -1, "ItemProcessor": body({"B": END}), "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/MaxConcurrency",
    ),
    (
        "tolerated failure percentage over 100",
        one(
            {"Type": "Map", "ToleratedFailurePercentage": 101, "ItemProcessor": body({"B": END}), "End": True}
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ToleratedFailurePercentage",
    ),
    (
        "ToleratedFailureCount and its Path",
        one(
            {
                "Type": "Map",
                "ToleratedFailureCount": 1,
                "ToleratedFailureCountPath": "$.n",
                "ItemProcessor": body({"B": END}),
                "End": True,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ToleratedFailureCountPath",
    ),
    ("Map without a body", one({"Type": "Map", "End": True}), "SCHEMA_VALIDATION_FAILED", "/States/A"),
    (
        "ItemBatcher without a limit",
        one(
            {"Type": "Map", "ItemBatcher": {"BatchInput": {}}, "ItemProcessor": body({"B": END}), "End": True}
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ItemBatcher",
    ),
    (
        "unknown ProcessorConfig mode",
        one(
            {
                "Type": "Map",
                "ItemProcessor": {**body({"B": END}), "ProcessorConfig": {"Mode": "FAST"}},
                "End": True,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ItemProcessor/ProcessorConfig/Mode",
    ),
    (
        "empty Branches",
        one({"Type": "Parallel", "Branches": [], "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Branches",
    ),
    (
        "negative MaxAttempts",
        one(
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": -1}],
                "End": True,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Retry/0/MaxAttempts",
    ),
    (
        "BackoffRate below 1",
        one(
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["E"], "BackoffRate": 0.5}],
                "End": True,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Retry/0/BackoffRate",
    ),
    (
        "unknown JitterStrategy",
        one(
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["E"], "JitterStrategy": "HALF"}],
                "End": True,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Retry/0/JitterStrategy",
    ),
    (
        "empty ErrorEquals",
        one({"Type": "Task", "Resource": LAMBDA, "Retry": [{"ErrorEquals": []}], "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Retry/0/ErrorEquals",
    ),
    (
        "catcher without Next",
        one({"Type": "Task", "Resource": LAMBDA, "Catch": [{"ErrorEquals": ["States.ALL"]}], "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Catch/0",
    ),
    (
        "Choice rule with two comparisons",
        machine({"A": {"Type": "Choice", "Choices": [{**RULE, "IsString": True}]}, "B": END}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0",
    ),
    (
        "Choice rule without a comparison",
        machine({"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "B"}]}, "B": END}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0",
    ),
    (
        "comparison without Variable",
        machine({"A": {"Type": "Choice", "Choices": [{"IsNull": True, "Next": "B"}]}, "B": END}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0",
    ),
    (
        "operand of the wrong type",
        machine(
            {
                "A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEquals": 1, "Next": "B"}]},
                "B": END,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0/StringEquals",
    ),
    (
        "timestamp operand not a timestamp",
        machine(
            {
                "A": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.t", "TimestampEquals": "yesterday", "Next": "B"}],
                },
                "B": END,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0/TimestampEquals",
    ),
    (
        "Next inside Not",
        machine({"A": {"Type": "Choice", "Choices": [{"Not": RULE, "Next": "B"}]}, "B": END}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0/Not/Next",
    ),
    (
        "empty And",
        machine({"A": {"Type": "Choice", "Choices": [{"And": [], "Next": "B"}]}, "B": END}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0/And",
    ),
    (
        "Variable on an Or rule",
        machine(
            {
                "A": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.x", "Or": [{"Variable": "$.x", "IsNull": True}], "Next": "B"}
                    ],
                },
                "B": END,
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0/Variable",
    ),
    (
        "state name over 80 characters",
        machine({"A": END, "x" * 81: END}),
        "INVALID_STATE_NAME",
        "/States/" + "x" * 81,
    ),
    # --- semantics -------------------------------------------------------------------------------
    ("StartAt names no state", machine({"A": END}, start="Z"), "MISSING_TRANSITION_TARGET", "/StartAt"),
    (
        "Next names no state",
        one({"Type": "Pass", "Next": "Nowhere"}),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Next",
    ),
    (
        "Default names no state",
        machine({"A": {"Type": "Choice", "Choices": [RULE], "Default": "Z"}, "B": END}),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Default",
    ),
    (
        "Choice rule Next names no state",
        machine({"A": {"Type": "Choice", "Choices": [{**RULE, "Next": "Z"}], "Default": "B"}, "B": END}),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Choices/0/Next",
    ),
    (
        "Catch Next names no state",
        one(
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}],
                "End": True,
            }
        ),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Catch/0/Next",
    ),
    (
        "branch jumps to an outer state",
        machine(
            {
                "A": {
                    "Type": "Parallel",
                    "Branches": [body({"B": {"Type": "Pass", "Next": "C"}})],
                    "Next": "C",
                },
                "C": END,
            }
        ),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Branches/0/States/B/Next",
    ),
    (
        "Map body StartAt names no state",
        one({"Type": "Map", "ItemProcessor": body({"B": END}, "Z"), "End": True}),
        "MISSING_TRANSITION_TARGET",
        "/States/A/ItemProcessor/StartAt",
    ),
    ("unreachable state", machine({"A": END, "B": END}), "MISSING_TRANSITION_TARGET", "/States/B"),
    (
        "unreachable state in a branch",
        one({"Type": "Parallel", "Branches": [body({"B": END, "C": END})], "End": True}),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Branches/0/States/C",
    ),
    ("no terminal state", one({"Type": "Pass", "Next": "A"}), "MISSING_END_STATE", "/States"),
    (
        "loop without exit",
        machine(
            {
                "A": {"Type": "Choice", "Choices": [{**RULE, "Next": "C"}], "Default": "B"},
                "B": {"Type": "Wait", "Seconds": 1, "Next": "B"},
                "C": END,
            }
        ),
        "NO_PATH_TO_END",
        "/States/B",
    ),
    (
        "state name repeated in a branch",
        one({"Type": "Parallel", "Branches": [body({"A": END}, "A")], "End": True}),
        "DUPLICATE_STATE_NAME",
        "/States/A/Branches/0/States/A",
    ),
    (
        "invalid Map label",
        one({"Type": "Map", "Label": "has space", "ItemProcessor": body({"B": END}), "End": True}),
        "INVALID_LABEL_NAME",
        "/States/A/Label",
    ),
    (
        "repeated Map label",
        machine(
            {
                "A": {"Type": "Map", "Label": "L", "ItemProcessor": body({"B": END}), "Next": "C"},
                "C": {"Type": "Map", "Label": "L", "ItemProcessor": body({"D": END}, "D"), "End": True},
            }
        ),
        "DUPLICATE_LABEL_NAME",
        "/States/C/Label",
    ),
    (
        "States.ALL with other names",
        machine(
            {
                "A": {
                    "Type": "Task",
                    "Resource": LAMBDA,
                    "Catch": [{"ErrorEquals": ["States.ALL", "E"], "Next": "B"}],
                    "End": True,
                },
                "B": END,
            }
        ),
        "STATES_ALL_NOT_ALONE",
        "/States/A/Catch/0/ErrorEquals",
    ),
    (
        "States.ALL not last",
        one(
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["E"]}],
                "End": True,
            }
        ),
        "STATES_ALL_NOT_LAST",
        "/States/A/Retry/0",
    ),
    (
        "reserved error name",
        one({"Type": "Task", "Resource": LAMBDA, "Retry": [{"ErrorEquals": ["States.Timout"]}], "End": True}),
        "RESERVED_ERROR_NAME",
        "/States/A/Retry/0/ErrorEquals/0",
    ),
    (
        "heartbeat not below timeout",
        one({"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 10, "HeartbeatSeconds": 10, "End": True}),
        "HEARTBEAT_NOT_BELOW_TIMEOUT",
        "/States/A/HeartbeatSeconds",
    ),
    # --- query languages -------------------------------------------------------------------------
    (
        "Parameters in a JSONata state",
        jsonata({"Type": "Pass", "Parameters": {}, "End": True}),
        "JSONPATH_FIELD_IN_JSONATA_STATE",
        "/States/A/Parameters",
    ),
    (
        "SecondsPath in a JSONata state",
        jsonata({"Type": "Wait", "SecondsPath": "$.s", "End": True}),
        "JSONPATH_FIELD_IN_JSONATA_STATE",
        "/States/A/SecondsPath",
    ),
    (
        "Catch ResultPath in a JSONata state",
        machine(
            {
                "A": {
                    "Type": "Task",
                    "Resource": LAMBDA,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "B"}],
                    "End": True,
                },
                "B": END,
            },
            QueryLanguage="JSONata",
        ),
        "JSONPATH_FIELD_IN_JSONATA_STATE",
        "/States/A/Catch/0/ResultPath",
    ),
    (
        "Variable rule in a JSONata Choice",
        machine({"A": {"Type": "Choice", "Choices": [RULE]}, "B": END}, QueryLanguage="JSONata"),
        "JSONPATH_FIELD_IN_JSONATA_STATE",
        "/States/A/Choices/0/Variable",
    ),
    (
        "Arguments in a JSONPath state",
        one({"Type": "Task", "Resource": LAMBDA, "Arguments": {}, "End": True}),
        "JSONATA_FIELD_IN_JSONPATH_STATE",
        "/States/A/Arguments",
    ),
    (
        "Output in a JSONPath state",
        one({"Type": "Pass", "Output": {}, "End": True}),
        "JSONATA_FIELD_IN_JSONPATH_STATE",
        "/States/A/Output",
    ),
    (
        "Condition in a JSONPath Choice",
        machine({"A": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "B"}]}, "B": END}),
        "JSONATA_FIELD_IN_JSONPATH_STATE",
        "/States/A/Choices/0/Condition",
    ),
    (
        "JSONata value in a JSONPath state",
        one({"Type": "Wait", "Seconds": "{% 3 %}", "End": True}),
        "JSONATA_FIELD_IN_JSONPATH_STATE",
        "/States/A/Seconds",
    ),
    (
        "JSONPath state in a JSONata machine",
        jsonata({"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}),
        "JSONPATH_STATE_IN_JSONATA_MACHINE",
        "/States/A/QueryLanguage",
    ),
    (
        "invalid variable name",
        one({"Type": "Pass", "Assign": {"1st": 1}, "End": True}),
        "INVALID_VARIABLE_NAME",
        "/States/A/Assign/1st",
    ),
    ("path in Fail Error", one({"Type": "Fail", "Error": "$.error"}), "NO_PATH", "/States/A/Error"),
    (
        "path in Pass Result",
        one({"Type": "Pass", "Result": {"x.$": "$.y"}, "End": True}),
        "PASS_RESULT_IS_STATIC",
        "/States/A/Result/x.$",
    ),
    (
        "path without .$",
        one({"Type": "Pass", "Parameters": {"x": "$.y"}, "End": True}),
        "NO_DOLLAR",
        "/States/A/Parameters/x",
    ),
    # --- syntax ----------------------------------------------------------------------------------
    (
        "malformed InputPath",
        one({"Type": "Pass", "InputPath": "$.a[", "End": True}),
        "INVALID_JSONPATH",
        "/States/A/InputPath",
    ),
    (
        "path that is not a path",
        one({"Type": "Wait", "SecondsPath": "seconds", "End": True}),
        "INVALID_JSONPATH",
        "/States/A/SecondsPath",
    ),
    (
        "malformed Choice Variable",
        machine(
            {"A": {"Type": "Choice", "Choices": [{**RULE, "Variable": "$$$"}], "Default": "B"}, "B": END}
        ),
        "INVALID_JSONPATH",
        "/States/A/Choices/0/Variable",
    ),
    (
        "malformed .$ path",
        one({"Type": "Pass", "Parameters": {"x.$": "$.a["}, "End": True}),
        "INVALID_JSONPATH",
        "/States/A/Parameters/x.$",
    ),
    (
        "literal in a .$ field",
        one({"Type": "Pass", "Parameters": {"x.$": "hello"}, "End": True}),
        "INVALID_JSONPATH",
        "/States/A/Parameters/x.$",
    ),
    (
        "ResultPath into the context",
        one({"Type": "Pass", "ResultPath": "$$.x", "End": True}),
        "INVALID_REFERENCE_PATH",
        "/States/A/ResultPath",
    ),
    (
        "indefinite ResultPath",
        one({"Type": "Pass", "ResultPath": "$.a[*]", "End": True}),
        "INVALID_REFERENCE_PATH",
        "/States/A/ResultPath",
    ),
    (
        "number in a .$ field",
        one({"Type": "Pass", "Parameters": {"x.$": 5}, "End": True}),
        "INVALID_PAYLOAD_TEMPLATE",
        "/States/A/Parameters/x.$",
    ),
    (
        "field set twice with and without .$",
        one({"Type": "Pass", "Parameters": {"n": {"x": 1, "x.$": "$.x"}}, "End": True}),
        "INVALID_PAYLOAD_TEMPLATE",
        "/States/A/Parameters/n/x.$",
    ),
    (
        "malformed JSONata",
        jsonata({"Type": "Pass", "Output": "{% $states.input.[ %}", "End": True}),
        "INVALID_JSONATA",
        "/States/A/Output",
    ),
    (
        "empty JSONata",
        jsonata({"Type": "Pass", "Output": {"a": ["{%  %}"]}, "End": True}),
        "INVALID_JSONATA",
        "/States/A/Output/a/0",
    ),
    (
        "ItemsPath with a filter",
        one(
            {
                "Type": "Map",
                "ItemsPath": "$.items[?(@.ok)]",
                "ItemProcessor": {"StartAt": "P", "States": {"P": END}},
                "End": True,
            }
        ),
        "INVALID_REFERENCE_PATH",
        "/States/A/ItemsPath",
    ),
    (
        "Timestamp near the end of the calendar, then the longest Wait",
        machine(
            {
                "A": {"Type": "Wait", "Timestamp": "9999-12-31T00:00:00Z", "Next": "B"},
                "B": {"Type": "Wait", "Seconds": 99999999, "End": True},
            }
        ),
        "WAIT_PAST_CALENDAR",
        "/States/A/Timestamp",
    ),
    (
        "Seconds past 99999999",
        one({"Type": "Wait", "Seconds": 100000000, "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Seconds",
    ),
    (
        "assigning the reserved name states",
        one({"Type": "Pass", "Assign": {"states": 1}, "End": True}),
        "INVALID_VARIABLE_NAME",
        "/States/A/Assign/states",
    ),
    (
        "JSONata reading a field at the top level",
        jsonata({"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": True}),
        "UNSUPPORTED_JSONATA",
        "/States/A/Output/v",
    ),
    (
        "JSONata reading $$",
        jsonata({"Type": "Pass", "Output": "{% $$.Execution.Id %}", "End": True}),
        "UNSUPPORTED_JSONATA",
        "/States/A/Output",
    ),
    (
        "$states.errorOutput outside a catcher",
        jsonata({"Type": "Pass", "Output": "{% $states.errorOutput %}", "End": True}),
        "UNSUPPORTED_JSONATA",
        "/States/A/Output",
    ),
    (
        "Condition that is not JSONata",
        machine(
            {"A": {"Type": "Choice", "Choices": [{"Condition": "$.x", "Next": "B"}]}, "B": END},
            QueryLanguage="JSONata",
        ),
        "INVALID_JSONATA",
        "/States/A/Choices/0/Condition",
    ),
    (
        "variable never assigned (JSONPath)",
        one({"Type": "Pass", "Parameters": {"x.$": "$nope"}, "End": True}),
        "UNASSIGNED_VARIABLE",
        "/States/A/Parameters/x.$",
    ),
    (
        "variable never assigned (JSONata)",
        jsonata({"Type": "Pass", "Output": "{% $nope %}", "End": True}),
        "UNASSIGNED_VARIABLE",
        "/States/A/Output",
    ),
    # --- resources -------------------------------------------------------------------------------
    (
        "malformed Resource",
        one({"Type": "Task", "Resource": "my-function", "End": True}),
        "INVALID_RESOURCE",
        "/States/A/Resource",
    ),
    (
        ".sync on an SDK integration",
        one({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets.sync", "End": True}),
        "INVALID_RESOURCE",
        "/States/A/Resource",
    ),
    (
        ".sync on Lambda",
        one({"Type": "Task", "Resource": LAMBDA + ".sync", "End": True}),
        "INVALID_RESOURCE",
        "/States/A/Resource",
    ),
    (
        "unknown SDK action",
        one({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObjekt", "End": True}),
        "INVALID_RESOURCE",
        "/States/A/Resource",
    ),
    (
        "malformed ItemReader Resource",
        one(
            {
                "Type": "Map",
                "ItemReader": {"Resource": "s3:getObject"},
                "ItemProcessor": body({"B": END}),
                "End": True,
            }
        ),
        "INVALID_RESOURCE",
        "/States/A/ItemReader/Resource",
    ),
    (
        "unknown SDK parameter",
        one(
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "b", "Key": "k", "Kye.$": "$.k"},
                "End": True,
            }
        ),
        "UNKNOWN_SDK_PARAMETER",
        "/States/A/Parameters/Kye.$",
    ),
    (
        "missing SDK parameter",
        one(
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket.$": "$.b"},
                "End": True,
            }
        ),
        "MISSING_SDK_PARAMETER",
        "/States/A/Parameters",
    ),
    (
        "missing SDK argument (JSONata)",
        jsonata(
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Arguments": {"Key": "k"},
                "End": True,
            }
        ),
        "MISSING_SDK_PARAMETER",
        "/States/A/Arguments",
    ),
    (
        "non-AWS partition",
        one({"Type": "Task", "Resource": "arn:asl-runner:states:::local:echo", "End": True}),
        "NOT_ON_AWS",
        "/States/A/Resource",
    ),
]


@pytest.mark.parametrize(("definition", "code", "pointer"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_invalid_definition_reports_code_at_pointer(definition: Any, code: str, pointer: str) -> None:
    found = validate(definition)
    assert (code, pointer) in {(d.code, d.pointer) for d in found}, found
    expected = next(d for d in found if (d.code, d.pointer) == (code, pointer))
    assert expected.severity == CODES[code][0]
    assert expected.message[:1].isupper() or expected.message[:1] in "'\"$."


def test_unknown_field_suggests_the_closest_name() -> None:
    found = validate(one({"Type": "Pass", "Nxet": "B", "End": True}))
    message = next(d.message for d in found if d.pointer == "/States/A/Nxet")
    assert message == "Unknown field 'Nxet' in Pass state 'A'; did you mean 'Next'?"


def test_unknown_type_suggests_the_closest_type() -> None:
    found = validate(one({"Type": "Tsak", "Resource": LAMBDA, "End": True}))
    assert "did you mean 'Task'?" in found[0].message


def test_missing_target_suggests_the_closest_state() -> None:
    found = validate(machine({"A": {"Type": "Pass", "Next": "Finsh"}, "Finish": END}))
    assert [d.code for d in found] == ["MISSING_TRANSITION_TARGET", "MISSING_TRANSITION_TARGET"]
    assert found[0].message.endswith("did you mean 'Finish'?")


def test_no_local_handler_is_a_warning_only_with_a_registry() -> None:
    from asl.resources import TaskRegistry

    definition = one(
        {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}
    )
    assert validate(definition) == []
    registry = TaskRegistry()
    found = validate(definition, registry=registry)
    assert [(d.severity, d.code, d.pointer) for d in found] == [
        ("WARNING", "NO_LOCAL_HANDLER", "/States/A/Resource")
    ]

    async def handler(payload: Any, context: Any) -> Any:
        return payload

    registry.register("arn:aws:lambda:us-east-1:123456789012:function:f", handler)
    assert validate(definition, registry=registry) == []


def test_unknown_sdk_service_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import asl.sdk_models

    monkeypatch.setattr(asl.sdk_models, "botocore_name", lambda name: None)
    found = validate(
        one({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:nosuchservice:doIt", "End": True})
    )
    assert [(d.severity, d.code) for d in found] == [("WARNING", "UNKNOWN_SDK_SERVICE")]


def test_sdk_parameters_are_pascal_case_even_when_the_api_is_camel_case() -> None:
    resource = "arn:aws:states:::aws-sdk:apigateway:getRestApi"
    assert (
        validate(one({"Type": "Task", "Resource": resource, "Parameters": {"RestApiId": "a1"}, "End": True}))
        == []
    )
    found = validate(
        one({"Type": "Task", "Resource": resource, "Parameters": {"restApiId": "a1"}, "End": True})
    )
    assert [(d.code, d.pointer) for d in found] == [
        ("UNKNOWN_SDK_PARAMETER", "/States/A/Parameters/restApiId"),
        ("MISSING_SDK_PARAMETER", "/States/A/Parameters"),
    ]
    assert "did you mean 'RestApiId'?" in found[0].message


def test_every_code_is_exercised() -> None:
    covered = {c[2] for c in CASES}
    elsewhere = {
        "NO_LOCAL_HANDLER",  # needs a registry: above
        "UNKNOWN_SDK_SERVICE",  # above
        "INVALID_INTRINSIC",  # test_validate_syntax.py (needs asl.intrinsics)
        "MISSING_DESCRIPTION",  # test_validate_api.py
        "TOO_DEEPLY_NESTED",  # test_validate_api.py
        "INTERNAL_ERROR",  # test_validate_api.py
        "INVALID_JSON_DESCRIPTION",  # test_validate_files.py
        "UNREADABLE_FILE",  # test_validate_files.py
        "DEFINITION_TOO_LARGE",  # tests/cli/test_validate_cli.py, tests/test_validate_run_agree.py
        "INVALID_S3_NAME",  # test_validate_s3_names.py
    }
    assert set(CODES) - covered == elsewhere
