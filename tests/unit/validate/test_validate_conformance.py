"""Never reject what AWS accepts: every definition AWS ran in the conformance file validates without ERROR."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl.validate import validate

CONFORMANCE = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "public.jsonl"


def _cases() -> list[Any]:
    if not CONFORMANCE.is_file():
        return [
            pytest.param(
                None, id="absent", marks=pytest.mark.skip(reason=f"no conformance file at {CONFORMANCE}")
            )
        ]
    rows = [json.loads(line) for line in CONFORMANCE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [pytest.param(row["definition"], id=row["id"]) for row in rows]


@pytest.mark.parametrize("definition", _cases())
def test_conformance_definition_has_no_errors(definition: Any) -> None:
    errors = [d for d in validate(definition) if d.is_error]
    assert errors == []
