"""CloudFormation's intrinsic functions: their values, and the calls CloudFormation refuses, placed.

A refused call is an INVALID_TEMPLATE problem at the function's line (nothing `--sub` could supply);
`Fn::Select`'s wording follows CloudFormation's "Template error: Fn::Select cannot select nonexistent
value at index N" (quoted in aws-samples/1click-hpc#1 and many CloudFormation issue threads).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl.errors import DefinitionError
from asl.templates import read_any

CONDITIONS = {
    "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
    "C1": {"Condition": "C2"},
    "C2": {"Fn::Not": [{"Condition": "C1"}]},
}
PARAMETERS = {
    "Stage": {"Type": "String", "Default": "dev"},
    "Port": {"Type": "Number", "Default": 8080},
    "Zones": {"Type": "CommaDelimitedList", "Default": "a, b,c"},
    "Open": {"Type": "String"},
}
MAPPINGS = {"Env": {"dev": {"Table": "orders-dev"}}}


def _template(tmp_path: Path, value: Any) -> Path:
    template = {
        "Parameters": PARAMETERS,
        "Conditions": CONDITIONS,
        "Mappings": MAPPINGS,
        "Resources": {
            "Flow": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "Definition": {
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "Result": {"v": value}, "End": True}},
                    }
                },
            }
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template, indent=2))
    return path


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Fn::Cidr": ["10.0.0.0/16", 2, 8]}, ["10.0.0.0/24", "10.0.1.0/24"]),
        ({"Fn::Cidr": ["2001:db8::/56", "2", "64"]}, ["2001:db8::/64", "2001:db8:0:1::/64"]),
        ({"Fn::Sub": "${!Literal} in ${AWS::Region}"}, "${Literal} in us-east-1"),
        ({"Fn::Split": [",", "a,b"]}, ["a", "b"]),
        ({"Fn::Select": ["1", {"Ref": "Zones"}]}, "b"),
        ({"Fn::Join": ["-", [{"Ref": "Stage"}, {"Ref": "Port"}, 1]]}, "dev-8080-1"),
        ({"Fn::FindInMap": ["Env", {"Ref": "Stage"}, "Table"]}, "orders-dev"),
        ({"Fn::FindInMap": ["Env", "prod", "Table", {"DefaultValue": "x"}]}, "x"),
        ({"Fn::If": ["IsProd", "p", {"Ref": "Port"}]}, "8080"),
        ({"Fn::Base64": "hi"}, "aGk="),
    ],
)
def test_functions_resolve_as_cloudformation_resolves_them(tmp_path: Path, value: Any, expected: Any) -> None:
    assert read_any(_template(tmp_path, value)).definition["States"]["P"]["Result"]["v"] == expected


@pytest.mark.parametrize(
    ("value", "message", "at"),
    [
        ({"Fn::Select": [99, ["a"]]}, "Fn::Select cannot select nonexistent value at index 99", "Fn::Select"),
        ({"Fn::Select": [-1, ["a"]]}, "index must be a whole number, not -1", "-1"),
        ({"Fn::Select": [1.5, ["a", "b"]]}, "index must be a whole number, not 1.5", "1.5"),
        ({"Fn::Select": "x"}, "Fn::Select takes two values", "Fn::Select"),
        ({"Fn::Split": ["", "abc"]}, "Fn::Split's delimiter is empty", '""'),
        ({"Fn::Split": [",", 2]}, "Fn::Split splits a string, not a number", "2"),
        ({"Fn::Split": [1, "a"]}, "delimiter must be a string, not a number", "1"),
        ({"Fn::Join": [",", "abc"]}, "Fn::Join joins a list of strings, not a string", '"abc"'),
        ({"Fn::Join": [",", [{"a": 1}]]}, "Fn::Join's value 0 must be a string, not an object", "{"),
        ({"Fn::FindInMap": "x"}, "Fn::FindInMap takes three values", "Fn::FindInMap"),
        ({"Fn::FindInMap": ["Nope", "a", "b"]}, "Mappings has no Nope / a / b", "Fn::FindInMap"),
        ({"Fn::Cidr": ["10.0.0.0/16", 300, 8]}, "Fn::Cidr cannot make 300 subnets", "Fn::Cidr"),
        ({"Fn::Cidr": ["nonsense", 1, 8]}, "Fn::Cidr's ip block is not a CIDR block", '"nonsense"'),
        ({"Fn::Cidr": "10.0.0.0/16"}, "Fn::Cidr takes three values", "Fn::Cidr"),
        ({"Fn::Sub": ["${A}", {"A": [1, 2]}]}, "Fn::Sub's variable A is a list", '"A"'),
        ({"Fn::Sub": 5}, "Fn::Sub takes a string", "Fn::Sub"),
        ({"Ref": ["a"]}, 'Ref takes the name of a parameter or resource, not ["a"]', "Ref"),
        ({"Fn::GetAtt": 5}, "Fn::GetAtt takes [LogicalId, Attribute]", "Fn::GetAtt"),
        ({"Fn::If": ["IsProd", "a"]}, "Fn::If takes three values", "Fn::If"),
        (
            {"Fn::If": ["NoCond", "a", "b"]},
            'no condition "NoCond" in Conditions (conditions: IsProd, C1, C2)',
            '"NoCond"',
        ),
        ({"Fn::Equals": ["a"]}, "Fn::Equals takes two values", "Fn::Equals"),
        ({"Fn::Base64": {"a": 1}}, "Fn::Base64's value must be a string, not an object", "Fn::Base64"),
        ({"Condition": "C1"}, "the conditions refer to each other in a circle (C1 -> C2 -> C1)", '"C1"'),
        ({"Fn::If": ["C2", "a", "b"]}, "in a circle (C2 -> C1 -> C2)", '"C2"'),
        (
            {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
            "Fn::Transform AWS::Include runs in CloudFormation and is not evaluated locally",
            "Fn::Transform",
        ),
    ],
)
def test_what_cloudformation_refuses_is_an_invalid_template_placed_at_the_function(
    tmp_path: Path, value: Any, message: str, at: str
) -> None:
    path = _template(tmp_path, value)
    with pytest.raises(DefinitionError) as caught:
        read_any(path)
    (problem,) = caught.value.problems
    assert problem.code == "INVALID_TEMPLATE"
    assert message in problem.message
    assert "--sub" not in problem.message
    assert problem.line is not None
    assert at in path.read_text().splitlines()[problem.line - 1]


def test_an_argument_left_open_is_reported_once_as_its_own_placeholder(tmp_path: Path) -> None:
    path = _template(tmp_path, {"Fn::FindInMap": ["Env", {"Ref": "Open"}, "Table"]})
    with pytest.raises(DefinitionError) as caught:
        read_any(path)
    (problem,) = caught.value.problems
    assert problem.code == "UNRESOLVED_PLACEHOLDER"
    assert "--sub Open=VALUE" in problem.message
    assert read_any(path, {"Open": "dev"}).definition["States"]["P"]["Result"]["v"] == "orders-dev"


def test_an_escaped_sub_placeholder_is_literal_text_not_an_unresolved_one(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
        "      DefinitionSubstitutions: {Bucket: my-bucket}\n"
        "      Definition:\n        StartAt: P\n        States:\n          P:\n            Type: Pass\n"
        "            Parameters:\n              literal: !Sub '${!NotAPlaceholder}'\n"
        "              bucket: '${Bucket}'\n            End: true\n"
    )
    loaded = read_any(path)
    assert loaded.definition["States"]["P"]["Parameters"] == {
        "literal": "${NotAPlaceholder}",
        "bucket": "my-bucket",
    }
