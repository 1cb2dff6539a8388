"""Each intrinsic's results, run-time failures and limits."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from asl.errors import IntrinsicFailure
from asl.intrinsics import IntrinsicSyntaxError, compile_intrinsic

Evaluate = Callable[..., Any]


def typed(value: Any) -> Any:
    """Keep JSON types apart in comparisons: `true` vs `1`, `1` vs `1.0`."""
    if isinstance(value, dict):
        return ("object", {key: typed(item) for key, item in value.items()})
    if isinstance(value, list):
        return ("array", [typed(item) for item in value])
    return (type(value).__name__, value)


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        # States.Format
        ("States.Format('Hello, {}!', $.name)", {"name": "Ada"}, "Hello, Ada!"),
        ("States.Format('{}', $.v)", {"v": None}, "null"),
        ("States.Format('{}', $.v)", {"v": 1}, "1"),
        ("States.Format('{}', $.v)", {"v": 1.5}, "1.5"),
        ("States.Format('{}', $.v)", {"v": True}, "true"),
        # Objects and arrays as Java writes a Map and a List: LocalStack's StringFormat (its tests are
        # recorded against AWS) documents {"Arg1": 1, "Arg2": []} -> {Arg1=1, Arg2=[]}.
        ("States.Format('{}', $.v)", {"v": {"a": 1, "b": [1, "x"]}}, "{a=1, b=[1, x]}"),
        ("States.Format('{}', $.v)", {"v": ["é", None]}, "[é, null]"),
        ("States.Format('{}', $.v)", {"v": {"Arg1": 1, "Arg2": []}}, "{Arg1=1, Arg2=[]}"),
        ("States.Format('{}', $.v)", {"v": {"o": {}, "t": True, "f": 2.5}}, "{o={}, t=true, f=2.5}"),
        ("States.Format('{}{}', 'a', 'b')", None, "ab"),
        ("States.Format('no placeholders')", None, "no placeholders"),
        (r"States.Format('\{\} is {}', 'literal')", None, "{} is literal"),
        (r"States.Format('it\'s {}\\', 'x')", None, "it's x\\"),
        ("States.Format('{} {} {} {}', 1, -2.5, true, null)", None, "1 -2.5 true null"),
        ("States.Format($.t, $.a, $.b)", {"t": "{}-{}", "a": 1, "b": "z"}, "1-z"),
        ("States.Format($.t)", {"t": "It's plain"}, "It's plain"),
        ("States.Format($t, $$.Execution.Input.v)", {"v": "var"}, "It's var!"),
        # States.StringToJson
        ("States.StringToJson($.s)", {"s": '{"a": [1, 2.5, null]}'}, {"a": [1, 2.5, None]}),
        ("States.StringToJson($.s)", {"s": ""}, None),
        ("States.StringToJson($.s)", {"s": " \n "}, None),
        ("States.StringToJson($.s)", {"s": "null"}, None),
        ("States.StringToJson($.s)", {"s": "-0"}, 0),
        ("States.StringToJson($.s)", {"s": " 12 "}, 12),
        ("States.StringToJson('\"x\"')", None, "x"),
        (r"States.StringToJson('\{\}')", None, {}),
        # States.JsonToString
        ("States.JsonToString($.v)", {"v": {"Arg1": 1, "Arg2": []}}, '{"Arg1":1,"Arg2":[]}'),
        ("States.JsonToString($.v)", {"v": "x"}, '"x"'),
        ("States.JsonToString($.v)", {"v": None}, "null"),
        ("States.JsonToString($.v)", {"v": "é/ü"}, '"é/ü"'),
        ("States.JsonToString($)", [1, 2.5], "[1,2.5]"),
        # States.Array
        ("States.Array()", None, []),
        ("States.Array('Foo', 2020, $.j, null)", {"j": {"r": "a"}}, ["Foo", 2020, {"r": "a"}, None]),
        ("States.Array(States.Array(1), true)", None, [[1], True]),
        # States.ArrayPartition
        (
            "States.ArrayPartition($.a, 4)",
            {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
            [[1, 2, 3, 4], [5, 6, 7, 8], [9]],
        ),
        ("States.ArrayPartition($.a, $.n)", {"a": [], "n": 3}, []),
        ("States.ArrayPartition($.a, $.n)", {"a": [1, 2], "n": 2.0}, [[1, 2]]),
        # States.ArrayContains
        ("States.ArrayContains($.a, 5)", {"a": [1, 5]}, True),
        ("States.ArrayContains($.a, $.v)", {"a": [[1, 2], {"k": [None]}], "v": {"k": [None]}}, True),
        # AWS compares text: key order counts, and a string matches a value with the same text
        # (gabrielmoreira/tiny-asl-machine, tests/conformance/cases/States.ArrayContains.ts, AWS-run)
        ("States.ArrayContains($.a, $.v)", {"a": [{"a": 1, "b": 2}], "v": {"b": 2, "a": 1}}, False),
        ("States.ArrayContains($.a, $.v)", {"a": [{"a": 1, "b": 2}], "v": {"a": 1, "b": 2}}, True),
        ("States.ArrayContains($.a, true)", {"a": ["true", "false", "maybe"]}, True),
        ("States.ArrayContains($.a, $.v)", {"a": ["-1", "9007199254740991"], "v": 9007199254740991}, True),
        ("States.ArrayContains($.a, false)", {"a": [0, 1, -1, -1.5]}, False),
        ("States.ArrayContains($.a, true)", {"a": [1]}, False),
        ("States.ArrayContains($.a, 1)", {"a": [True]}, False),
        ("States.ArrayContains($.a, 0)", {"a": [False, None, "0"]}, True),
        ("States.ArrayContains($.a, 0)", {"a": [False, None, "00"]}, False),
        ("States.ArrayContains($.a, null)", {"a": [0, ""]}, False),
        ("States.ArrayContains($.a, null)", {"a": [0, None]}, True),
        ("States.ArrayContains($.a, '1')", {"a": [1]}, True),
        ("States.ArrayContains($.a, 1)", {"a": [1.0]}, False),
        # States.ArrayRange
        ("States.ArrayRange(1, 9, 2)", None, [1, 3, 5, 7, 9]),
        ("States.ArrayRange(0, 10, 3)", None, [0, 3, 6, 9]),
        ("States.ArrayRange(5, 5, 1)", None, [5]),
        ("States.ArrayRange(10, 0, -4)", None, [10, 6, 2]),
        ("States.ArrayRange(0, -3, 1)", None, []),
        ("States.ArrayRange(1, 1000, 1)", None, list(range(1, 1001))),
        # AWS truncates fractional arguments (tiny-asl-machine, States.ArrayRange.ts, AWS observations)
        ("States.ArrayRange(0.5, 2.4, 1)", None, [0, 1, 2]),
        ("States.ArrayRange(1.6, 1.4, 1)", None, [1]),
        ("States.ArrayRange(5.4, -0.6, -2.4)", None, [5, 3, 1]),
        ("States.ArrayRange(1.4, 5.6, 2.2)", None, [1, 3, 5]),
        # States.ArrayGetItem
        ("States.ArrayGetItem($.a, 5)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, 6),
        ("States.ArrayGetItem($.a, $.i)", {"a": ["x", {"y": 1}], "i": 1}, {"y": 1}),
        ("States.ArrayGetItem($.a, 0.0)", {"a": [None]}, None),
        # AWS truncates a fractional index (tiny-asl-machine, States.ArrayGetItem.ts, AWS-run)
        ("States.ArrayGetItem($.a, 1.2)", {"a": [10, 20, 30]}, 20),
        ("States.ArrayGetItem($.a, $.i)", {"a": [10, 20, 30], "i": 1.9}, 20),
        # States.ArrayLength
        ("States.ArrayLength($.a)", {"a": [1, 2, 3]}, 3),
        ("States.ArrayLength(States.Array())", None, 0),
        # States.ArrayUnique
        ("States.ArrayUnique($.a)", {"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]}, [1, 2, 3, 4]),
        # In a Java HashSet's order, as AWS returns them (tiny-asl-machine, States.ArrayUnique.ts)
        ("States.ArrayUnique($.a)", {"a": [True, False, True, False]}, [False, True]),
        ("States.ArrayUnique($.a)", {"a": [[1, 2], [1, 2], [2, 1]]}, [[2, 1], [1, 2]]),
        ("States.ArrayUnique($.a)", {"a": [None, None, 1, None]}, [None, 1]),
        ("States.ArrayUnique($.a)", {"a": ["a", "b", "a", "c", "b"]}, ["a", "b", "c"]),
        ("States.ArrayUnique($.a)", {"a": [{"a": 1, "b": 2}, {"b": 2, "a": 1}]}, [{"a": 1, "b": 2}]),
        ("States.ArrayUnique($.a)", {"a": [3, 1, 3, 2, 1]}, [1, 2, 3]),
        (
            "States.ArrayUnique($.a)",
            {"a": [1, True, "1", None, 1.0, {"a": [1]}, {"a": [1]}]},
            [None, 1.0, 1, "1", {"a": [1]}, True],
        ),
        # States.Base64Encode / States.Base64Decode
        ("States.Base64Encode($.s)", {"s": "Data to encode"}, "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Encode('')", None, ""),
        ("States.Base64Encode('é')", None, "w6k="),
        ("States.Base64Decode($.s)", {"s": "RGF0YSB0byBlbmNvZGU="}, "Data to encode"),
        ("States.Base64Decode('w6k=')", None, "é"),
        ("States.Base64Decode('')", None, ""),
        # AWS's decoder is lenient (tiny-asl-machine, States.Base64Decode.ts, AWS-run probes)
        ("States.Base64Decode('abc')", None, "i\ufffd"),
        ("States.Base64Decode(' YWJjZA== ')", None, "abcd"),
        ("States.Base64Decode('ab==cd')", None, "i"),
        ("States.Base64Decode('YWJjZA')", None, "abcd"),
        ("States.Base64Decode('YWJjZ')", None, "abc"),
        ("States.Base64Decode(States.Base64Encode($.s))", {"s": "round trip ✓"}, "round trip ✓"),
        # States.Hash
        ("States.Hash($.d, 'MD5')", {"d": "input data"}, "812f45842bc6d66ee14572ce20db8e86"),
        ("States.Hash($.d, 'SHA-1')", {"d": "input data"}, "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        (
            "States.Hash($.d, $.alg)",
            {"d": "input data", "alg": "SHA-256"},
            "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3",
        ),
        (
            "States.Hash('', 'SHA-384')",
            None,
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
        ),
        # States.JsonMerge
        (
            "States.JsonMerge($.a, $.b, false)",
            {"a": {"a": {"a1": 1, "a2": 2}, "b": 2}, "b": {"a": {"a3": 1, "a4": 2}, "c": 3}},
            {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3},
        ),
        ("States.JsonMerge($.a, $.b, $.deep)", {"a": {}, "b": {"x": None}, "deep": False}, {"x": None}),
        # States.MathAdd: each argument rounded half toward +infinity, then added
        ("States.MathAdd(111, -1)", None, 110),
        ("States.MathAdd($.a, $.b)", {"a": 1.49, "b": 1.5}, 3),
        ("States.MathAdd($.a, $.b)", {"a": -1.5, "b": 0}, -1),
        ("States.MathAdd($.a, $.b)", {"a": -1.51, "b": 0}, -2),
        ("States.MathAdd($.a, $.b)", {"a": -0.5, "b": 0.5}, 1),
        ("States.MathAdd($.a, $.b)", {"a": -0.5, "b": 0}, 0),
        ("States.MathAdd($.a, $.b)", {"a": 2.5, "b": 0}, 3),
        ("States.MathAdd($.a, $.b)", {"a": 0.49999999999999994, "b": 0}, 0),
        ("States.MathAdd($.a, 1)", {"a": 2147483646}, 2147483647),
        ("States.MathAdd($.a, -1)", {"a": -2147483647}, -2147483648),
        # States.StringSplit: any of the delimiter characters; empty pieces dropped
        ("States.StringSplit($.s, ',')", {"s": "1,2,3,4,5"}, ["1", "2", "3", "4", "5"]),
        ("States.StringSplit($.s, ',')", {"s": ", , ,"}, [" ", " "]),
        ("States.StringSplit($.s, ',')", {"s": ",,,,"}, []),
        ("States.StringSplit($.s, ',')", {"s": " "}, [" "]),
        ("States.StringSplit($.s, ',')", {"s": ""}, []),
        ("States.StringSplit($.s, ',;')", {"s": "a,b;c;;d"}, ["a", "b", "c", "d"]),
        ("States.StringSplit($.s, '.*')", {"s": "a.b*c"}, ["a", "b", "c"]),
        ("States.StringSplit($.s, '')", {"s": "abc"}, ["abc"]),
        ("States.StringSplit('a/b/c', '/')", None, ["a", "b", "c"]),
    ],
)
def test_results(text: str, data: Any, expected: Any, evaluate: Evaluate) -> None:
    assert typed(evaluate(text, data, variables={"t": "It's {}!"})) == typed(expected)


NINE_DEEP = (
    "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
    "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit("
    "States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))"
)


def test_aws_documentation_nine_deep_example(evaluate: Evaluate, path_compiler: Any) -> None:
    """The guide's example has three placeholders for two values: rejected as written, fine with two."""
    with pytest.raises(IntrinsicSyntaxError, match=re.escape("3 placeholders '{}' but 2 values")):
        compile_intrinsic(NINE_DEEP, path_compiler)
    arn = "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.2"
    fixed = NINE_DEEP.replace("'{}.{}.{}'", "'{}.{}'")
    assert evaluate(fixed, {"ImageRecipe": {"Arn": arn}}) == "1.0"


