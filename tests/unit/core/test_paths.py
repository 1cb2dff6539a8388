"""JSONPath as AWS reads it (Jayway JsonPath): definite single indexes, and bracket notation with escapes.

Jayway JsonPath's README ("Path Examples", "What is Returned When?") and RFC 9535 section 2.3.3.1
("Index Selector": a negative index counts from the end) give the rules: `$.a[-1]` names one location,
so it is a definite path and yields the element itself; slices, unions and wildcards are indefinite and
yield a list. A definite path that matches nothing fails (InputPath: States.Runtime).
"""

from __future__ import annotations

from typing import Any

import pytest

from asl import StateMachine
from asl.paths import PathNotFound, Scope, compile_path, compile_reference_path, set_at

DOC = {
    "a": [1, 2, 3],
    "empty": [],
    "a'b": "single",
    'a"b': "double",
    "a.b": "dotted",
    "a]b": "bracket",
    "a\\b": "backslash",
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$.a[-1]", 3),
        ("$.a[ -2 ]", 2),
        ("$.a[-3]", 1),
        ("$['a'][-1]", 3),
        ("$.a[0]", 1),
    ],
)
def test_a_single_index_is_definite_and_yields_the_element(path: str, value: Any) -> None:
    compiled = compile_path(path)
    assert compiled.definite
    assert compiled.get(Scope(DOC)) == value


@pytest.mark.parametrize("path", ["$.a[-4]", "$.empty[-1]", "$.a[3]"])
def test_a_single_index_out_of_range_matches_nothing(path: str) -> None:
    with pytest.raises(PathNotFound):
        compile_path(path).get(Scope(DOC))


@pytest.mark.parametrize(
    ("path", "values"), [("$.a[-1:]", [3]), ("$.a[0,-1]", [1, 3]), ("$.a[*]", [1, 2, 3]), ("$.a[:1]", [1])]
)
def test_slices_unions_and_wildcards_stay_lists(path: str, values: list[Any]) -> None:
    compiled = compile_path(path)
    assert not compiled.definite
    assert compiled.get(Scope(DOC)) == values


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (r"$['a\'b']", "single"),
        (r'$["a\"b"]', "double"),
        (r"$['a\"b']", "double"),
        (r'$["a\'b"]', "single"),
        ("$['a.b']", "dotted"),
        ("$['a]b']", "bracket"),
        (r"$['a\\b']", "backslash"),
    ],
)
def test_bracket_notation_with_escaped_quotes(path: str, value: str) -> None:
    assert compile_path(path).get(Scope(DOC)) == value


@pytest.mark.parametrize(
    ("path", "member"), [(r"$['it\'s'].x[*]", "it's"), (r'$["say \"hi\""].x[*]', 'say "hi"')]
)
def test_escaped_quotes_in_paths_the_full_engine_evaluates(path: str, member: str) -> None:
    compiled = compile_path(path)
    assert not compiled.definite
    assert compiled.get(Scope({member: {"x": [1, 2]}})) == [1, 2]


def test_escaped_quotes_in_parameters_intrinsics_and_result_path() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {
                    "format.$": "States.Format('{} {}', $['a\\'b'], $[\"c\\\"d\"])",
                    "plain.$": "$['a\\'b']",
                    "last.$": "$.list[-1]",
                },
                "ResultPath": "$['x\\'y']",
                "End": True,
            }
        },
    }
    result = StateMachine(definition).run_sync({"a'b": 1, 'c"d': 2, "list": [7, 8]})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["x'y"] == {"format": "1 2", "plain": 1, "last": 8}


def test_result_path_with_a_negative_index_replaces_that_element() -> None:
    assert set_at({"a": [1, 2, 3]}, compile_reference_path("$.a[-1]"), 9) == {"a": [1, 2, 9]}
