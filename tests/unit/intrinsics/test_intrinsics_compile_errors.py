"""What AWS rejects when the definition loads: unknown names, arity, literal types and constraints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from asl.intrinsics import IntrinsicSyntaxError, compile_intrinsic

PathCompiler = Callable[[str], Callable[[Any], Any]]


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        # unknown functions
        ("States.Foo(1)", 0, "unknown intrinsic function 'States.Foo'"),
        ("States.format('x')", 0, "did you mean States.Format? (names are case-sensitive)"),
        ("States.Formatt('x')", 0, "did you mean States.Format?"),
        ("States.Array(States.Nope())", 13, "unknown intrinsic function 'States.Nope'"),
        ("Foo.Bar()", 0, "intrinsic functions are named States.<Name>"),
        # arity
        ("States.ArrayLength()", 0, "States.ArrayLength takes exactly 1 argument, but 0 were given"),
        ("States.ArrayLength($.a, $.b)", 24, "takes exactly 1 argument, but 2 were given"),
        ("States.UUID(1)", 12, "States.UUID takes no arguments, but 1 was given"),
        ("States.MathRandom(1)", 0, "States.MathRandom takes 2 to 3 arguments, but 1 was given"),
        ("States.MathRandom(1, 2, 3, 4)", 27, "takes 2 to 3 arguments, but 4 were given"),
        ("States.Format()", 0, "States.Format takes at least 1 argument, but 0 were given"),
        ("States.JsonMerge($.a, $.b)", 0, "takes exactly 3 arguments"),
        ("States.Hash('x')", 0, "takes exactly 2 arguments"),
        ("States.Array(States.ArrayRange(1, 2))", 13, "States.ArrayRange takes exactly 3 arguments"),
        # literal types
        ("States.ArrayLength('x')", 19, "the 1st argument (array) must be an array, but got a string"),
        ("States.ArrayGetItem($.a, 'x')", 25, "the 2nd argument (index) must be a number, but got a string"),
        ("States.MathAdd(1, true)", 18, "the 2nd argument (number) must be a number, but got a boolean"),
        ("States.MathAdd(null, 1)", 15, "must be a number, but got null"),
        ("States.StringToJson(1)", 20, "the 1st argument (string) must be a string, but got an integer"),
        ("States.Format(1, 2)", 14, "the 1st argument (template) must be a string"),
        ("States.StringSplit('a', 1.5)", 24, "must be a string, but got a decimal number"),
        ("States.JsonMerge($.a, $.b, 'false')", 27, "the 3rd argument (deep) must be a boolean"),
        ("States.Base64Encode(null)", 20, "must be a string, but got null"),
        # nested calls with a declared return kind that cannot fit
        (
            "States.ArrayLength(States.Format('x'))",
            19,
            "must be an array, but States.Format returns a string",
        ),
        ("States.MathAdd(States.UUID(), 1)", 15, "must be a number, but States.UUID returns a string"),
        ("States.StringSplit(States.ArrayLength($.a), ',')", 19, "but States.ArrayLength returns an integer"),
        # constraints on literal values
        ("States.JsonMerge($.a, $.b, true)", 27, "must be false: only shallow merging is supported"),
        ("States.ArrayPartition($.a, 0)", 27, "must be a positive, non-zero integer, but got 0"),
        ("States.ArrayPartition($.a, -2)", 27, "must be a positive, non-zero integer"),
        ("States.ArrayPartition($.a, 1.5)", 27, "must be a positive, non-zero integer, but got 1.5"),
        ("States.ArrayRange(1, 5, 0)", 24, "the 3rd argument (step) must not be 0, but got 0"),
        ("States.ArrayRange(1, 5, -0.5)", 24, "must not be 0, but got -0.5"),
        ("States.ArrayGetItem($.a, -1)", 25, "must not be negative, but got -1"),
        (
            "States.Hash($.a, 'SHA-2')",
            17,
            'must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, but got "SHA-2"',
        ),
        ("States.Hash($.a, 'sha-256')", 17, "must be one of"),
        (
            "States.Base64Encode('" + "x" * 10_001 + "')",
            20,
            "must be at most 10,000 characters long, but has 10,001",
        ),
        ("States.Hash('" + "x" * 10_001 + "', 'MD5')", 12, "at most 10,000 characters"),
        # States.Format placeholders against values
        ("States.Format('{} and {}', 1)", 14, "the template has 2 placeholders '{}' but 1 value was given"),
        ("States.Format('none', 1)", 14, "the template has 0 placeholders '{}' but 1 value was given"),
        ("States.Format('{}')", 14, "the template has 1 placeholder '{}' but 0 values were given"),
        (r"States.Format('\{\}', 1)", 14, "the template has 0 placeholders"),
        # bad paths are reported at their column
        ("States.Array(1, $.a b)", 19, "invalid path '$.a b'"),
        # syntax
        ("States.Format('abc", 14, "unterminated string literal"),
        (r"States.Format('a\tb')", 16, "invalid escape"),
    ],
)
def test_compile_errors(text: str, position: int, fragment: str, path_compiler: PathCompiler) -> None:
    with pytest.raises(IntrinsicSyntaxError) as error:
        compile_intrinsic(text, path_compiler)
    assert fragment in error.value.message
    assert error.value.position == position
    assert error.value.text == text


def test_error_message_and_caret() -> None:
    with pytest.raises(IntrinsicSyntaxError) as error:
        compile_intrinsic("States.ArrayLength('x')", lambda path: lambda scope: None)
    assert str(error.value) == (
        "States.ArrayLength: the 1st argument (array) must be an array, but got a string "
        "(at column 19 of \"States.ArrayLength('x')\")"
    )
    assert error.value.caret() == "States.ArrayLength('x')\n" + " " * 19 + "^"
    assert isinstance(error.value, ValueError)


def test_path_compiler_errors_become_syntax_errors_at_the_path() -> None:
    class PathError(ValueError):
        position = 2

    def compile_path(text: str) -> Callable[[Any], Any]:
        raise PathError("bad step")

    with pytest.raises(IntrinsicSyntaxError) as error:
        compile_intrinsic("States.Array($.a..b)", compile_path)
    assert error.value.position == 13 + 2
    assert "invalid path '$.a..b': bad step" in error.value.message
    assert isinstance(error.value.__cause__, PathError)


def test_literal_arguments_are_checked_even_when_another_argument_is_a_path(
    path_compiler: PathCompiler,
) -> None:
    compile_intrinsic("States.ArrayPartition($.a, 2)", path_compiler)
    compile_intrinsic("States.JsonMerge($.a, $.b, false)", path_compiler)
    compile_intrinsic("States.Hash($.a, 'SHA-384')", path_compiler)
    compile_intrinsic("States.ArrayGetItem($.a, 2.0)", path_compiler)
