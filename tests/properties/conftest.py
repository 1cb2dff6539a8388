"""Hypothesis settings for the property-based tests: small and fast in CI, larger on demand.

    python -m pytest -q tests/properties                          # CI: 40 examples per property
    ASL_FUZZ_EXAMPLES=5000 python -m pytest -q tests/properties    # a longer fuzz run

Examples are derandomized in CI (the same inputs every run, so a failure reproduces) and random in a fuzz run.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.properties.strategies import FUZZ_EXAMPLES as _EXAMPLES

settings.register_profile(
    "asl",
    max_examples=_EXAMPLES or 40,
    derandomize=not _EXAMPLES,
    deadline=None,  # each example has a hard bound instead (tests/bounded.py)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile("asl")
