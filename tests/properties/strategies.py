"""Hypothesis strategies: JSON values, ASL-shaped definitions, and token soups for paths, intrinsics, JSONata."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from tests.jsonwalk import places

#: ASL_FUZZ_EXAMPLES=N runs N examples per property (see conftest.py); CI runs a few.
FUZZ_EXAMPLES = int(os.environ.get("ASL_FUZZ_EXAMPLES", "0") or 0)


def few(examples: int) -> settings:
    """Settings for a property that is parametrized over many cases: `examples` each in CI."""
    return settings(max_examples=FUZZ_EXAMPLES or examples)


SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*/workflow.json"))

#: JSON as AWS accepts it: no NaN or Infinity, numbers of modest size, shallow.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)

NAMES = ["A", "B", "C", "Done"]
TYPES = ["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "Bogus"]
PATHS = [
    "$",
    "$.a",
    "$.a.b",
    "$.list[0]",
    "$..a",
    "$.a[*]",
    "$$.Execution.Id",
    "$x",
    "$.",
    "a",
    "$[",
    "$['a']",
]
RESOURCES = [
    "arn:aws:states:::lambda:invoke",
    "arn:aws:lambda:us-east-1:123456789012:function:f",
    "arn:aws:states:::sns:publish",
    "arn:aws:states:::aws-sdk:s3:getObject",
    "arn:aws:states:::nosuch:thing",
    "not an arn",
]


def _field_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(NAMES),
        st.sampled_from(PATHS),
        st.sampled_from(RESOURCES),
        st.integers(min_value=-2, max_value=5),
        st.booleans(),
        json_values,
    )


FIELDS = [
    "Next", "End", "Result", "ResultPath", "InputPath", "OutputPath", "Parameters", "ResultSelector",
    "Resource", "Seconds", "SecondsPath", "Timestamp", "Error", "Cause", "Default", "Choices", "Branches",
    "ItemsPath", "ItemProcessor", "Iterator", "MaxConcurrency", "Retry", "Catch", "TimeoutSeconds",
    "HeartbeatSeconds", "Assign", "Output", "Arguments", "QueryLanguage", "Comment", "Items",
]  # fmt: skip


@st.composite
def state(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """One state: a Type, often a sensible transition, and random fields with plausible or odd values."""
    body: dict[str, Any] = {"Type": draw(st.sampled_from(TYPES))}
    if draw(st.booleans()):
        body["Next" if draw(st.booleans()) else "End"] = (
            draw(st.sampled_from(NAMES)) if "Next" not in body else True
        )
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        if field in ("Branches", "ItemProcessor", "Iterator") and depth < 1:
            inner = draw(machine(depth + 1))
            body[field] = [inner] if field == "Branches" else inner
        elif field == "Choices":
            rule = {"Variable": draw(st.sampled_from(PATHS)), "Next": draw(st.sampled_from(NAMES))}
            rule[
                draw(st.sampled_from(["StringEquals", "NumericGreaterThan", "IsPresent", "StringMatches"]))
            ] = draw(_field_values())
            body[field] = [rule]
        elif field in ("Retry", "Catch"):
            body[field] = [{"ErrorEquals": ["States.ALL"], "Next": draw(st.sampled_from(NAMES))}]
        else:
            body[field] = draw(_field_values())
    return body


@st.composite
def machine(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """A definition (or branch) of one to four states."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    states = {name: draw(state(depth)) for name in names}
    definition: dict[str, Any] = {"StartAt": draw(st.sampled_from([*names, "Nowhere"])), "States": states}
    if draw(st.integers(0, 9)) == 0:
        definition["QueryLanguage"] = "JSONata"
    return definition


@st.composite
def mutated_sample(draw: st.DrawFn) -> dict[str, Any]:
    """A sample workflow with one to three values replaced or removed."""
    sample = draw(st.sampled_from(SAMPLES))
    definition = json.loads(sample.read_text())
    for _ in range(draw(st.integers(1, 3))):
        paths = places(definition)[1:]
        path = draw(st.sampled_from(paths))
        parent = definition
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(_field_values())
        if not isinstance(definition, dict):
            break
    return definition


def soup(tokens: list[str], max_size: int = 12) -> st.SearchStrategy[str]:
    """Strings glued from grammar tokens and a little noise."""
    piece = st.sampled_from(tokens) | st.text(alphabet="$.[]()'\",*?@:0123456789ab ", max_size=2)
    return st.lists(piece, max_size=max_size).map("".join)


JSONPATH_TOKENS = [
    "$", "$$", ".", "..", "a", "b", "list", "[0]", "[-1]", "[*]", "['a']", '["b"]', "[1:2]", "[::2]",
    "[?(@.a > 1)]", "[?(@.b == 'x')]", "[0,1]", ".length()", "Execution", ".Id", "Map.Item.Value", "$var",
]  # fmt: skip
INTRINSIC_TOKENS = [
    "States.Format(", "States.StringToJson(", "States.JsonToString(", "States.Array(", "States.ArrayPartition(",
    "States.ArrayContains(", "States.ArrayRange(", "States.ArrayGetItem(", "States.ArrayLength(",
    "States.ArrayUnique(", "States.Base64Encode(", "States.Base64Decode(", "States.Hash(", "States.JsonMerge(",
    "States.MathRandom(", "States.MathAdd(", "States.StringSplit(", "States.UUID(", "States.Nope(",
    ")", ", ", "'x'", "'{}'", "'a,b'", "'SHA-256'", "1", "-3", "2.5", "null", "true", "$.a", "$.list", "$",
    "$$.Execution.Name", "\\'", "'",
]  # fmt: skip
JSONATA_TOKENS = [
    "$states.input", "$states.input.a", "$states.context", "$x", "$count(", "$sum(", "$string(", "$number(",
    "$keys(", "$partition(", "$range(", "$hash(", "$uuid()", "$random()", "$parse(", "$split(", "$join(",
    "$map(", "$filter(", "$reduce(", "$eval(", "$exists(", "$substring(", "$uppercase(", "$now()",
    "(", ")", "[", "]", "{", "}", ",", ":", ";", " ", "+", "-", "*", "/", "%", "&", "=", "!=", "<", ">=",
    "and", "or", "?", ":=", "~>", ".", "..", "a", "b", "\"s\"", "'t'", "1", "0", "2.5", "true", "null",
]  # fmt: skip


def outcome(machine: Any, input: Any) -> Any:
    """Run `machine` on `input`: its ExecutionResult, or None when it raised one of our documented errors."""
    import warnings

    from asl import AslError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unserved Task states: they fail if reached
            return machine.run_sync(input)
    except AslError:
        return None
