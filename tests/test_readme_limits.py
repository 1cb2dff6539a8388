"""README's "Limits and safety" states the limits the code enforces (the numbers come from the code)."""

from __future__ import annotations

from pathlib import Path

from asl import jsonata_bounds, jsonvalue, s3
from asl.executor import VARIABLE_LIMIT, VARIABLES_TOTAL_LIMIT
from asl.files import STALE_SECONDS
from asl.machine import HISTORY_LIMIT, MAX_DURATION, PAYLOAD_LIMIT

ROOT = Path(__file__).resolve().parents[1]


def section() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("## Limits and safety", 1)[1].split("\n## ", 1)[0]


def test_the_limits_table_matches_the_code() -> None:
    limits = section()
    assert PAYLOAD_LIMIT == VARIABLE_LIMIT == 256 * 1024
    assert "256 KiB" in limits
    assert f"{HISTORY_LIMIT:,} (`--history-limit`" in limits
    assert VARIABLES_TOTAL_LIMIT == 10 * 1024 * 1024
    assert "10 MiB" in limits
    assert MAX_DURATION == 365 * 24 * 3600
    assert "one year" in limits
    assert f"{jsonvalue.MAX_DEPTH} levels" in limits
    assert f"{jsonata_bounds.MAX_DEPTH} levels deep" in limits
    assert f"{s3.MAX_KEY_BYTES:,} bytes of UTF-8" in limits
    assert STALE_SECONDS == 600
    assert "ten minutes old" in limits


def test_the_longer_fuzz_run_is_one_documented_command() -> None:
    limits = section()
    assert "ASL_FUZZ_EXAMPLES=" in limits
    assert "ASL_CRASH_ROUNDS=" in limits
    assert "python -m pytest -q tests/properties tests/test_crash_safety.py" in limits
