from __future__ import annotations

from typing import Any

import pytest

from asl.intrinsics.errors import IntrinsicSyntaxError
from asl.intrinsics.parser import MAX_DEPTH, Call, Literal, PathArg, parse


def shape(node: Call | Literal | PathArg) -> Any:
    """A compact form of a tree: calls as (name, [args]), paths as ('path', text), literals as values."""
    if isinstance(node, Call):
        return (node.name, [shape(arg) for arg in node.args])
    if isinstance(node, PathArg):
        return ("path", node.text)
    return node.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.UUID()", ("States.UUID", [])),
        ("States.Array( )", ("States.Array", [])),
        ("States.Array(1, -2, 3.5, -0.5)", ("States.Array", [1, -2, 3.5, -0.5])),
        ("States.Array(true, false, null)", ("States.Array", [True, False, None])),
        (r"States.Array('it\'s', '\{\}', '\\')", ("States.Array", ["it's", "{}", "\\"])),
        (
            "States.Array($.a[0], $['b c'], $$.Execution.Input.x, $v.f[1])",
            (
                "States.Array",
                [
                    ("path", "$.a[0]"),
                    ("path", "$['b c']"),
                    ("path", "$$.Execution.Input.x"),
                    ("path", "$v.f[1]"),
                ],
            ),
        ),
        (
            'States.JsonMerge(States.StringToJson(\'{"a": "b"}\'), $$.Execution.Input.x, false)',
            (
                "States.JsonMerge",
                [("States.StringToJson", ['{"a": "b"}']), ("path", "$$.Execution.Input.x"), False],
            ),
        ),
        (
            "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit($.arn, '/'), 2), 1)",
            (
                "States.Format",
                [
                    "{}.{}",
                    ("States.ArrayGetItem", [("States.StringSplit", [("path", "$.arn"), "/"]), 2]),
                    1,
                ],
            ),
        ),
        ("\n States.Array(\t1\n,\n2 ) \n", ("States.Array", [1, 2])),
    ],
)
def test_parse_trees(text: str, expected: Any) -> None:
    assert shape(parse(text)) == expected


def test_positions_are_columns_in_the_text() -> None:
    call = parse("States.Array(1, 'x', $.a, States.UUID())")
    assert call.position == 0
    assert [arg.position for arg in call.args] == [13, 16, 21, 26]


def test_nesting_up_to_the_limit_is_accepted() -> None:
    text = "States.Array(" * MAX_DEPTH + ")" * MAX_DEPTH
    depth, node = 0, parse(text)
    while True:
        depth += 1
        if not node.args:
            break
        inner = node.args[0]
        assert isinstance(inner, Call)
        node = inner
    assert depth == MAX_DEPTH


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "expected an intrinsic function call"),
        ("'abc'", 0, "expected an intrinsic function call"),
        ("$.a", 0, "expected an intrinsic function call"),
        ("States.Array", 12, "expected '(' after States.Array"),
        ("States.Array(1", 14, "expected ',' or ')'"),
        ("States.Array(1 2)", 15, "expected ',' or ')'"),
        ("States.Array(1,,2)", 15, "expected an argument, found ','"),
        ("States.Array(1,)", 15, "expected an argument, found ')'"),
        ("States.Array(,)", 13, "expected an argument"),
        ("States.Array(1) extra", 16, "expected end of text"),
        ("States.Array(1)(", 15, "expected end of text"),
        ("States.Array(True)", 13, "unexpected name 'True'"),
        ("States.Array(foo)", 13, "unexpected name 'foo'"),
        ("States.Array(" * (MAX_DEPTH + 1) + ")" * (MAX_DEPTH + 1), 13 * MAX_DEPTH, "nested at most 10 deep"),
    ],
)
def test_syntax_errors(text: str, position: int, fragment: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as error:
        parse(text)
    assert error.value.position == position
    assert fragment in error.value.message
