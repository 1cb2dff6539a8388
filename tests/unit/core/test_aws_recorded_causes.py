"""Errors and causes of JSONPath data-flow failures, word for word as AWS records them.

Each row names where AWS's text was observed. The `An error occurred while executing the state ...`
prefix is AWS's too and is checked on every row.
"""

from __future__ import annotations

from typing import Any

import pytest

from asl import StateMachine

PREFIX = "An error occurred while executing the state 'S' (entered at the event id #2). "

#: floci-io/floci#2870: causes of intrinsic calls whose path argument matches nothing, recorded on AWS.
FLOCI_2870 = "https://github.com/floci-io/floci/issues/2870"


def _pass(parameters: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": {"Type": "Pass", "Parameters": parameters, "End": True}}}


@pytest.mark.parametrize(
    ("definition", "data", "error", "cause", "source"),
    [
        (
            _pass({"v.$": "States.Format('{}', $.nope)"}),
            {"other": 1},
            "States.Runtime",
            "The function 'States.Format('{}', $.nope)' had the following error: "
            "The JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'",
            FLOCI_2870,
        ),
        (
            # The cause names the whole expression, not the inner call that took the argument.
            _pass({"v.$": "States.Format('{}', States.Format('{}', $.nope))"}),
            {"other": 1},
            "States.Runtime",
            "The function 'States.Format('{}', States.Format('{}', $.nope))' had the following error: "
            "The JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'",
            FLOCI_2870,
        ),
        (
            _pass({"v.$": "States.Array($.optionalProperty)"}),
            {"requiredProperty": 1},
            "States.Runtime",
            "The function 'States.Array($.optionalProperty)' had the following error: The JsonPath "
            "argument for the field '$.optionalProperty' could not be found in the input "
            "'{\"requiredProperty\":1}'",
            FLOCI_2870,
        ),
        (
            # A plain path field keeps the payload-template wording.
            _pass({"v.$": "$.nope"}),
            {"other": 1},
            "States.Runtime",
            "The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input "
            "'{\"other\":1}'",
            "https://github.com/floci-io/floci/issues/2521",
        ),
    ],
)
def test_recorded_cause(definition: dict[str, Any], data: Any, error: str, cause: str, source: str) -> None:
    result = StateMachine(definition).run_sync(data)
    assert (result.status, result.error) == ("FAILED", error), source
    assert result.cause == PREFIX + cause, source


#: floci-io/floci#3199 and its end-to-end test: `.$` paths measured on AWS (us-east-1).
FLOCI_3199 = "https://github.com/floci-io/floci/pull/3199"


@pytest.mark.parametrize(
    ("path", "data", "output"),
    [
        ("$.items[5]", {"items": [1, 2]}, {"v": None}),
        ("$.items[-5]", {"items": [1, 2]}, {"v": None}),
        ("$.items[1]", {"items": [1, 2]}, {"v": 2}),
    ],
)
def test_an_index_past_the_end_of_an_array_reads_null(path: str, data: Any, output: Any) -> None:
    """Only a last-step index past the end is lenient (FLOCI_3199); AWS fails every other miss."""
    result = StateMachine(_pass({"v.$": path})).run_sync(data)
    assert (result.status, result.output) == ("SUCCEEDED", output), FLOCI_3199


@pytest.mark.parametrize(
    ("parameters", "data"),
    [
        ({"v.$": "$.items[5].x"}, {"items": [1, 2]}),
        ({"v.$": "$.items[0]"}, {"items": {"a": 1}}),
        ({"v.$": "$.nope[0]"}, {"items": [1]}),
        ({"v.$": "States.Format('{}', $.items[5])"}, {"items": [1, 2]}),
    ],
)
def test_other_misses_still_fail(parameters: dict[str, Any], data: Any) -> None:
    result = StateMachine(_pass(parameters)).run_sync(data)
    assert (result.status, result.error) == ("FAILED", "States.Runtime"), FLOCI_3199


def test_a_present_null_argument_is_not_a_miss() -> None:
    """Only absence fails: a path argument that selects null formats as `null` (floci-io/floci#2870)."""
    result = StateMachine(_pass({"v.$": "States.Format('{}', $.nul)"})).run_sync({"nul": None})
    assert (result.status, result.output) == ("SUCCEEDED", {"v": "null"})


#: A test run on AWS: MathAdd given a string fails with States.Runtime, "Invalid arguments in States.MathAdd".
AWS_TEST_HARNESS = "https://github.com/aws-test-harness/aws-test-harness (test_reports_execution_failure)"
#: AWS-run intrinsic cases: every argument or data failure is States.Runtime.
TINY_ASL = "https://github.com/gabrielmoreira/tiny-asl-machine (tests/conformance/cases/States.*.ts)"


@pytest.mark.parametrize(
    ("expression", "data", "fragment", "source"),
    [
        (
            "States.MathAdd($.a, $.b)",
            {"a": 1, "b": "NOT A NUMBER"},
            "Invalid arguments in States.MathAdd",
            AWS_TEST_HARNESS,
        ),
        (
            "States.StringToJson($.s)",
            {"s": "{bad json}"},
            "Invalid arguments in States.StringToJson",
            TINY_ASL,
        ),
        (
            "States.ArrayGetItem($.a, 3)",
            {"a": [10, 20, 30]},
            "Invalid arguments in States.ArrayGetItem",
            TINY_ASL,
        ),
        ("States.MathRandom(1, 1)", {}, "Invalid arguments in States.MathRandom", TINY_ASL),
    ],
)
def test_intrinsic_failures_are_states_runtime(
    expression: str, data: Any, fragment: str, source: str
) -> None:
    """States.Runtime, so a Catch on States.ALL lets it through (asl.retry)."""
    result = StateMachine(_pass({"v.$": expression})).run_sync(data)
    assert (result.status, result.error) == ("FAILED", "States.Runtime"), source
    assert fragment in (result.cause or ""), source


#: floci's executor: "AWS wording, verified against us-east-1" for a Choice with no next state.
FLOCI_CHOICE = "https://github.com/floci-io/floci (AslExecutor NO_NEXT_STATE_CAUSE)"


def _choice(rule: dict[str, Any], default: bool) -> dict[str, Any]:
    choice: dict[str, Any] = {"Type": "Choice", "Choices": [{**rule, "Next": "Matched"}]}
    states = {"S": choice, "Matched": {"Type": "Pass", "Result": "matched", "End": True}}
    if default:
        choice["Default"] = "Defaulted"
        states["Defaulted"] = {"Type": "Pass", "Result": "defaulted", "End": True}
    return {"StartAt": "S", "States": states}


@pytest.mark.parametrize(
    "definition",
    [
        _choice({"Variable": "$.value", "IsNull": True}, default=False),
        {
            "QueryLanguage": "JSONata",
            "StartAt": "S",
            "States": {
                "S": {"Type": "Choice", "Choices": [{"Condition": "{% false %}", "Next": "D"}]},
                "D": {"Type": "Succeed"},
            },
        },
    ],
)
def test_a_choice_with_no_next_state_is_states_runtime(definition: dict[str, Any]) -> None:
    result = StateMachine(definition).run_sync({"value": "not-null"})
    assert (result.status, result.error) == ("FAILED", "States.Runtime"), FLOCI_CHOICE
    assert result.cause == (
        PREFIX + "Failed to transition out of the state. The state does not point to a next state."
    ), FLOCI_CHOICE


@pytest.mark.parametrize(
    ("right", "selected"),
    [([6], "matched"), ([8], "defaulted"), ([6, 5], "defaulted"), ([], "defaulted"), (6, "matched")],
)
def test_a_numeric_path_operand_of_one_item_compares_as_that_item(right: Any, selected: str) -> None:
    """AWS matches 7 > [6] (tiny-asl-machine, Choice.NumericGreaterThanPath, observed on AWS)."""
    definition = _choice({"Variable": "$.left", "NumericGreaterThanPath": "$.right"}, default=True)
    result = StateMachine(definition).run_sync({"left": 7, "right": right})
    assert result.output == selected, TINY_ASL
