"""JSONata as AWS evaluates it: sequences, Step Functions' functions, and the bounds on one evaluation.

Sources: AWS's "Transforming data with JSONata in Step Functions" ("Handling expression errors": memory
limit, expression timeout and stack overflow each fail the state with States.QueryEvaluationError; "JSONata
functions provided by Step Functions"), and measurements against AWS published in floci's issues #2662,
#2736 and #2737 and PR #2783 (the exact bounds: depth 100, 6,990,256 bytes, $range 360,145 elements;
`1/0` answered as "Infinity"; `$base64decode("!!!")` failing with an internal error; `$random(42)` being
java.util.Random).
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from typing import Any

import pytest

from asl import StateMachine, jsonata_bounds
from asl.errors import QueryEvaluationError
from asl.jsonata import compile_expression
from asl.paths import Scope

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
FOREVER = "($f := function($x){ $f($x + 1) }; $f(1))"
MUTUAL = "($f := function($x){ $g($x + 1) }; $g := function($x){ $f($x + 1) }; $f(1))"


def evaluate(expression: str, data: Any = None) -> Any:
    problems: list[Any] = []
    compiled = compile_expression("{% " + expression + " %}", "Output", "/Output", problems)
    assert compiled is not None, problems
    return compiled(Scope(data if data is not None else {}, {}))


def failure(expression: str, data: Any = None) -> str:
    with pytest.raises(QueryEvaluationError) as info:
        evaluate(expression, data)
    assert info.value.error == "States.QueryEvaluationError"
    return info.value.cause or ""


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("$range(1, 1, 1)", 1),  # a one-element sequence is the element
        ("$range(0, 6, 2)", [0, 2, 4, 6]),
        ("$range(-1.7, 2, 1)", [-1, 0, 1, 2]),  # truncated toward zero
        ("$range(3, 1, -1)", [3, 2, 1]),
        ("$range(5, 1, 1)", []),
        ("$count($range(1, 200000, 1))", 200000),  # no 1,000-element cap (that is States.ArrayRange's)
        ("$partition([0], 1)", [[0]]),
        ("$partition([1, 2, 3, 4], 2)", [[1, 2], [3, 4]]),
        ("$random(42)", 0.7275636800328681),
        ("$hash('input', 'SHA-1')", "140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"),
        ("$parse('{\"a\":1}').a", 1),
        ("$base64decode('aGVsbG8=')", "hello"),
        ("$map([7], function($v){ $v })", 7),
        ("$states.input.items.n", 3),
        ("1/0", "Infinity"),
        ("-1/0", "-Infinity"),
        ("1e308 * 10", "Infinity"),
        ("[1/0]", ["Infinity"]),
        ("5 % 0", "NaN"),
    ],
)
def test_values_as_aws_gives_them(expression: str, value: Any) -> None:
    assert evaluate(expression, {"items": [{"n": 3}]}) == value


@pytest.mark.parametrize(
    ("expression", "ending"),
    [
        ("+".join(["1"] * 101), f"threw an error during evaluation: {jsonata_bounds.STACK_OVERFLOW}"),
        ("($f := function($n){ $n > 0 ? 1 + $f($n - 1) : 0 }; $f(32))", jsonata_bounds.STACK_OVERFLOW),
        ("[1..873783] ~> $count()", f"threw an error during evaluation: {jsonata_bounds.MEMORY}"),
        ("$sum([1..900000])", jsonata_bounds.MEMORY),
        ("$range(1, 360146, 1)", jsonata_bounds.MEMORY),
        ("$pad('x', 1e9)", jsonata_bounds.MEMORY),
        (
            "($p := function($s, $n){ $n = 0 ? $s : $p($s & $s, $n - 1) }; $length($p('x', 23)))",
            jsonata_bounds.MEMORY,
        ),
        ("$eval('1+1')", "threw an error during evaluation. T1006: Attempted to invoke a non-function"),
        ("$reduce([1..600], function($acc, $v){ {'a': $acc} }, {})", "more than 500 levels deep"),
        ("$parse($states.input.deep)", "threw an error during evaluation. D3137: Invalid JSON"),
        ("$parse('{\"a\": NaN}')", "NaN is not valid JSON"),
        ("1/0 + 1", "D1001"),
    ],
)
def test_aws_bounds_fail_the_evaluation(expression: str, ending: str) -> None:
    cause = failure(expression, {"deep": "[" * 5000 + "]" * 5000})
    assert cause.startswith(f"The JSONata expression '{expression}' specified for the field 'Output' ")
    assert ending in cause


@pytest.mark.parametrize(
    "expression",
    [
        "+".join(["1"] * 100),
        "($f := function($n){ $n > 0 ? 1 + $f($n - 1) : 0 }; $f(31))",
        "[1..873782] ~> $count()",
        "$range(1, 360145, 1) ~> $count()",
        "($p := function($s, $n){ $n = 0 ? $s : $p($s & $s, $n - 1) }; $length($p('x', 22)))",
    ],
)
def test_just_inside_the_bounds_evaluates(expression: str) -> None:
    evaluate(expression)


def test_base64decode_of_invalid_text_is_an_internal_error() -> None:
    cause = failure("$base64decode('!!!')")
    assert re.search(f"threw an internal error during evaluation. {UUID}$", cause)


@pytest.mark.parametrize("expression", [FOREVER, MUTUAL, "$match($states.input.s, /^(a|a)*$/)"])
def test_endless_evaluations_and_backtracking_end_with_the_timeout(
    expression: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonata_bounds, "TIME_LIMIT", 0.3)
    started = time.monotonic()
    cause = failure(expression, {"s": "a" * 40 + "!"})
    assert f"threw an error during evaluation: {jsonata_bounds.TIMEOUT}" in cause
    assert time.monotonic() - started < 30


def test_the_issues_backtracking_regex_is_quick() -> None:
    assert evaluate("$contains($states.input.s, /^(a+)+$/)", {"s": "a" * 30 + "!"}) is False


def _catching(expression: str) -> dict[str, Any]:
    """A Parallel whose one branch evaluates `expression`, caught on States.QueryEvaluationError."""
    branch = {
        "StartAt": "E",
        "States": {"E": {"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}, "End": True}},
    }
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [branch],
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "Output": "{% $states.input.Error %}", "End": True},
        },
    }


@pytest.mark.parametrize(
    "expression",
    ["$parse($states.input.deep)", "$reduce([1..600], function($acc, $v){ {'a': $acc} }, {})", FOREVER],
)
def test_bound_failures_are_catchable(expression: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonata_bounds, "TIME_LIMIT", 0.3)
    result = StateMachine(_catching(expression)).run_sync({"deep": "[" * 5000 + "]" * 5000})
    assert (result.status, result.output) == ("SUCCEEDED", "States.QueryEvaluationError")


def test_the_runs_real_time_deadline_stops_an_endless_expression(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonata_bounds, "TIME_LIMIT", 60.0)
    token = jsonata_bounds.wall_deadline.set(time.time() + 0.5)
    started = time.monotonic()
    try:
        cause = failure(FOREVER)
    finally:
        jsonata_bounds.wall_deadline.reset(token)
    assert jsonata_bounds.TIMEOUT in cause
    assert time.monotonic() - started < 20


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals need the main thread"
)
def test_ctrl_c_stops_an_endless_expression(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonata_bounds, "TIME_LIMIT", 60.0)
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "E",
        "States": {"E": {"Type": "Pass", "Output": "{% " + FOREVER + " %}", "End": True}},
    }
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        result = StateMachine(definition).run_sync({})
    finally:
        timer.cancel()
    assert result.status == "ABORTED"
    assert time.monotonic() - started < 20
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
