"""The JSONPath-mode intrinsic cases recorded against AWS, run through `compile_intrinsic` alone.

Each case is a one-state machine whose Parameters hold `"<key>.$": "States.X(...)"`; the test builds
that payload, applies ResultPath and OutputPath the plain way those cases use them, and compares
with AWS's output (types included: `1` is not `1.0` nor `true`), or expects the recorded error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asl.errors import StatesError
from asl.intrinsics import compile_intrinsic, is_intrinsic

PathCompiler = Callable[[str], Callable[[Any], Any]]

CASES_FILE = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "public.jsonl"

#: Cases that cannot pass, with the reason. Empty: every public case passes.
KNOWN_GAPS: dict[str, str] = {}


def _load_cases() -> list[Any]:
    if not CASES_FILE.exists():
        return [
            pytest.param(None, marks=pytest.mark.skip(reason=f"conformance file not found: {CASES_FILE}"))
        ]
    cases = []
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        if case["area"] != "intrinsic_functions" or "jsonata" in (case.get("tags") or []):
            continue
        marks = (
            [pytest.mark.xfail(reason=KNOWN_GAPS[case["id"]], strict=True)]
            if case["id"] in KNOWN_GAPS
            else []
        )
        cases.append(pytest.param(case, id=case["id"], marks=marks))
    return cases


def _only_state(definition: dict[str, Any]) -> dict[str, Any]:
    states = definition["States"]
    assert len(states) == 1, "the intrinsic cases are one-state machines"
    return next(iter(states.values()))


def _steps(path: str) -> list[str]:
    assert path == "$" or path.startswith("$."), f"unexpected path in a case: {path}"
    return [] if path == "$" else path[2:].split(".")


def _read(doc: Any, path: str) -> Any:
    for step in _steps(path):
        doc = doc[step]
    return doc


def _write(doc: Any, path: str, value: Any) -> Any:
    steps = _steps(path)
    if not steps:
        return value
    root = json.loads(json.dumps(doc))
    target = root
    for step in steps[:-1]:
        target = target.setdefault(step, {})
    target[steps[-1]] = value
    return root


def _typed(value: Any) -> Any:
    """A comparable form that keeps JSON types apart (`true` vs `1`, `1` vs `1.0`) and ignores key order."""
    if isinstance(value, dict):
        return ("object", sorted((key, _typed(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("array", [_typed(item) for item in value])
    return (type(value).__name__, value)


def _run_state(state: dict[str, Any], data: Any, compile_path: PathCompiler, make_scope: Any) -> Any:
    state_input = _read(data, state.get("InputPath", "$"))
    scope = make_scope(state_input, {"Execution": {"Input": data}})
    payload = {}
    for key, value in state["Parameters"].items():
        if key.endswith(".$"):
            assert is_intrinsic(value), value
            payload[key[:-2]] = compile_intrinsic(value, compile_path)(scope)
        else:
            payload[key] = value
    output = _write(state_input, state.get("ResultPath", "$"), payload)
    return _read(output, state.get("OutputPath", "$"))


@pytest.mark.parametrize("case", _load_cases())
def test_conformance_case(case: dict[str, Any], path_compiler: PathCompiler, make_scope: Any) -> None:
    state = _only_state(case["definition"])
    expect = case["expect"]
    if expect["status"] == "SUCCEEDED":
        output = _run_state(state, case["input"], path_compiler, make_scope)
        assert _typed(output) == _typed(expect["output"])
    else:
        with pytest.raises(StatesError) as failure:
            _run_state(state, case["input"], path_compiler, make_scope)
        assert failure.value.error == expect["error"]