@pytest.mark.parametrize(
    ("text", "data", "fragment"),
    [
        # argument kinds from paths and nested calls, checked at run time
        (
            "States.ArrayLength($.v)",
            {"v": "x"},
            "the 1st argument (array) must be an array, but got a string",
        ),
        ("States.ArrayLength(States.StringToJson($.s))", {"s": "{}"}, "must be an array, but got an object"),
        ("States.StringToJson($.v)", {"v": {"a": 1}}, "must be a string, but got an object"),
        (
            "States.MathAdd($.v, 1)",
            {"v": "1"},
            "the 1st argument (number) must be a number, but got a string",
        ),
        ("States.MathAdd($.v, 1)", {"v": True}, "must be a number, but got a boolean"),
        (
            "States.Format($.t, 1)",
            {"t": 5},
            "the 1st argument (template) must be a string, but got an integer",
        ),
        (
            "States.JsonMerge($.a, $.b, false)",
            {"a": {}, "b": [1]},
            "the 2nd argument (object) must be an object",
        ),
        ("States.JsonMerge($.a, $.b, $.d)", {"a": {}, "b": {}, "d": True}, "must be false"),
        (
            "States.StringSplit($.s, $.d)",
            {"s": "a", "d": None},
            "the 2nd argument (delimiter) must be a string",
        ),
        ("States.Hash($.d, 'MD5')", {"d": 12}, "must be a string, but got an integer"),
        (
            "States.Hash($.d, $.a)",
            {"d": "x", "a": "SHA-224"},
            'must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, but got "SHA-224"',
        ),
        # States.Format placeholders against values, when the template comes from the input
        (
            "States.Format($.t, 1)",
            {"t": "none"},
            "the template has 0 placeholders '{}' but 1 value was given",
        ),
        (
            "States.Format($.t)",
            {"t": "{} {}"},
            "the template has 2 placeholders '{}' but 0 values were given",
        ),
        # States.StringToJson
        (
            "States.StringToJson($.s)",
            {"s": "{bad"},
            "Invalid arguments in States.StringToJson: the string is not valid JSON",
        ),
        ("States.StringToJson($.s)", {"s": "NaN"}, "not valid JSON"),
        ("States.StringToJson($.s)", {"s": "[1] [2]"}, "not valid JSON"),
        # States.ArrayPartition
        (
            "States.ArrayPartition($.a, $.n)",
            {"a": [1], "n": 0},
            "the 2nd argument (chunk size) must be a positive, non-zero integer, but got 0",
        ),
        (
            "States.ArrayPartition($.a, $.n)",
            {"a": [1], "n": 1.5},
            "must be a positive, non-zero integer, but got 1.5",
        ),
        ("States.ArrayPartition($.a, 2)", {"a": {"x": 1}}, "must be an array, but got an object"),
        # States.ArrayRange
        ("States.ArrayRange(1, 2, $.s)", {"s": 0}, "the 3rd argument (step) must not be 0, but got 0"),
        ("States.ArrayRange(1, 2, $.s)", {"s": 0.4}, "must not be 0, but got 0.4"),
        ("States.ArrayRange(1, 2, $.s)", {"s": -0.9}, "must not be 0, but got -0.9"),
        # States.MathAdd works on Java ints (tiny-asl-machine, States.MathAdd.ts, MADD-011 to MADD-014)
        ("States.MathAdd($.a, 1)", {"a": 2147483647}, "the sum (2147483648) is outside the integer range"),
        ("States.MathAdd($.a, -1)", {"a": -2147483648}, "the sum (-2147483649) is outside"),
        ("States.MathAdd($.a, 1)", {"a": 3000000000}, "the 1st argument (3000000000) is outside"),
        ("States.MathAdd(1, $.a)", {"a": -3000000000}, "the 2nd argument (-3000000000) is outside"),
        (
            "States.ArrayRange(0, $.e, 1)",
            {"e": 1000},
            "the array would have 1,001 items; it can't contain more than 1000",
        ),
        ("States.ArrayRange(0, 1, $.s)", {"s": "1"}, "must be a number"),
        # States.ArrayGetItem
        (
            "States.ArrayGetItem($.a, $.i)",
            {"a": [1, 2], "i": 2},
            "index 2 is out of bounds for an array of length 2",
        ),
        ("States.ArrayGetItem($.a, 0)", {"a": []}, "index 0 is out of bounds for an array of length 0"),
        ("States.ArrayGetItem($.a, $.i)", {"a": [1], "i": -1}, "must not be negative, but got -1"),
        # States.Base64Encode / Base64Decode / Hash: at most 10,000 characters
        (
            "States.Base64Encode($.s)",
            {"s": "x" * 10_001},
            "must be at most 10,000 characters long, but has 10,001",
        ),
        (
            "States.Base64Decode($.s)",
            {"s": "QQ==" * 2_501},
            "must be at most 10,000 characters long, but has 10,004",
        ),
        ("States.Hash($.s, 'MD5')", {"s": "x" * 10_001}, "at most 10,000 characters"),
        # States.MathRandom: the start must be below the end, after truncation (tiny-asl-machine)
        ("States.MathRandom($.a, $.b)", {"a": 5, "b": 1}, "the start (5) must be less than the end (1)"),
        ("States.MathRandom(1, 1)", None, "the start (1) must be less than the end (1)"),
        ("States.MathRandom(1.4, 1.6)", None, "the start (1) must be less than the end (1)"),
    ],
)
def test_run_time_failures(text: str, data: Any, fragment: str, evaluate: Evaluate) -> None:
    with pytest.raises(IntrinsicFailure) as failure:
        evaluate(text, data)
    # AWS reports intrinsic failures as States.Runtime (aws-test-harness/aws-test-harness, a test
    # run on AWS: MathAdd given a string; tiny-asl-machine's AWS-run intrinsic cases)
    assert failure.value.error == "States.Runtime"
    assert failure.value.cause is not None
    assert fragment in failure.value.cause


