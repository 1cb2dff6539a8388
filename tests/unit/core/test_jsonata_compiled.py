"""JSONata compiled to closures (asl.jsonata_fast) answers exactly as the engine, jsonata-python, does.

Every case runs twice: through `asl.jsonata` as workflows run it, and with the engine alone. Values,
failures (with the engine's messages) and AWS's evaluation bounds must be the same; the property-based
twin is tests/properties/test_jsonata_compiled.py. The expressions are the shapes workflows write, the
edges of JSONata's sequence and type rules, every JSONata expression in our conformance corpus, samples
and tests, and the bounds of asl.jsonata_bounds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl import jsonata_bounds
from asl.jsonata_fast import MAX_NODES
from asl.paths import UNSET
from tests.jsonata_reference import is_compiled, outcome

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT.parent / "shared" / "conformance" / "public.jsonl"

INPUTS: list[Any] = [
    {
        "i": 3,
        "f": 2.5,
        "s": "text",
        "t": True,
        "n": None,
        "o": {"a": 1, "b": {"c": "deep"}, "n": None, "e": {}},
        "l": [1, 2, 3],
        "one": [7],
        "objs": [{"a": 1}, {"a": [2, 3]}, {"b": 4}],
        "big": 2**60,
        "zero": 0,
        "neg": -4,
        "empty": "",
        "a": {"b": 5},
    },
    [{"a": 1}, {"a": 2}],
    "plain string",
    None,
    7,
]
VARIABLES: dict[str, Any] = {
    "v": {"deep": {"k": "val"}, "n": 2},
    "nothing": None,
    "num": 4,
    "arr": [1, [2, 3]],
    "txt": "abc",
    "count": "a variable named like a function",
}
EXPRESSIONS = [
    # paths
    "$states.input",
    "$states.input.i",
    "$states.input.o.b.c",
    "$states.input.o.n",
    "$states.input.o.missing.deeper",
    "$states.input.s.x",
    "$states.input.l",
    "$states.input.one",
    "$states.input.objs.a",
    "$states.input.objs.b",
    "$states.input.n.x",
    "$states.context.State.Name",
    "$states.result",
    "$states.result.r",
    "$states.errorOutput",
    "$states.other",
    "$states",
    "$v.deep.k",
    "$v.n",
    "$nothing",
    "$nothing.x",
    "$arr",
    "$arr.x",
    "$undefinedVar",
    "$string",
    "$",
    "a.b",
    "i",
    "objs.a",
    # arithmetic
    "$states.input.i + 1",
    "$states.input.i - 10",
    "$states.input.i * $states.input.f",
    "$states.input.i / 2",
    "$states.input.i / 3",
    "$states.input.i % 2",
    "$states.input.neg % 3",
    "$states.input.i / $states.input.zero",
    "$states.input.zero / $states.input.zero",
    "$states.input.i % $states.input.zero",
    "$states.input.big + 1",
    "$states.input.big * $states.input.big * $states.input.big * $states.input.big * $states.input.big * $states.input.big",
    "$states.input.f + 0.5",
    "-$states.input.i",
    "-$states.input.s",
    "-$states.input.missing",
    "$states.input.s + 1",
    "$states.input.t + 1",
    "$states.input.n + 1",
    "$states.input.missing + 1",
    "$states.input.missing + 'x'",
    "$states.input.l + 1",
    "1e308 * 10",
    # comparison and equality
    "$states.input.i < 10",
    "$states.input.i >= 3",
    "$states.input.f > $states.input.i",
    "$states.input.s < 'zzz'",
    "$states.input.s < 1",
    "$states.input.t < 1",
    "$states.input.n < 1",
    "$states.input.missing < 1",
    "$states.input.missing < $states.input.other",
    "$states.input.i = 3",
    "$states.input.i = 3.0",
    "$states.input.i != 3",
    "$states.input.s = 'text'",
    "$states.input.t = true",
    "$states.input.n = null",
    "$states.input.l = [1, 2, 3]",
    "$states.input.o = {'a': 1}",
    "$states.input.missing = 1",
    "$states.input.i in [1, 2, 3]",
    "'x' in $states.input.l",
    # booleans, strings, conditions
    "$states.input.t and $states.input.i > 1",
    "$states.input.missing or $states.input.empty",
    "$states.input.l and $states.input.o",
    "'Hello, ' & $states.input.s & '!'",
    "$states.input.i & $states.input.f & $states.input.t & $states.input.n",
    "$states.input.o & $states.input.l",
    "$states.input.missing & 'x'",
    "$states.input.i > 1 ? 'big' : 'small'",
    "$states.input.missing ? 1 : 2",
    "$states.input.t ? 1",
    "false ? 1",
    "($states.input.i + 1) * 2",
    "($states.input.i > 1) and ($states.input.f < 3)",
    # constructors
    "{'i': $states.input.i + 1}",
    "{'a': $states.input.missing, 'b': null, 'c': [1, $states.input.l]}",
    "{'a': 1, 'a': 2}",
    "[]",
    "[1]",
    "[$states.input.l, 4]",
    "[[1], 2, $states.input.one]",
    "[$states.input.missing]",
    "{'nested': [$states.input.l[0], null]}",
    # functions
    "$count($states.input.l)",
    "$count($states.input.missing)",
    "$count($states.input.o)",
    "$string($states.input.f)",
    "$string($states.input.o)",
    "$string($states.input.i / 3)",
    "$string()",
    "$number('12')",
    "$number('x')",
    "$length($states.input.s)",
    "$length($states.input.i)",
    "$uppercase($states.input.s)",
    "$sum($states.input.l)",
    "$sum($states.input.objs.a)",
    "$exists($states.input.missing)",
    "$not($states.input.t)",
    "$boolean($states.input.l)",
    "$keys($states.input.o)",
    "$join(['a', $states.input.s], '-')",
    "$substring($states.input.s, 1, 2)",
    "$append($states.input.l, 4)",
    "$append($states.input.missing, 4)",
    "$merge([$states.input.o, {'z': 1}])",
    "$count",
    "$count($states.input.l) + $num",
    "$partition($states.input.l, 2)",
    "$range(0, $states.input.i)",
    "$range(0, 0)",
    "$hash($states.input.s, 'SHA-256')",
    "$parse('{\"a\": [1, null]}')",
    "$random(42)",
    "$base64decode('!!!')",
    "$pad('x', 3)",
    "$lookup($states.input.o, 'a')",
    "$reverse($states.input.l)",
    "$max($states.input.l)",
    "$split($states.input.s, 'x')",
    "$contains($states.input.s, 'ex')",
    "$eval('1 + 1')",
    # outside the compiled subset: the engine answers
    "$states.input.l[0]",
    "$states.input.objs[a > 1].a",
    "$map($states.input.l, function($x) { $x * 2 })",
    "($x := 1; $x + 1)",
    "$states.input.l.$string()",
    "$$.i",
    "$states.input.s ~> $uppercase()",
    "$now() != ''",
]


@pytest.mark.parametrize("data", INPUTS, ids=lambda d: type(d).__name__)
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_compiled_answers_as_the_engine(expression: str, data: Any) -> None:
    fast = outcome(expression, data, VARIABLES, fast=True, result={"r": [1]})
    assert fast == outcome(expression, data, VARIABLES, fast=False, result={"r": [1]})


@pytest.mark.parametrize(
    "expression",
    [
        "$states.input.i + 1",
        "$states.input.i < 10000",
        "{'total': $sum($states.input.l), 'name': $uppercase($states.input.s)}",
        "$states.input.t and $exists($v.deep.k) ? 'yes' : 'no'",
        "'Order ' & $states.input.s & ': ' & $string($states.input.i * 2)",
        "$states.result.Payload.body",
        "$count($states.input.l) > 2 or $states.errorOutput.Error = 'States.Timeout'",
    ],
)
def test_the_shapes_workflows_write_are_compiled(expression: str) -> None:
    assert is_compiled(expression)


def test_large_expressions_are_left_to_the_engine() -> None:
    near = " + ".join(["$states.input.i"] * (MAX_NODES // 8))
    assert is_compiled(near)
    assert not is_compiled(" + ".join(["$states.input.i"] * MAX_NODES))


def _corpus_expressions() -> list[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
            found.add(value[2:-2].strip())
        elif isinstance(value, dict):
            for member in value.values():
                walk(member)
        elif isinstance(value, list):
            for member in value:
                walk(member)

    if CORPUS.exists():
        for line in CORPUS.read_text().splitlines():
            walk(json.loads(line)["definition"])
    for sample in (ROOT / "samples").rglob("*.json"):
        try:
            walk(json.loads(sample.read_text()))
        except (ValueError, UnicodeDecodeError):
            continue
    return sorted(found)


CORPUS_EXPRESSIONS = _corpus_expressions()


@pytest.mark.skipif(not CORPUS_EXPRESSIONS, reason="no JSONata in the corpus or the samples")
@pytest.mark.parametrize("expression", CORPUS_EXPRESSIONS)
def test_corpus_expressions_answer_as_the_engine(expression: str) -> None:
    from asl.errors import Problem
    from asl.jsonata import compile_expression

    if compile_expression("{% " + expression + " %}", "Output", "", list[Problem]()) is None:
        pytest.skip("not a valid expression: the corpus checks how it is refused")
    for data in INPUTS:
        fast = outcome(expression, data, VARIABLES, fast=True)
        assert fast == outcome(expression, data, VARIABLES, fast=False), data


BIG = "x" * (jsonata_bounds.MAX_BYTES + 1)
BOUNDED: list[tuple[str, dict[str, Any], Any]] = [
    ("$big", {"big": BIG}, {}),
    ("$states.input.big", {}, {"big": BIG}),
    ("$length($states.input.big)", {}, {"big": BIG}),
    ("$states.input.half & $states.input.half", {}, {"half": "y" * (jsonata_bounds.MAX_BYTES // 2 + 1)}),
    ("$count($states.input.many)", {}, {"many": list(range(jsonata_bounds.MAX_BYTES // 8 + 1))}),
    ("$count($states.input.many)", {}, {"many": list(range(jsonata_bounds.MAX_BYTES // 8))}),
    ("+".join(["1"] * 101), {}, {}),
    ("+".join(["1"] * 100), {}, {}),
    ("$states.input.deep", {}, {"deep": json.loads("[" * 120 + "]" * 120)}),
]


@pytest.mark.parametrize(("expression", "variables", "data"), BOUNDED)
def test_bounds_hold_as_the_engine_holds_them(expression: str, variables: dict[str, Any], data: Any) -> None:
    fast = outcome(expression, data, variables, fast=True)
    assert fast == outcome(expression, data, variables, fast=False)


@pytest.mark.parametrize("result", [UNSET, None, {"Payload": {"body": 1}}])
def test_states_members_answer_as_the_engine(result: Any) -> None:
    for expression in ("$states.result", "$states.result.Payload.body", "$states.errorOutput.Cause"):
        fast = outcome(expression, {"a": 1}, {}, fast=True, result=result)
        assert fast == outcome(expression, {"a": 1}, {}, fast=False, result=result)
