"""Retry and Catch: which errors a rule matches, and how long to wait before a retry.

The rules (ASL spec and AWS's error-handling guide): `States.ALL` matches every error except
`States.Runtime` and `States.DataLimitExceeded`; `States.TaskFailed` matches every error except
`States.Timeout` (and those two); `States.Runtime` is never retried or caught. Matching is
exact and case-sensitive; the first matching retrier or catcher wins.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from asl.model import Retrier

UNCATCHABLE_BY_ALL = frozenset({"States.Runtime", "States.DataLimitExceeded"})


def error_matches(error: str, error_equals: Sequence[str], also: str | None = None) -> bool:
    """True when a rule with `error_equals` handles `error` (or `also`, a second name it answers to)."""
    if error == "States.Runtime":
        return False
    for name in error_equals:
        if name == error or (also is not None and name == also):
            return True
        if name == "States.ALL" and error not in UNCATCHABLE_BY_ALL:
            return True
        if name == "States.TaskFailed" and error != "States.Timeout" and error not in UNCATCHABLE_BY_ALL:
            return True
    return False


def first_match(
    error: str, rules: Sequence[Retrier] | Sequence[object], also: str | None = None
) -> int | None:
    """Index of the first rule whose ErrorEquals matches `error` (or `also`)."""
    for index, rule in enumerate(rules):
        if error_matches(error, rule.error_equals, also):  # type: ignore[attr-defined]
            return index
    return None


def retry_delay(retrier: Retrier, attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `attempt` (0-based) under `retrier`."""
    delay = retrier.interval_seconds * retrier.backoff_rate**attempt
    if retrier.max_delay_seconds is not None:
        delay = min(delay, retrier.max_delay_seconds)
    if retrier.jitter == "FULL":
        delay = (rng or random).uniform(0, delay)
    return float(delay)
