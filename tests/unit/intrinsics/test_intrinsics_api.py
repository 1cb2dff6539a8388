"""The public surface of `asl.intrinsics` and its contract with the caller's path compiler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import asl.intrinsics
from asl.errors import ParameterPathFailure, StatesRuntime
from asl.intrinsics import IntrinsicSyntaxError, compile_intrinsic, is_intrinsic
from asl.intrinsics.registry import FUNCTIONS, build_registry

PathCompiler = Callable[[str], Callable[[Any], Any]]

AWS_FUNCTIONS = {
    "States.Format",
    "States.StringToJson",
    "States.JsonToString",
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
}


def test_public_names_are_exactly_these() -> None:
    assert asl.intrinsics.__all__ == ["IntrinsicSyntaxError", "compile_intrinsic", "is_intrinsic"]
    assert issubclass(IntrinsicSyntaxError, ValueError)


def test_the_registry_holds_the_eighteen_aws_functions() -> None:
    assert set(FUNCTIONS) == AWS_FUNCTIONS
    with pytest.raises(TypeError):
        FUNCTIONS["States.Extra"] = FUNCTIONS["States.UUID"]  # type: ignore[index]


def test_the_registry_refuses_duplicates() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        build_registry([FUNCTIONS["States.UUID"], FUNCTIONS["States.UUID"]])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('{}', $.a)", True),
        ("States.UUID()", True),
        ("States.Array ()", True),
        ("  States.Array(1)  ", True),
        ("States.NotAFunction(1)", True),
        ("$.a", False),
        ("$", False),
        ("$$.Execution.Input", False),
        ("$var", False),
        ("States.Format", False),
        ("states.Format('x')", False),
        ("XStates.Format('x')", False),
        ("Format('x')", False),
        ("", False),
    ],
)
def test_is_intrinsic(text: str, expected: bool) -> None:
    assert is_intrinsic(text) is expected


def test_is_intrinsic_is_false_for_non_strings() -> None:
    assert is_intrinsic(None) is False  # type: ignore[arg-type]
    assert is_intrinsic(42) is False  # type: ignore[arg-type]


def test_paths_are_compiled_once_at_compile_time_and_read_per_evaluation() -> None:
    compiled: list[str] = []
    reads: list[tuple[str, Any]] = []

    def compile_path(text: str) -> Callable[[Any], Any]:
        compiled.append(text)

        def get(scope: Any) -> Any:
            reads.append((text, scope))
            return scope[text]

        return get

    evaluate = compile_intrinsic("States.Format('{}-{}', $.a, States.MathAdd($$.b, 1))", compile_path)
    assert compiled == ["$.a", "$$.b"]
    assert reads == []
    assert evaluate({"$.a": "x", "$$.b": 1}) == "x-2"
    assert evaluate({"$.a": "y", "$$.b": 5}) == "y-6"
    assert compiled == ["$.a", "$$.b"]
    assert [text for text, _ in reads] == ["$.a", "$$.b", "$.a", "$$.b"]


@pytest.mark.parametrize("error", [StatesRuntime("no such path"), ParameterPathFailure("missing")])
def test_errors_from_path_getters_propagate_unchanged(error: Exception) -> None:
    def compile_path(text: str) -> Callable[[Any], Any]:
        def get(scope: Any) -> Any:
            raise error

        return get

    evaluate = compile_intrinsic("States.ArrayLength(States.Array($.missing))", compile_path)
    with pytest.raises(type(error)) as raised:
        evaluate(None)
    assert raised.value is error


def test_the_missing_path_error_of_the_test_path_compiler_propagates(evaluate: Callable[..., Any]) -> None:
    with pytest.raises(StatesRuntime, match=r"\$\.nope"):
        evaluate("States.Format('{}', $.nope)", {})


def test_variables_and_context_paths_are_resolved_by_the_path_compiler(evaluate: Callable[..., Any]) -> None:
    result = evaluate(
        "States.Array($v, $v.f[1], $$.Execution.Input.x, $['a b'])",
        {"x": 1, "a b": 2},
        variables={"v": {"f": [0, "one"]}},
    )
    assert result == [{"f": [0, "one"]}, "one", 1, 2]


def test_one_compiled_evaluator_serves_many_scopes(path_compiler: PathCompiler, make_scope: Any) -> None:
    evaluate = compile_intrinsic("States.MathAdd($.n, 1)", path_compiler)
    assert [evaluate(make_scope({"n": n})) for n in range(5)] == [1, 2, 3, 4, 5]
