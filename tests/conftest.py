"""Test-wide hooks: report the conformance pass count at the end of the run."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.conformance.test_public import CASES, EXPECTED_FAILURES, RESULTS

    if not RESULTS:
        return
    passed = sum(RESULTS.values())
    terminalreporter.write_line(
        f"conformance: {passed} of {len(CASES)} AWS-recorded cases pass "
        f"({len(EXPECTED_FAILURES)} expected to fail, listed with reasons in tests/conformance/test_public.py)"
    )
