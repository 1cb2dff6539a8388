"""Malformed definitions never crash the loader or the validator: a seeded mutation sweep over real ones."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from asl import DefinitionError, ResourceNotFound, StateMachine
from asl.validate import validate

SAMPLES = sorted((Path(__file__).resolve().parents[3] / "samples").glob("*/workflow.json"))
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    1.5,
    "",
    "$",
    "$.",
    "States.Format(",
    "{% %}",
    [],
    {},
    [1],
    {"a": 1},
    True,
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _mutate(definition: Any, rng: random.Random) -> Any:
    mutated = copy.deepcopy(definition)
    for _ in range(rng.randint(1, 3)):
        paths = _paths(mutated)[1:]
        if not paths:
            break
        path = rng.choice(paths)
        parent = mutated
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rng.random() < 0.3:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
    return mutated


# Unserved Tasks no longer stop a run (they fail if reached): the sweep runs them, without the warning.
@pytest.mark.filterwarnings("ignore::asl.unserved.UnservedResourceWarning")
@pytest.mark.parametrize("sample", SAMPLES, ids=[p.parent.name for p in SAMPLES])
def test_mutated_definitions_fail_cleanly(sample: Path) -> None:
    rng = random.Random(sample.parent.name)
    original = json.loads(sample.read_text())
    for _ in range(150):
        mutated = _mutate(original, rng)
        diagnostics = validate(mutated)
        try:
            machine = StateMachine(mutated)
        except DefinitionError as exc:
            problems = exc.problems
            assert problems, "a DefinitionError must list its problems"
            continue
        assert all(d.severity in ("ERROR", "WARNING") for d in diagnostics)
        try:
            result = machine.run_sync({})
        except ResourceNotFound:
            continue
        assert result.status in ("SUCCEEDED", "FAILED", "TIMED_OUT")
