"""StringMatches' linear matcher agrees with a plain regular-expression reading of the glob on small inputs."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from asl.choice import _string_matches
from tests.bounded import bounded

PATTERN = st.text(alphabet="ab*\\.", max_size=12)
VALUE = st.text(alphabet="ab*\\.", max_size=16)


def reference(pattern: str) -> re.Pattern[str]:
    parts, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if pattern[i] == "*" else re.escape(pattern[i]))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


@given(PATTERN, VALUE)
def test_linear_matcher_agrees_with_the_regex_reading(pattern: str, value: str) -> None:
    with bounded(2):
        assert _string_matches(pattern)(value) is (reference(pattern).fullmatch(value) is not None)


@given(
    st.lists(st.text(alphabet="ab.@", max_size=3), min_size=1, max_size=30),
    st.text(alphabet="ab.@", max_size=5000),
)
def test_many_stars_against_long_values_stay_fast(parts: list[str], value: str) -> None:
    with bounded(2):
        _string_matches("*" + "*".join(parts) + "*x")(value)
