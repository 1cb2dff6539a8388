"""INVALID_S3_NAME: literal bucket names and keys that S3 refuses ("General purpose bucket naming rules",
"Creating object key names", Amazon S3 User Guide). AWS accepts the definition and the state fails when it
runs, so these are warnings and `asl run` still loads the definition."""

from __future__ import annotations

from typing import Any

import pytest

from asl import StateMachine
from asl.validate import validate


def map_with(reader_params: dict[str, Any], *, jsonata: bool = False) -> dict[str, Any]:
    field = "Arguments" if jsonata else "Parameters"
    state = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}},
        },
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            field: reader_params,
        },
        "End": True,
    }
    definition: dict[str, Any] = {"StartAt": "M", "States": {"M": state}}
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    return definition


def s3_findings(definition: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(d.severity, d.pointer, d.message) for d in validate(definition) if d.code == "INVALID_S3_NAME"]


@pytest.mark.parametrize(
    ("params", "pointer", "fragment"),
    [
        ({"Bucket": "..", "Key": "a.json"}, "/States/M/ItemReader/Parameters/Bucket", "InvalidBucketName"),
        ({"Bucket": "/etc", "Key": "a.json"}, "/States/M/ItemReader/Parameters/Bucket", "InvalidBucketName"),
        (
            {"Bucket": "My_Bucket", "Key": "a.json"},
            "/States/M/ItemReader/Parameters/Bucket",
            "before March 2018",
        ),
        ({"Bucket": "192.168.5.4", "Key": "a.json"}, "/States/M/ItemReader/Parameters/Bucket", "IP address"),
        ({"Bucket": "xn--data", "Key": "a.json"}, "/States/M/ItemReader/Parameters/Bucket", "'xn--'"),
        ({"Bucket": "data--ol-s3", "Key": "a.json"}, "/States/M/ItemReader/Parameters/Bucket", "'--ol-s3'"),
        ({"Bucket": "data", "Key": ""}, "/States/M/ItemReader/Parameters/Key", "must not be empty"),
        ({"Bucket": "data", "Key": "k" * 1025}, "/States/M/ItemReader/Parameters/Key", "1024 bytes"),
    ],
)
def test_literal_names_that_s3_refuses_are_flagged(
    params: dict[str, Any], pointer: str, fragment: str
) -> None:
    [(severity, where, message)] = s3_findings(map_with(params))
    assert (severity, where) == ("WARNING", pointer)
    assert fragment in message


@pytest.mark.parametrize(
    "params",
    [
        {"Bucket": "my-data.2024", "Key": "../odd but/valid key.json"},
        {"Bucket.$": "$.bucket", "Key.$": "$.key"},
        {"Bucket": "abc", "Key": "é" * 512},
    ],
)
def test_good_names_and_paths_are_not_flagged(params: dict[str, Any]) -> None:
    assert s3_findings(map_with(params)) == []


def test_jsonata_arguments_and_s3_tasks_are_checked_but_expressions_are_not() -> None:
    assert [
        f[1] for f in s3_findings(map_with({"Bucket": "..", "Key": "{% $states.input.k %}"}, jsonata=True))
    ] == ["/States/M/ItemReader/Arguments/Bucket"]
    task = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "Bad Bucket", "Key": "k"},
                "End": True,
            }
        },
    }
    assert [f[1] for f in s3_findings(task)] == ["/States/T/Parameters/Bucket"]


def test_a_flagged_definition_still_loads_as_on_aws() -> None:
    StateMachine(map_with({"Bucket": "..", "Key": "a.json"}))
