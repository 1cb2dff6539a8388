"""Random inputs through compiled templates: Parameters, ResultSelector, ItemSelector, JSONata Output.

The templates are fixed and valid; the input is anything JSON. Allowed outcomes: SUCCEEDED, or FAILED with
an ASL error (`States.*`) and a cause. Never a Python exception, never a hang.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl import StateMachine
from tests.bounded import bounded
from tests.properties.strategies import few, json_values

PARAMETERS = {
    "whole.$": "$",
    "a.$": "$.a",
    "first.$": "$.list[0]",
    "all.$": "$..a",
    "text.$": "States.Format('{} and {}', $.a, $.b)",
    "json.$": "States.JsonToString($)",
    "parsed.$": "States.StringToJson($.s)",
    "merged.$": "States.JsonMerge($.o, $.p, false)",
    "length.$": "States.ArrayLength($.list)",
    "contains.$": "States.ArrayContains($.list, $.a)",
    "unique.$": "States.ArrayUnique($.list)",
    "parts.$": "States.ArrayPartition($.list, $.n)",
    "range.$": "States.ArrayRange($.n, $.m, $.step)",
    "item.$": "States.ArrayGetItem($.list, $.n)",
    "sum.$": "States.MathAdd($.n, $.m)",
    "hash.$": "States.Hash($.s, 'SHA-256')",
    "b64.$": "States.Base64Encode($.s)",
    "back.$": "States.Base64Decode($.s)",
    "split.$": "States.StringSplit($.s, ',')",
    "ctx.$": "$$.Execution.Input",
}
JSONATA = {
    "sum": "{% $sum($states.input.list) %}",
    "count": "{% $count($states.input.list) %}",
    "keys": "{% $keys($states.input) %}",
    "text": "{% $string($states.input.a) & '-' & $string($states.input.b) %}",
    "upper": "{% $uppercase($states.input.s) %}",
    "parts": "{% $partition($states.input.list, $states.input.n) %}",
    "range": "{% $range($states.input.n, $states.input.m, $states.input.step) %}",
    "parsed": "{% $parse($states.input.s) %}",
    "hash": "{% $hash($states.input.s, 'SHA-256') %}",
    "mapped": "{% $map($states.input.list, function($v) { $v }) %}",
    "cond": "{% $states.input.a = 1 ? 'one' : 'other' %}",
}

inputs = st.fixed_dictionaries(
    {},
    optional={
        "a": json_values,
        "b": json_values,
        "s": st.one_of(
            st.text(max_size=20), st.sampled_from(['{"k": 1}', "[1,2]", "a,b,,c", "eyJrIjoxfQ=="])
        ),
        "list": st.lists(json_values, max_size=6) | json_values,
        "n": st.integers(-3, 6) | json_values,
        "m": st.integers(-3, 6) | json_values,
        "step": st.integers(-2, 3) | json_values,
        "o": json_values,
        "p": json_values,
    },
)


def check(definition: dict[str, Any], input: Any) -> None:
    with bounded(5, "a template over random input"):
        result = StateMachine(definition).run_sync(input)
    assert result.status in ("SUCCEEDED", "FAILED")
    if result.status == "FAILED":
        assert result.error.startswith("States."), (result.error, result.cause)
        assert result.cause


@pytest.mark.parametrize("key", sorted(PARAMETERS))
@few(8)
@given(input=inputs)
def test_jsonpath_templates(key: str, input: Any) -> None:
    template = {key: PARAMETERS[key]}
    check({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": template, "End": True}}}, input)


@given(input=inputs)
def test_result_selector_and_item_selector(input: Any) -> None:
    body = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    state = {
        "Type": "Map",
        "ItemsPath": "$.list",
        "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "a.$": "$.a"},
        "ItemProcessor": body,
        "ResultSelector": {"count.$": "States.ArrayLength($)", "first.$": "$[0]"},
        "End": True,
    }
    check({"StartAt": "M", "States": {"M": state}}, input)


@pytest.mark.parametrize("key", sorted(JSONATA))
@few(8)
@given(input=inputs)
def test_jsonata_templates(key: str, input: Any) -> None:
    state = {"Type": "Pass", "Output": {key: JSONATA[key]}, "End": True}
    check({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": state}}, input)