@pytest.mark.parametrize("size", [10_000, 0])
def test_limits_allow_exactly_ten_thousand_characters(size: int, evaluate: Evaluate) -> None:
    data = {"s": "x" * size}
    assert len(evaluate("States.Hash($.s, 'SHA-512')", data)) == 128
    encoded = evaluate("States.Base64Encode($.s)", data)
    assert evaluate("States.Base64Decode($.s)", {"s": encoded[:10_000]}).startswith("x" * min(size, 7_000))


def test_array_range_allows_exactly_a_thousand_items(evaluate: Evaluate) -> None:
    assert len(evaluate("States.ArrayRange(0, 999, 1)", None)) == 1000
    assert evaluate("States.ArrayRange(0, 99900, 100)", None)[-1] == 99900


def test_uuid_is_a_fresh_version_4_uuid(evaluate: Evaluate) -> None:
    first, second = evaluate("States.UUID()"), evaluate("States.UUID()")
    assert first != second
    for value in (first, second):
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)
        assert uuid.UUID(value).version == 4


def test_math_random_stays_within_start_and_end(evaluate: Evaluate) -> None:
    """The end is exclusive and fractional bounds are truncated, as on AWS (tiny-asl-machine, MRAND-001/008)."""
    values = {evaluate("States.MathRandom(1, 4)") for _ in range(300)}
    assert values == {1, 2, 3}
    assert {evaluate("States.MathRandom(1.6, 3.4)") for _ in range(300)} == {1, 2}
    assert all(type(value) is int for value in values)


def test_math_random_with_a_seed_is_repeatable(evaluate: Evaluate) -> None:
    seeded = {
        evaluate("States.MathRandom($.a, $.b, $.seed)", {"a": 1, "b": 999, "seed": 42}) for _ in range(5)
    }
    assert len(seeded) == 1
    assert 1 <= seeded.pop() <= 999
    others = {evaluate(f"States.MathRandom(0, 1000000, {seed})") for seed in range(20)}
    assert len(others) > 1
