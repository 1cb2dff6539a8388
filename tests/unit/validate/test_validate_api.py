"""validate(): its public names, positions, robustness on any JSON, and the schema file itself."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

import asl.validate
from asl.source import Source
from asl.validate import CODES, Diagnostic, validate
from asl.validate.shape import SCHEMA_PATH


def test_public_names() -> None:
    assert sorted(asl.validate.__all__) == [
        "CODES",
        "Diagnostic",
        "Severity",
        "validate",
        "validate_state_machine_definition",
    ]


def test_codes_have_a_severity_and_a_description() -> None:
    for code, (severity, text) in CODES.items():
        assert code.isupper()
        assert severity in ("ERROR", "WARNING")
        assert text.endswith(".")


def test_ci_guide_lists_every_code_and_the_hook_runs_asl_validate() -> None:
    root = Path(__file__).resolve().parents[3]
    guide = (root / "docs" / "ci.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"| `{code}` | {CODES[code][0]} |" not in guide] == []
    hooks = (root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: asl-validate" in hooks
    assert "entry: asl validate" in hooks


def test_schema_is_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_diagnostic_is_frozen_and_converts_to_a_problem() -> None:
    d = Diagnostic("ERROR", "MISSING_TRANSITION_TARGET", "State 'B' is never reached", "/States/B", 4, 5)
    with pytest.raises(AttributeError):
        d.code = "X"  # type: ignore[misc]
    problem = d.as_problem()
    assert (problem.pointer, problem.code, problem.line, problem.column) == (
        "/States/B",
        "MISSING_TRANSITION_TARGET",
        4,
        5,
    )
    assert d.is_error


def test_valid_definition_has_no_diagnostics() -> None:
    assert validate({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}) == []


@pytest.mark.parametrize("definition", [None, "", "  "])
def test_empty_definition(definition: Any) -> None:
    assert [(d.code, d.pointer) for d in validate(definition)] == [("MISSING_DESCRIPTION", "")]


def test_lines_and_columns_come_from_the_source_and_order_the_result() -> None:
    text = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Next": "Z"},\n    "B": {"Type": "Succeed"}\n  }\n}'
    found = validate(json.loads(text), Source(text, "m.json"))
    assert [(d.code, d.line, d.column) for d in found] == [
        ("MISSING_TRANSITION_TARGET", 4, 27),
        ("MISSING_TRANSITION_TARGET", 5, 5),
    ]


def test_too_deeply_nested_is_a_diagnostic() -> None:
    definition: dict[str, Any] = {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}
    for i in range(200):
        definition = {
            "StartAt": f"P{i}",
            "States": {f"P{i}": {"Type": "Parallel", "Branches": [definition], "End": True}},
        }
    assert [(d.code, d.pointer) for d in validate(definition)] == [("TOO_DEEPLY_NESTED", "")]


def test_deep_but_reasonable_nesting_is_checked() -> None:
    definition: dict[str, Any] = {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}
    for i in range(20):
        definition = {
            "StartAt": f"P{i}",
            "States": {f"P{i}": {"Type": "Parallel", "Branches": [definition], "End": True}},
        }
    assert validate(definition) == []


def test_recursion_inside_a_check_becomes_too_deeply_nested(monkeypatch: pytest.MonkeyPatch) -> None:
    import asl.validate.rules

    def recurse(tree: Any) -> list[Diagnostic]:
        raise RecursionError

    monkeypatch.setattr(asl.validate.rules, "check_rules", recurse)
    found = validate({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    assert [d.code for d in found] == ["TOO_DEEPLY_NESTED"]


def test_a_crashing_check_becomes_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import asl.validate.rules

    def broken(tree: Any) -> list[Diagnostic]:
        raise KeyError("boom")

    monkeypatch.setattr(asl.validate.rules, "check_rules", broken)
    found = validate({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    assert [(d.severity, d.code) for d in found] == [("WARNING", "INTERNAL_ERROR")]


_ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2.5,
    10**30,
    float("nan"),
    "",
    "$",
    "$$",
    "$.a[",
    "{%",
    "{% [ %}",
    "{%  %}",
    "States.Format(",
    "States.ALL",
    "arn:",
    "arn:aws:states:::aws-sdk:s3:getObject",
    [],
    {},
    [1, None],
    {"a.$": 3},
    {"Type": "Map"},
    {"Type": "Parallel", "Branches": [{}]},
    {"StartAt": 1},
    {"End": "yes"},
    {"Not": {"Not": {}}},
    {"Type": "Choice", "Choices": [{"And": [None]}]},
]
_KEYS = [
    "Type",
    "Next",
    "End",
    "States",
    "StartAt",
    "Choices",
    "Catch",
    "Retry",
    "ErrorEquals",
    "Parameters",
    "Assign",
    "Output",
    "Arguments",
    "ItemProcessor",
    "Iterator",
    "Branches",
    "Resource",
    "Variable",
    "And",
    "Not",
    "Condition",
    "x.$",
    "QueryLanguage",
    "Default",
    "ResultPath",
    "Label",
    "ItemReader",
    "Items",
    "TimeoutSeconds",
]
_SEEDS: list[dict[str, Any]] = [
    {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Parameters": {"x.$": "$.y"}, "Next": "B"},
            "B": {"Type": "Succeed"},
        },
    },
    {
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.items %}",
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {
                        "T": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Arguments": {"p": "{% $states.input %}"},
                            "End": True,
                        }
                    },
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}],
                "End": True,
            },
            "F": {"Type": "Fail", "Error": "E"},
        },
    },
    {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"And": [{"Variable": "$.a", "IsPresent": True}], "Next": "W"}],
                "Default": "W",
            },
            "W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}],
                "End": True,
            },
        },
    },
]


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    found = [(path, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _nodes(v, (*path, i))
    return found


def _mutate(rnd: random.Random, definition: Any) -> Any:
    for _ in range(rnd.randint(1, 4)):
        path, node = rnd.choice(_nodes(definition))
        value = copy.deepcopy(rnd.choice(_ODD_VALUES))
        if not path:
            definition = value if rnd.random() < 0.2 else definition
        elif rnd.random() < 0.5 or not isinstance(node, dict):
            parent = definition
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = value
        else:
            node[rnd.choice(_KEYS)] = value
    return definition


@pytest.mark.parametrize("seed", range(8))
def test_never_raises_on_arbitrary_json(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(150):
        definition = _mutate(rnd, copy.deepcopy(rnd.choice(_SEEDS)))
        found = validate(definition)
        assert all(isinstance(d, Diagnostic) for d in found)
        assert "INTERNAL_ERROR" not in {d.code for d in found}, (definition, found)
