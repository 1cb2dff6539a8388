"""The folder standing in for S3 confines every read, listing and write to its root, whatever the input says.

S3 never maps a key outside its bucket. Error codes and messages: "Error responses" (Amazon S3 API
Reference); bucket names: "General purpose bucket naming rules" (Amazon S3 User Guide). A Map whose
items or results cannot be read or written fails with States.ItemReaderFailed / States.ResultWriterFailed
("Handling errors in Step Functions workflows", Step Functions Developer Guide).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl import StateMachine


def map_state(extra: dict[str, Any]) -> dict[str, Any]:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Echo",
        "States": {"Echo": {"Type": "Pass", "End": True}},
    }
    return {"Type": "Map", "ItemProcessor": processor, **extra}


def machine(extra: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "M", "States": {"M": {**map_state(extra), "End": True}}}


GET = {
    "ItemReader": {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"},
    }
}
LIST = {
    "ItemReader": {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket.$": "$.bucket", "Prefix.$": "$.prefix"},
    }
}
WRITE = {
    "ItemsPath": "$.items",
    "ResultWriter": {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket.$": "$.bucket", "Prefix.$": "$.prefix"},
    },
}


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """tmp/s3 is the root (bucket `uploads`); tmp/secret.json and tmp/outside/ lie outside it."""
    (tmp_path / "secret.json").write_text(json.dumps(["SECRET"]))
    (tmp_path / "outside").mkdir()
    bucket = tmp_path / "s3" / "uploads"
    bucket.mkdir(parents=True)
    (bucket / "items.json").write_text(json.dumps([1, 2]))
    (bucket / "link.json").symlink_to(tmp_path / "secret.json")
    (bucket / "away").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "s3" / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    return tmp_path


def run(world: Path, extra: dict[str, Any], input: dict[str, Any]) -> Any:
    return StateMachine(machine(extra), s3_root=world / "s3").run_sync(input)


@pytest.mark.parametrize(
    ("bucket", "key", "code"),
    [
        ("uploads", str(Path("/etc/passwd")), "NoSuchKey"),
        ("uploads", "../../secret.json", "NoSuchKey"),
        ("uploads", "a//b.json", "NoSuchKey"),
        ("..", "secret.json", "InvalidBucketName"),
        ("/etc", "passwd", "InvalidBucketName"),
        ("up/loads", "items.json", "InvalidBucketName"),
        ("uploads", "link.json", "AccessDenied"),
        ("linked", "anything.json", "AccessDenied"),
        ("missing", "items.json", "NoSuchBucket"),
        ("uploads", "k" * 1025, "KeyTooLongError"),
        ("uploads", "", "NoSuchKey"),
    ],
)
def test_reads_stay_in_their_bucket(world: Path, bucket: str, key: str, code: str) -> None:
    result = run(world, GET, {"bucket": bucket, "key": key})
    assert result.status == "FAILED"
    assert result.error == "States.ItemReaderFailed"
    assert f"Error Code: {code}" in result.cause
    assert "SECRET" not in json.dumps(result.history)


def test_a_key_inside_the_bucket_still_reads(world: Path) -> None:
    assert run(world, GET, {"bucket": "uploads", "key": "items.json"}).output == [1, 2]


@pytest.mark.parametrize("bucket", ["..", ".", "/", str(Path("/etc")), "linked"])
def test_listings_refuse_buckets_outside_the_root(world: Path, bucket: str) -> None:
    result = run(world, LIST, {"bucket": bucket, "prefix": ""})
    assert result.error == "States.ItemReaderFailed", result.output


def test_listings_skip_links_out_of_the_bucket_and_temporary_files(world: Path) -> None:
    (world / "outside" / "o.json").write_text("{}")
    (world / "s3" / "uploads" / ".items.json.abc123.tmp").write_text("half")
    result = run(world, LIST, {"bucket": "uploads", "prefix": ""})
    assert [item["Key"] for item in result.output] == ["items.json"]


@pytest.mark.parametrize(
    ("bucket", "prefix", "code"),
    [
        ("..", "runs", "InvalidBucketName"),
        (str(Path("/tmp")), "runs", "InvalidBucketName"),
        ("uploads", "../../outside", "NoSuchKey"),
        ("uploads", "away", "AccessDenied"),
        ("uploads", "away/deeper", "AccessDenied"),
        ("linked", "runs", "AccessDenied"),
        ("results", "runs", "NoSuchBucket"),
        ("uploads", "items.json", "AccessDenied"),
    ],
)
def test_result_writer_stays_in_its_bucket(world: Path, bucket: str, prefix: str, code: str) -> None:
    before = {p for p in world.rglob("*") if "s3" not in p.relative_to(world).parts[:1]}
    result = run(world, WRITE, {"bucket": bucket, "prefix": prefix, "items": [1]})
    assert result.error == "States.ResultWriterFailed"
    assert f"Error Code: {code}" in result.cause
    after = {p for p in world.rglob("*") if "s3" not in p.relative_to(world).parts[:1]}
    assert after == before
    assert not list((world / "outside").iterdir())


def test_result_writer_writes_inside_the_bucket(world: Path) -> None:
    result = run(world, WRITE, {"bucket": "uploads", "prefix": "runs/", "items": [1]})
    key = result.output["ResultWriterDetails"]["Key"]
    assert (world / "s3" / "uploads" / key).is_file()


def test_an_object_that_is_not_utf8_is_a_catchable_reader_failure(world: Path) -> None:
    (world / "s3" / "uploads" / "latin1.json").write_bytes(b'["caf\xe9"]')
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                **map_state(GET),
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    result = StateMachine(definition, s3_root=world / "s3").run_sync(
        {"bucket": "uploads", "key": "latin1.json"}
    )
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "States.ItemReaderFailed"
    assert "UTF-8" in result.output["Cause"]


def test_a_deeply_nested_object_is_a_reader_failure(world: Path) -> None:
    (world / "s3" / "uploads" / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    result = run(world, GET, {"bucket": "uploads", "key": "deep.json"})
    assert result.error == "States.ItemReaderFailed"
