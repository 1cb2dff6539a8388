"""Validation in AWS's words: ValidateStateMachineDefinition's code, message and location for each finding.

Every expected (code, message, location) below is what AWS's ValidateStateMachineDefinition answered for
the same definition, as recorded in floci's ValidateStateMachineDefinition integration tests and issues
#2670, #2735 and #2745 / PR #2786 (each case there was run with `aws stepfunctions
validate-state-machine-definition` against us-east-1). The API reference's
ValidateStateMachineDefinitionDiagnostic page lists the codes; ValidateStateMachineDefinition's page
gives the response shape, `severity` and `maxResults`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl.validate import validate, validate_state_machine_definition
from asl.validate.files import validate_text
from asl.validate.report import render_json, render_sarif

END = {"Type": "Pass", "End": True}
TASK = "arn:aws:states:::lambda:invoke"


def _output(expression: str) -> dict[str, Any]:
    main = {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}
    return {"QueryLanguage": "JSONata", "StartAt": "Main", "States": {"Main": main}}


def _catch(field: str, expression: str) -> dict[str, Any]:
    catcher: dict[str, Any] = {"ErrorEquals": ["States.ALL"], "Next": "Handled"}
    if field == "Assign":
        catcher["Assign"] = {"lastError": "{% " + expression + " %}"}
    else:
        catcher[field] = "{% " + expression + " %}"
    main = {"Type": "Task", "Resource": TASK, "Next": "Handled", "Catch": [catcher]}
    return {"QueryLanguage": "JSONata", "StartAt": "Main", "States": {"Main": main, "Handled": END}}


def _map(extra: dict[str, Any], **top: Any) -> dict[str, Any]:
    body = {"StartAt": "P", "States": {"P": END}}
    return {
        **top,
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": body, "End": True, **extra}},
    }


CASES: list[tuple[str, dict[str, Any], list[tuple[str, str, str | None]]]] = [
    (
        "loop with no terminal state",
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}},
        [("MISSING_END_STATE", "Workflow has no terminal state", None)],
    ),
    (
        "the missing end state suppresses the reachability walk",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "Next": "A"},
                "Unused": {"Type": "Pass", "Next": "A"},
            },
        },
        [("MISSING_END_STATE", "Workflow has no terminal state", None)],
    ),
    (
        "an unreachable terminal state",
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}, "C": END},
        },
        [("MISSING_TRANSITION_TARGET", 'State "C" is not reachable.', "/States/C")],
    ),
    (
        "a dangling Next and no terminal state, in AWS's order",
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "NOPE"}}},
        [
            ("MISSING_TRANSITION_TARGET", "Missing 'Next' target: NOPE", "/States/A/Next"),
            ("MISSING_END_STATE", "Workflow has no terminal state", None),
        ],
    ),
    (
        "a loop inside a Map is accepted (the terminal-state check is top-level only)",
        _map(
            {
                "ItemProcessor": {
                    "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}},
                }
            }
        ),
        [],
    ),
    (
        "dangling Choice rule target",
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Ghost"}],
                    "Default": "Z",
                },
                "Z": END,
            },
        },
        [("MISSING_TRANSITION_TARGET", "Missing 'Next' target: Ghost", "/States/C/Choices[0]/Next")],
    ),
    (
        "dangling Default",
        {
            "StartAt": "A",
            "States": {
                "A": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Z"}],
                    "Default": "Ghost",
                },
                "Z": END,
            },
        },
        [("MISSING_TRANSITION_TARGET", "Missing 'Next' target: Ghost", "/States/A/Default")],
    ),
    (
        "dangling catcher target",
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": TASK,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Ghost"}],
                    "End": True,
                }
            },
        },
        [("MISSING_TRANSITION_TARGET", "Missing 'Next' target: Ghost", "/States/T/Catch[0]/Next")],
    ),
    (
        "dangling StartAt: every state is then unreachable",
        {"StartAt": "Nope", "States": {"A": END}},
        [
            ("MISSING_TRANSITION_TARGET", "Missing 'Next' target: Nope", "/StartAt"),
            ("MISSING_TRANSITION_TARGET", 'State "A" is not reachable.', "/States/A"),
        ],
    ),
    (
        "unreachable state in a Parallel branch",
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "W", "States": {"W": END, "Ghost": END}}],
                    "End": True,
                }
            },
        },
        [
            (
                "MISSING_TRANSITION_TARGET",
                'State "Ghost" is not reachable.',
                "/States/P/Branches[0]/States/Ghost",
            )
        ],
    ),
    (
        "a state name with a slash",
        {"StartAt": "Start", "States": {"Start": END, "a/b": END}},
        [("MISSING_TRANSITION_TARGET", 'State "a/b" is not reachable.', "/States/a/b")],
    ),
    (
        "fields the state type does not support, located at the state",
        {
            "StartAt": "X",
            "States": {
                "X": {
                    "Type": "Pass",
                    "End": True,
                    "TimeoutSeconds": 5,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "X"}],
                }
            },
        },
        [
            ("SCHEMA_VALIDATION_FAILED", "Field 'TimeoutSeconds' is not supported", "/States/X"),
            ("SCHEMA_VALIDATION_FAILED", "Field 'Catch' is not supported", "/States/X"),
        ],
    ),
    (
        "QueryLanguage on an ItemProcessor",
        _map({"ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": END}}}),
        [("SCHEMA_VALIDATION_FAILED", "Field 'QueryLanguage' is not supported", "/States/M/ItemProcessor")],
    ),
    (
        "a JSONata-only field on a JSONPath state",
        {
            "StartAt": "T",
            "States": {"T": {"Type": "Task", "Resource": TASK, "Arguments": {"payload": "x"}, "End": True}},
        },
        [
            (
                "SCHEMA_VALIDATION_FAILED",
                "The QueryLanguage is set to 'JSONPath', but field 'Arguments' is only supported for the 'JSONata' QueryLanguage",
                "/States/T",
            )
        ],
    ),
    (
        "a JSONPath-only field on a JSONata state",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "X",
            "States": {"X": {"Type": "Pass", "InputPath": "$.a", "End": True}},
        },
        [
            (
                "SCHEMA_VALIDATION_FAILED",
                "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage",
                "/States/X",
            )
        ],
    ),
    (
        "a Map's QueryLanguage does not reach the states of its ItemProcessor",
        _map(
            {
                "QueryLanguage": "JSONata",
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "Output": {"v": 1}, "End": True}},
                },
            }
        ),
        [
            (
                "SCHEMA_VALIDATION_FAILED",
                "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage",
                "/States/M/ItemProcessor/States/P",
            )
        ],
    ),
    (
        "a state going back to JSONPath reports only that",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "X",
            "States": {
                "X": {"Type": "Pass", "QueryLanguage": "JSONPath", "Output": {"v": "{% 1 %}"}, "End": True}
            },
        },
        [
            (
                "SCHEMA_VALIDATION_FAILED",
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                "/States/X",
            )
        ],
    ),
    (
        "a QueryLanguage outside the enumeration",
        {
            "QueryLanguage": "jsonata",
            "StartAt": "X",
            "States": {"X": {"Type": "Pass", "Output": {"v": "{% 1 %}"}, "End": True}},
        },
        [
            (
                "SCHEMA_VALIDATION_FAILED",
                "Value should be one of the following: [JSONPath, JSONata]",
                "/QueryLanguage",
            )
        ],
    ),
    (
        "a QueryLanguage that is not a string",
        {"QueryLanguage": 5, "StartAt": "X", "States": {"X": END}},
        [("SCHEMA_VALIDATION_FAILED", "Expected value of type [STRING]", "/QueryLanguage")],
    ),
    (
        "an expression that does not parse",
        _output("a[1,2)"),
        [("INVALID_JSONATA_EXPRESSION", 'Expected "]", got ","', "/States/Main/Output")],
    ),
    (
        "an unterminated string",
        _output('"unterminated'),
        [
            (
                "INVALID_JSONATA_EXPRESSION",
                "String literal must be terminated by a matching quote",
                "/States/Main/Output",
            )
        ],
    ),
    (
        "an unfinished expression",
        _output("1 +"),
        [("INVALID_JSONATA_EXPRESSION", "Unexpected end of expression", "/States/Main/Output")],
    ),
    (
        "a unary symbol",
        _output('{"a":}'),
        [
            (
                "INVALID_JSONATA_EXPRESSION",
                'The symbol "}" cannot be used as a unary operator',
                "/States/Main/Output",
            )
        ],
    ),
    (
        "an unterminated regex",
        _output('$match("a", /abc'),
        [("INVALID_JSONATA_EXPRESSION", "No terminating / in regular expression", "/States/Main/Output")],
    ),
    (
        "an empty expression",
        _output(""),
        [("INVALID_JSONATA_EXPRESSION", "Unexpected end of expression", "/States/Main/Output")],
    ),
    (
        "$$",
        _output("$$"),
        [("UNSUPPORTED_JSONATA_EXPRESSION", "Reference to '$$' is not supported.", "/States/Main/Output")],
    ),
    (
        "a field at the top level",
        _output("phone"),
        [
            (
                "UNSUPPORTED_JSONATA_EXPRESSION",
                "Reference to 'phone' at the top level is not supported.",
                "/States/Main/Output",
            )
        ],
    ),
    (
        "$states.errorOutput outside a catcher",
        _output("$states.errorOutput"),
        [
            (
                "UNSUPPORTED_JSONATA_EXPRESSION",
                "Field '$states.errorOutput' does not exist.",
                "/States/Main/Output",
            )
        ],
    ),
    (
        "a '.$' field that is neither a path nor an intrinsic (serverless-step-functions issue #399 quotes AWS)",
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": TASK,
                    "Parameters": {"outputPath.$": "States.format('test-{}.json', $.Comment)"},
                    "End": True,
                }
            },
        },
        [
            (
                "SCHEMA_VALIDATION_FAILED",
                "The value for the field 'outputPath.$' must be a valid JSONPath or a valid intrinsic function call",
                "/States/T/Parameters",
            )
        ],
    ),
    ("$states.errorOutput in a catcher's Output", _catch("Output", "$states.errorOutput"), []),
    ("$states.errorOutput in a catcher's Assign", _catch("Assign", "$states.errorOutput"), []),
    (
        "fields read inside a path, a filter or a function are fine",
        _output("$states.input.items[price > 5].(name)"),
        [],
    ),
]


@pytest.mark.parametrize(("definition", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_aws_code_message_and_location(
    definition: dict[str, Any], expected: list[tuple[str, str, str | None]]
) -> None:
    response = validate_state_machine_definition(json.dumps(definition))
    got = [(d["code"], d["message"], d.get("location")) for d in response["diagnostics"]]
    assert got == expected
    assert response["result"] == ("FAIL" if expected else "OK")
    assert response["truncated"] is False


def test_our_hint_pointer_and_line_stay_in_the_json_format() -> None:
    text = '{\n "StartAt": "A",\n "States": {"A": {"Type": "Pass", "Next": "Ghost"}}\n}'
    [report] = json.loads(render_json([validate_text(text, "wf.json")]))
    first = report["diagnostics"][0]
    assert (first["code"], first["message"], first["location"]) == (
        "MISSING_TRANSITION_TARGET",
        "Missing 'Next' target: Ghost",
        "/States/A/Next",
    )
    assert first["hint"].startswith("Next names 'Ghost'")
    assert (first["pointer"], first["line"]) == ("/States/A/Next", 3)


def test_sarif_carries_aws_codes_and_keeps_our_rule() -> None:
    text = json.dumps(_output("a[1,2)"))
    log = json.loads(render_sarif([validate_text(text, "wf.json")]))
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "INVALID_JSONATA_EXPRESSION"
    assert result["message"]["text"] == 'Expected "]", got ","'
    assert result["properties"]["rule"] == "INVALID_JSONATA"
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "/States/Main/Output"


def test_severity_and_max_results_as_the_api_reference_describes() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "X",
        "States": {
            "X": {"Type": "Pass", "End": True, "InputPath": "$.a", "OutputPath": "$.b", "ResultPath": "$.c"}
        },
    }
    text = json.dumps(definition)
    assert len(validate_state_machine_definition(text)["diagnostics"]) == 3
    truncated = validate_state_machine_definition(text, max_results=1)
    assert (len(truncated["diagnostics"]), truncated["truncated"]) == (1, True)
    assert validate_state_machine_definition(text, max_results=0)["truncated"] is False
    warning_only = json.dumps(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x": "$.a"}, "End": True}}}
    )
    assert validate_state_machine_definition(warning_only) == {
        "result": "OK",
        "diagnostics": [],
        "truncated": False,
    }
    [warning] = validate_state_machine_definition(warning_only, severity="WARNING")["diagnostics"]
    assert (warning["severity"], warning["code"]) == ("WARNING", "NO_DOLLAR")


@pytest.mark.parametrize(
    "arguments",
    [
        {"definition": ""},
        {"severity": "GARBAGE"},
        {"max_results": 101},
        {"max_results": -1},
        {"max_results": 1.5},
    ],
)
def test_arguments_the_api_refuses(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        validate_state_machine_definition(**{"definition": '{"StartAt": "A"}', **arguments})


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("arn:aws:states:::nosuchservice:doThing", "which is not a Step Functions service integration"),
        ("arn:aws:states:::lamda:invoke", "did you mean 'lambda'?"),
        ("arn:aws:states:::aws-sdk:dynamodb:getItm", "did you mean 'getItem'?"),
    ],
)
def test_task_resources_that_do_not_exist_are_refused(resource: str, message: str) -> None:
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}
    found = [d for d in validate(definition) if d.is_error]
    assert [d.code for d in found] == ["INVALID_RESOURCE"]
    assert message in found[0].message
