"""Random JSONata expressions over random JSON: the compiled closures answer exactly as the engine does.

Expressions are drawn from the compiled subset (asl.jsonata_fast) and its edges: paths through objects,
arrays and scalars, every operator, constructors, conditions and deterministic functions, over data
whose keys the paths name, so values, undefined results and type errors all occur.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bounded import bounded
from tests.jsonata_reference import outcome

KEYS = ["a", "b", "k"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet="ab-1 ", max_size=4),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    ),
    max_leaves=8,
)

NAMES = st.sampled_from(KEYS)
ROOTS = st.sampled_from(["$states.input", "$states.context", "$states.result", "$v", "$w", "$missing"])


@st.composite
def paths(draw: Any) -> str:
    steps = draw(st.lists(NAMES, max_size=3))
    root = draw(st.one_of(ROOTS, st.just("")))
    if not root:
        return ".".join(steps) if steps else "$"
    return ".".join([root, *steps])


LITERALS = st.sampled_from(["0", "1", "2.5", "-3", "'a'", "''", "true", "false", "null", "1e3"])
FUNCTIONS = [
    "$string({})",
    "$number({})",
    "$count({})",
    "$length({})",
    "$uppercase({})",
    "$sum({})",
    "$exists({})",
    "$not({})",
    "$boolean({})",
    "$abs({})",
    "$floor({})",
    "$round({})",
    "$keys({})",
    "$reverse({})",
    "$max({})",
    "$join({}, ',')",
    "$substring({}, 1, 2)",
    "$contains({}, 'a')",
    "$append({}, {})",
    "$merge([{}])",
    "$lookup({}, 'a')",
    "$split({}, '-')",
    "$partition({}, 2)",
    "$hash({}, 'MD5')",
    "$type({})",
]
OPERATORS = ["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or", "&", "in"]


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"-{e}"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(NAMES, inner), max_size=3, unique_by=lambda t: t[0]).map(
            lambda pairs: "{" + ", ".join(f"'{k}': {v}" for k, v in pairs) + "}"
        ),
        st.tuples(st.sampled_from(FUNCTIONS), inner, inner).map(
            lambda t: t[0].format(t[1], t[2]) if t[0].count("{}") == 2 else t[0].format(t[1])
        ),
    )


EXPRESSIONS = st.recursive(st.one_of(paths(), LITERALS), _combine, max_leaves=6)


@settings(max_examples=200)
@given(EXPRESSIONS, JSON, JSON, JSON)
def test_compiled_expressions_answer_as_the_engine(expression: str, data: Any, v: Any, result: Any) -> None:
    variables = {"v": v, "w": [v, data]}
    with bounded(20, expression):
        fast = outcome(expression, data, variables, fast=True, result=result)
        assert fast == outcome(expression, data, variables, fast=False, result=result)
