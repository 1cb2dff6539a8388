"""Distributed Map: ItemReader (JSON, JSONL, CSV, listObjectsV2), ItemBatcher, ResultWriter over a local S3 folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl import StateMachine


def machine(extra: dict[str, Any], body: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Echo",
        "States": {"Echo": body or {"Type": "Pass", "End": True}},
    }
    return {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **extra, **fields}},
    }


def reader(key: str, input_type: str, **config: Any) -> dict[str, Any]:
    return {
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": input_type, **config},
            "Parameters": {"Bucket": "data", "Key.$": "$.key"}
            if key == "$"
            else {"Bucket": "data", "Key": key},
        }
    }


@pytest.fixture
def s3(tmp_path: Path) -> Path:
    bucket = tmp_path / "data"
    bucket.mkdir()
    (bucket / "items.json").write_text(json.dumps([{"n": 1}, {"n": 2}, {"n": 3}]))
    (bucket / "items.jsonl").write_text('{"n": 1}\n{"n": 2}\n')
    (bucket / "people.csv").write_text("name,age\nada,36\nalan,41\n")
    (bucket / "logs").mkdir()
    (bucket / "logs" / "a.txt").write_text("hello")
    (tmp_path / "out").mkdir()
    return tmp_path


def run(definition: dict[str, Any], s3: Path | None, input: Any = None) -> Any:
    return StateMachine(definition, s3_root=s3).run_sync(input or {})


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (reader("items.json", "JSON"), [{"n": 1}, {"n": 2}, {"n": 3}]),
        (reader("items.json", "JSON", MaxItems=2), [{"n": 1}, {"n": 2}]),
        (reader("items.jsonl", "JSONL"), [{"n": 1}, {"n": 2}]),
        (reader("people.csv", "CSV"), [{"name": "ada", "age": "36"}, {"name": "alan", "age": "41"}]),
        (
            reader("people.csv", "CSV", CSVHeaderLocation="GIVEN", CSVHeaders=["a", "b"]),
            [{"a": "name", "b": "age"}, {"a": "ada", "b": "36"}, {"a": "alan", "b": "41"}],
        ),
    ],
)
def test_item_readers(s3: Path, extra: dict[str, Any], expected: list[Any]) -> None:
    result = run(machine(extra), s3)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == expected
    assert "MapRunStarted" in result.event_types
    assert "MapIterationStarted" not in result.event_types


def test_reader_parameters_take_paths(s3: Path) -> None:
    assert run(machine(reader("$", "JSONL")), s3, {"key": "items.jsonl"}).output == [{"n": 1}, {"n": 2}]


def test_list_objects(s3: Path) -> None:
    extra = {
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            "Parameters": {"Bucket": "data", "Prefix": "logs/"},
        }
    }
    [item] = run(machine(extra), s3).output
    assert (item["Key"], item["Size"], item["StorageClass"]) == ("logs/a.txt", 5, "STANDARD")
    assert item["Etag"] == '"5d41402abc4b2a76b9719d911017c592"'


@pytest.mark.parametrize(
    ("s3_root", "extra", "fragment"),
    [
        (None, reader("items.json", "JSON"), "set s3_root in asl.toml or pass --s3-root"),
        ("tmp", reader("missing.json", "JSON"), "Error Code: NoSuchKey"),
        ("tmp", reader("items.jsonl", "JSON"), "not valid JSON"),
        ("tmp", reader("items.json", "PARQUET"), "not supported locally"),
    ],
)
def test_reader_failures(s3: Path, s3_root: str | None, extra: dict[str, Any], fragment: str) -> None:
    result = run(machine(extra), s3 if s3_root else None)
    assert result.error == "States.ItemReaderFailed"
    assert fragment in result.cause


def test_item_batcher(s3: Path) -> None:
    extra = {
        **reader("items.json", "JSON"),
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"job": "j1"}},
    }
    assert run(machine(extra), s3).output == [
        {"Items": [{"n": 1}, {"n": 2}], "BatchInput": {"job": "j1"}},
        {"Items": [{"n": 3}], "BatchInput": {"job": "j1"}},
    ]


def test_result_writer(s3: Path) -> None:
    body = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericEquals": 2, "Next": "Bad"}],
        "Default": "Good",
    }
    definition = machine(
        {
            **reader("items.json", "JSON"),
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "out", "Prefix": "runs"},
            },
        },
        ToleratedFailureCount=1,
    )
    definition["States"]["M"]["ItemProcessor"]["States"] = {
        "Echo": body,
        "Good": {"Type": "Pass", "End": True},
        "Bad": {"Type": "Fail", "Error": "Two", "Cause": "no twos"},
    }
    result = run(definition, s3)
    assert result.status == "SUCCEEDED", result.cause
    details = result.output["ResultWriterDetails"]
    assert details["Bucket"] == "out"
    assert details["Key"].startswith("runs/")
    assert details["Key"].endswith("/manifest.json")
    manifest = json.loads((s3 / "out" / details["Key"]).read_text())
    succeeded_key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
    succeeded = json.loads((s3 / "out" / succeeded_key).read_text())
    assert [json.loads(r["Output"]) for r in succeeded] == [{"n": 1}, {"n": 3}]
    failed = json.loads((s3 / "out" / manifest["ResultFiles"]["FAILED"][0]["Key"]).read_text())
    assert [(r["Error"], r["Cause"]) for r in failed] == [("Two", "no twos")]
    assert not list((s3 / "out").rglob(".*.tmp"))
