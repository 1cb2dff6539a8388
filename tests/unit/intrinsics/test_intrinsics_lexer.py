from __future__ import annotations

import pytest

from asl.intrinsics.errors import IntrinsicSyntaxError
from asl.intrinsics.lexer import TokenKind, tokenize


def kinds(text: str) -> list[TokenKind]:
    return [token.kind for token in tokenize(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Array()", [TokenKind.NAME, TokenKind.LPAREN, TokenKind.RPAREN, TokenKind.END]),
        (
            "  States.Array( 1 ,'a' )  ",
            [
                TokenKind.NAME,
                TokenKind.LPAREN,
                TokenKind.NUMBER,
                TokenKind.COMMA,
                TokenKind.STRING,
                TokenKind.RPAREN,
                TokenKind.END,
            ],
        ),
        ("f($.a,$)", [TokenKind.NAME, TokenKind.LPAREN, TokenKind.PATH, TokenKind.COMMA, TokenKind.PATH]),
    ],
)
def test_token_kinds(text: str, expected: list[TokenKind]) -> None:
    assert kinds(text)[: len(expected)] == expected


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("1.5", 1.5),
        ("-0.25", -0.25),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
    ],
)
def test_numbers(source: str, value: float) -> None:
    token = tokenize(f"f({source})")[2]
    assert token.kind is TokenKind.NUMBER
    assert token.value == value
    assert type(token.value) is type(value)


@pytest.mark.parametrize(
    ("source", "value", "segments"),
    [
        ("''", "", ("",)),
        ("'plain'", "plain", ("plain",)),
        (r"'it\'s'", "it's", ("it's",)),
        (r"'a\\b'", "a\\b", ("a\\b",)),
        (r"'\{\}'", "{}", ("{}",)),
        ("'x{}y{}z'", "x{}y{}z", ("x", "y", "z")),
        (r"'\{}'", "{}", ("{}",)),
        (r"'{\}'", "{}", ("{}",)),
        ("'{ }'", "{ }", ("{ }",)),
        ("'{\"a\": 1}'", '{"a": 1}', ('{"a": 1}',)),
        ("'a, b) c'", "a, b) c", ("a, b) c",)),
        ("'$.not.a.path'", "$.not.a.path", ("$.not.a.path",)),
    ],
)
def test_strings_unescape_and_split_at_placeholders(
    source: str, value: str, segments: tuple[str, ...]
) -> None:
    token = tokenize(f"f({source})")[2]
    assert token.kind is TokenKind.STRING
    assert token.value == value
    assert token.segments == segments
    assert token.text == source


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("f($)", "$"),
        ("f($.a.b)", "$.a.b"),
        ("f($.a[0].b, 1)", "$.a[0].b"),
        ("f($.a   , 1)", "$.a"),
        ("f($['a,b'])", "$['a,b']"),
        ("f($['a)b'])", "$['a)b']"),
        ('f($["a\\"),"])', '$["a\\"),"]'),
        ("f($.a[?(@.b == 'x, y')], 2)", "$.a[?(@.b == 'x, y')]"),
        ("f($.items[(@.length-1)])", "$.items[(@.length-1)]"),
        ("f($$.Execution.Input.x)", "$$.Execution.Input.x"),
        ("f($$.Map.Item.Value)", "$$.Map.Item.Value"),
        ("f($varName)", "$varName"),
        ("f($varName.field[1])", "$varName.field[1]"),
    ],
)
def test_paths_run_to_a_top_level_comma_or_paren(text: str, path: str) -> None:
    token = tokenize(text)[2]
    assert token.kind is TokenKind.PATH
    assert token.text == path
    assert token.position == 2


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("f('abc", 2, "unterminated string"),
        (r"f('a\nb')", 4, "invalid escape '\\n'"),
        ("f('a\\", 4, "invalid escape"),
        ("f(#)", 2, "unexpected character '#'"),
        ("f(1.2.3)", 5, "invalid number"),
        ("f(12abc)", 4, "invalid number"),
        ("f(-)", 2, "invalid number"),
        ("f(.5)", 2, "unexpected character '.'"),
        ("f($.a[0)", 5, "'[' is closed by ')'"),
        ("f($.a[0", 5, "unclosed '['"),
        ("f($.a])", 5, "unbalanced ']'"),
        ("f($['a)", 4, "unterminated quoted name"),
    ],
)
def test_lexical_errors_point_at_the_problem(text: str, position: int, fragment: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as error:
        tokenize(text)
    assert error.value.position == position
    assert fragment in error.value.message
