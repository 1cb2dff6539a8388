"""Retry and Catch: which errors a rule matches, and how long to wait before a retry.

The rules (ASL spec and AWS's error-handling guide): `States.ALL` matches every error except
`States.Runtime` and `States.DataLimitExceeded`; `States.TaskFailed` matches every error except
`States.Timeout` (and those two); `States.Runtime` is never retried or caught. Matching is
exact and case-sensitive; the first matching retrier or catcher wins.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from asl.model import Catcher, QueryLanguage, Retrier
from asl.paths import Scope, set_at

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


def catcher_output(
    catcher: Catcher, language: QueryLanguage, error: str, cause: str | None, raw: Any, scope: Scope
) -> tuple[Any, Any]:
    """What a catcher hands to its Next state, and what its Assign sets (None without Assign).

    JSONPath: the error output `{"Error", "Cause"}` placed into the state input by ResultPath;
    JSONata: the catcher's Output (default the error output), evaluated with `$states.errorOutput`.
    """
    error_output = {"Error": error, "Cause": cause or ""}
    if language is QueryLanguage.JSONATA:
        catch_scope = Scope(raw, scope.context, scope.variables, error_output=error_output)
        output = catcher.output(catch_scope) if catcher.output is not None else error_output
        return output, catcher.assign(catch_scope) if catcher.assign is not None else None
    if catcher.discard_result:
        output = raw
    elif catcher.result_path is None:
        output = error_output
    else:
        output = set_at(raw, catcher.result_path, error_output)
    assigned = catcher.assign(Scope(error_output, scope.context, scope.variables)) if catcher.assign else None
    return output, assigned
