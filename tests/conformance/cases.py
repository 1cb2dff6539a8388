"""Loading and comparing the conformance cases recorded against AWS (../shared/conformance)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
PUBLIC = SHARED / "public.jsonl"


def load_cases() -> list[dict[str, Any]]:
    """Every case of public.jsonl, or [] when ../shared is absent (a user's own clone)."""
    if not PUBLIC.exists():
        return []
    with PUBLIC.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _strip_fuzzy(doc: Any, fuzzy: list[str]) -> Any:
    """Replace the values at `fuzzy` paths (`$.output.a.b`) with a placeholder."""
    doc = json.loads(json.dumps(doc))
    for path in fuzzy:
        steps = path.removeprefix("$.").split(".")
        node = doc
        for step in steps[:-1]:
            node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, dict) and steps[-1] in node:
            node[steps[-1]] = "<fuzzy>"
    return doc


def compare_outcome(case: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Differences between the expected and actual status/output/error/cause."""
    expect = case["expect"]
    fuzzy = case.get("fuzzy", [])
    problems = []
    if got["status"] != expect["status"]:
        problems.append(
            f"status: expected {expect['status']}, got {got['status']} ({got.get('error')}: {got.get('cause')})"
        )
        return problems
    if expect["status"] == "SUCCEEDED":
        want = _strip_fuzzy({"output": expect.get("output")}, fuzzy)
        have = _strip_fuzzy({"output": got.get("output")}, fuzzy)
        if want != have:
            problems.append(
                f"output: expected {json.dumps(want['output'])}, got {json.dumps(have['output'])}"
            )
    else:
        for key in ("error", "cause"):
            if key in expect and expect[key] != got.get(key):
                problems.append(f"{key}: expected {expect[key]!r}, got {got.get(key)!r}")
    return problems


def compare_events(case: dict[str, Any], got: list[str]) -> list[str]:
    """Differences between the expected and actual event types."""
    want = case.get("events")
    if want is None:
        return []
    if case.get("events_lossy"):
        it = iter(got)
        if not all(any(e == g for g in it) for e in want):
            return [f"events: expected a subsequence {want}, got {got}"]
        total = case.get("events_total")
        if total is not None and total != len(got):
            return [f"events: expected {total} events, got {len(got)}: {got}"]
        return []
    ranges = case.get("events_unordered_ranges") or []
    if len(want) != len(got):
        return [f"events: expected {want}, got {got}"]
    unordered = set()
    for start, end in ranges:
        if Counter(want[start:end]) != Counter(got[start:end]):
            return [f"events[{start}:{end}]: expected {want[start:end]} in any order, got {got[start:end]}"]
        unordered.update(range(start, end))
    for i, (w, g) in enumerate(zip(want, got, strict=True)):
        if i not in unordered and w != g:
            return [f"events: first difference at {i}: expected {w}, got {g}; expected {want}, got {got}"]
    return []
