"""`asl validate` and `asl run` agree on every definition: one rule set decides what is valid.

A definition is valid for `asl validate` when it has no ERROR diagnostic, and for `asl run` when the
loader compiles it (`StateMachine(...)` raises no DefinitionError). The two are compared over every
definition file in the samples and the tests, every definition the tests build in code, the
AWS-recorded conformance cases (when ../shared is present), and a seeded sweep of mutations of them.
"""

from __future__ import annotations

import importlib
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asl import DefinitionError, StateMachine
from asl.parse import load_definition
from asl.validate import validate
from asl.validate.files import validate_file
from tests.conformance.cases import PUBLIC, load_cases
from tests.unit.core.test_robustness import _mutate

ROOT = Path(__file__).resolve().parents[1]
#: Test modules whose tables hold definitions built in code.
MODULES = [
    "tests.unit.validate.test_validate_rules",
    "tests.unit.validate.test_validate_syntax",
    "tests.unit.validate.test_validate_api",
    "tests.unit.validate.test_validate_aws_language",
    "tests.unit.core.test_robustness",
    "tests.unit.core.test_loading",
]


def _is_definition(value: Any) -> bool:
    return isinstance(value, dict) and "StartAt" in value and "States" in value


def _definitions_in(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if _is_definition(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _definitions_in(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _definitions_in(item, depth + 1)


def _in_code() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for name in MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, list | tuple | dict):
                found += list(_definitions_in(value))
    return found


def _files() -> list[Path]:
    files = []
    for path in sorted([*ROOT.glob("samples/**/*.json"), *ROOT.glob("tests/**/*.json")]):
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except ValueError:
            continue
        if _is_definition(data):
            files.append(path)
    return files


def _mutants(definitions: list[dict[str, Any]], count: int, seed: int = 11) -> list[Any]:
    rng = random.Random(seed)
    return [_mutate(rng.choice(definitions), rng) for _ in range(count)]


def _disagreement(definition: Any) -> str | None:
    errors = [d for d in validate(definition) if d.is_error]
    try:
        load_definition(definition)
        problems: list[Any] = []
    except DefinitionError as exc:
        problems = exc.problems
    if bool(errors) == bool(problems):
        return None
    if errors:
        return "validate refuses, run accepts: " + "; ".join(
            f"{d.code} {d.pointer} {d.message}" for d in errors
        )
    return "run refuses, validate accepts: " + "; ".join(str(p) for p in problems)


CODE = _in_code()


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_definition_files(path: Path) -> None:
    report = validate_file(path)
    try:
        StateMachine.from_file(path)
        runs = True
    except DefinitionError:
        runs = False
    assert runs == (not report.fails()), [d.message for d in report.diagnostics]


def test_definitions_built_in_the_tests() -> None:
    assert len(CODE) > 100
    assert [d for d in map(_disagreement, CODE) if d] == []


_BODY = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
#: Where the two used to disagree (issue 11), each with whether AWS accepts it.
KNOWN = [
    (
        "JSONata Map ItemSelector (AWS's ItemSelector page covers both query languages)",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "Items": "{% [1] %}",
                    "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}"},
                    "ItemProcessor": _BODY,
                    "End": True,
                }
            },
        },
        True,
    ),
    (
        "Assign of the reserved name states",
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"states": 1}, "End": True}}},
        False,
    ),
    (
        "a JSONPath state inside a JSONata Map (the Map's QueryLanguage does not reach its body)",
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "QueryLanguage": "JSONata",
                    "Items": "{% [1] %}",
                    "ItemProcessor": {
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "InputPath": "$", "End": True}},
                    },
                    "End": True,
                }
            },
        },
        True,
    ),
    (
        "QueryLanguage on a Map body",
        {
            "StartAt": "M",
            "States": {
                "M": {"Type": "Map", "ItemProcessor": {**_BODY, "QueryLanguage": "JSONPath"}, "End": True}
            },
        },
        False,
    ),
    (
        "HeartbeatSeconds with a TimeoutSeconds that is not a number",
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "HeartbeatSeconds": 5,
                    "TimeoutSeconds": "",
                    "End": True,
                }
            },
        },
        False,
    ),
    (
        "ItemsPath that is not a reference path",
        {
            "StartAt": "M",
            "States": {"M": {"Type": "Map", "ItemsPath": "$.a[*]", "ItemProcessor": _BODY, "End": True}},
        },
        False,
    ),
    (
        "Seconds past 99999999",
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100000000, "End": True}}},
        False,
    ),
]


@pytest.mark.parametrize(("definition", "valid"), [k[1:] for k in KNOWN], ids=[k[0] for k in KNOWN])
def test_known_disagreements(definition: dict[str, Any], valid: bool) -> None:
    assert _disagreement(definition) is None
    assert [d for d in validate(definition) if d.is_error] != valid


def test_mutations_of_every_definition() -> None:
    assert [d for d in map(_disagreement, _mutants(CODE, 1500)) if d] == []


@pytest.mark.skipif(
    not PUBLIC.exists(), reason="../shared/conformance is not next to this checkout (a user's clone)"
)
def test_conformance_definitions() -> None:
    definitions = [case["definition"] for case in load_cases()]
    assert [d for d in map(_disagreement, definitions) if d] == []
    assert [d for d in map(_disagreement, _mutants(definitions, 1500)) if d] == []


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ('\ufeff{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}', True),
        ('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}}}', False),
        ('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Type": "Pass", "End": true}}}', False),
        ('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": NaN, "End": true}}}', False),
        # CreateStateMachine's `definition` is at most 1,048,576 characters (botocore's stepfunctions model)
        (
            '{"StartAt": "A", "Comment": "' + "x" * 1_048_576 + '", "States": {"A": {"Type": "Succeed"}}}',
            False,
        ),
    ],
    ids=["byte-order-mark", "duplicate-state-name", "duplicate-key", "nan", "past-aws-size-limit"],
)
def test_text_level_rules(tmp_path: Path, text: str, valid: bool) -> None:
    path = tmp_path / "wf.json"
    path.write_text(text, encoding="utf-8")
    assert validate_file(path).fails() is not valid
    if valid:
        StateMachine.from_file(path)
    else:
        with pytest.raises(DefinitionError):
            StateMachine.from_file(path)
