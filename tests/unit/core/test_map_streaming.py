"""A Distributed Map reads JSON Lines and CSV objects as it reaches each item, and spools its results.

What a run gives must not change: each case is checked against reading the object whole (the way it was
read before, kept here as the reference), and ResultWriter's files against encoding the records whole.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from asl import StateMachine
from asl.states import map_io, map_stream


def whole_jsonl(data: bytes) -> list[Any]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def whole_csv(data: bytes, reader: dict[str, Any]) -> list[Any]:
    delimiter = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}[
        reader.get("CSVDelimiter", "COMMA")
    ]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=delimiter))
    if reader.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = reader["CSVHeaders"]
    else:
        if not rows:
            return []
        headers, rows = rows[0], rows[1:]
    return [dict(zip(headers, row, strict=False)) for row in rows if row]


JSONL_FILES = [
    b'{"n": 1}\n{"n": 2}\n',
    b'{"n": 1}\r\n\r\n  \n{"n": 2}',
    b'{"a": "x\xe2\x80\xa8y"}\n{"b": [1, 2]}\r{"c": null}\n',  # U+2028 splits a line, as splitlines does
    b'{"b": [1, 2]}\r{"c": null}\x0c{"d": 1}\n',  # so do a bare CR and a form feed
    b"",
    b"\n\n",
    b'\xef\xbb\xbf{"bom": true}\n'.replace(b"\xef\xbb\xbf", b""),
    b'"text"\n3\n[1, {"x": {}}]\ntrue\n',
]
CSV_FILES: list[tuple[bytes, dict[str, Any]]] = [
    (b"name,age\nada,36\nalan,41\n", {}),
    (b'name,note\nada,"two\nlines"\r\nalan,"a,b"\n\n', {}),
    (b"a|b\n1|2\n", {"CSVDelimiter": "PIPE"}),
    (b"1,2\n3,4\n", {"CSVHeaderLocation": "GIVEN", "CSVHeaders": ["x", "y"]}),
    (b"", {}),
    (b"only,header\n", {}),
    (b"a,b\n1\n1,2,3\n", {}),
]


def streamed(tmp_path: Path, data: bytes, kind: str, reader: dict[str, Any], limit: int | None = None) -> Any:
    path = tmp_path / "object"
    path.write_bytes(data)
    count, sizes = map_stream.check_and_count(
        path, "s3://b/k", kind, reader, limit, map_io.ItemReaderFailed, True
    )
    return map_stream.StreamedItems(path, "s3://b/k", kind, reader, count, sizes, map_io.ItemReaderFailed)


def whole_jsonl_outcome(data: bytes) -> tuple[str, Any]:
    try:
        return ("items", whole_jsonl(data))
    except json.JSONDecodeError as exc:
        return ("error", f"the item file is not valid JSONL: {exc.msg} at line {exc.lineno}")


def streamed_outcome(tmp_path: Path, data: bytes) -> tuple[str, Any]:
    try:
        items = streamed(tmp_path, data, "JSONL", {})
    except map_io.ItemReaderFailed as exc:
        return ("error", exc.cause)
    assert items.sizes == [len(json.dumps(i, separators=(",", ":"))) for i in items]
    return ("items", list(items))


@pytest.mark.parametrize("data", JSONL_FILES)
def test_json_lines_read_as_reached_are_the_lines_read_whole(data: bytes, tmp_path: Path) -> None:
    assert streamed_outcome(tmp_path, data) == whole_jsonl_outcome(data)


@pytest.mark.parametrize(("data", "reader"), CSV_FILES)
def test_csv_rows_read_as_reached_are_the_rows_read_whole(
    data: bytes, reader: dict[str, Any], tmp_path: Path
) -> None:
    assert list(streamed(tmp_path, data, "CSV", reader)) == whole_csv(data, reader)


def test_items_can_be_asked_for_again_and_out_of_order(tmp_path: Path) -> None:
    data = b"".join(json.dumps({"n": n}).encode() + b"\n" for n in range(10))
    items = streamed(tmp_path, data, "JSONL", {}, limit=7)
    assert len(items) == 7
    assert [items[i]["n"] for i in (0, 1, 5, 2, 6, -1)] == [0, 1, 5, 2, 6, 6]
    assert [i["n"] for i in items[1:4]] == [1, 2, 3]
    with pytest.raises(IndexError):
        items[7]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"n": 1}\n{"n": \n', "the item file is not valid JSONL: Expecting value at line 1"),
        (b'{"n": 1}\n\xff\n', "s3://b/k is not UTF-8 text (byte 9); a JSONL item file must be UTF-8"),
        # Both wrong: the UTF-8 check covers the whole object first, as decoding it whole did.
        (
            b'{"n": \n{"n": 1}\n\xc3\x28\n',
            "s3://b/k is not UTF-8 text (byte 16); a JSONL item file must be UTF-8",
        ),
        (b"[" * 100_000 + b"\n", "the item file nests JSONL too deeply to read"),
    ],
)
def test_a_bad_object_fails_before_the_map_starts(data: bytes, message: str, tmp_path: Path) -> None:
    with pytest.raises(map_io.ItemReaderFailed) as caught:
        streamed(tmp_path, data, "JSONL", {})
    assert message in str(caught.value.cause)


def test_a_csv_header_list_is_required_for_given_headers(tmp_path: Path) -> None:
    with pytest.raises(map_io.ItemReaderFailed, match="needs CSVHeaders"):
        streamed(tmp_path, b"1,2\n", "CSV", {"CSVHeaderLocation": "GIVEN"})


@pytest.mark.parametrize(
    "batcher",
    [
        {"MaxItemsPerBatch": 3},
        {"MaxInputBytesPerBatch": 40},
        {"MaxItemsPerBatch": 2, "MaxInputBytesPerBatch": 30, "BatchInput": {"run": 1}},
        {},
    ],
)
def test_batches_of_streamed_items_are_the_batches_of_the_list(
    batcher: dict[str, Any], tmp_path: Path
) -> None:
    data = b"".join(json.dumps({"n": n, "pad": "x" * (n % 7)}).encode() + b"\n" for n in range(23))
    items = streamed(tmp_path, data, "JSONL", {})
    scope: Any = None
    assert list(map_io.batch(items, batcher, scope)) == map_io.batch(whole_jsonl(data), batcher, scope)


def definition(body: dict[str, Any], **map_fields: Any) -> dict[str, Any]:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Body",
        "States": {"Body": body},
    }
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSONL"},
                    "Parameters": {"Bucket": "data", "Key": "items.jsonl"},
                },
                "ItemProcessor": processor,
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "data"},
                },
                "End": True,
                **map_fields,
            }
        },
    }


FAILS_ON_ODD = {
    "Type": "Choice",
    "Choices": [{"Variable": "$.odd", "BooleanEquals": True, "Next": "Fail"}],
    "Default": "Done",
}


def test_result_files_are_the_records_encoded_whole(tmp_path: Path) -> None:
    bucket = tmp_path / "data"
    bucket.mkdir()
    items = [{"n": n, "odd": n % 2 == 1, "text": "é\u2028"} for n in range(25)]
    (bucket / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    body = {
        "StartAt": "Choose",
        "States": {
            "Choose": FAILS_ON_ODD,
            "Fail": {"Type": "Fail", "Error": "Odd", "Cause": "an odd item"},
            "Done": {"Type": "Pass", "End": True},
        },
    }
    processor_def = definition(
        {"Type": "Pass", "End": True}, ToleratedFailurePercentage=100, MaxConcurrency=4
    )
    processor_def["States"]["M"]["ItemProcessor"].update(body)
    result = StateMachine(processor_def, s3_root=tmp_path).run_sync({}, execution_name="e")
    assert result.status == "SUCCEEDED", result.cause
    folder = next((bucket).rglob("manifest.json")).parent
    arn = result.output["MapRunArn"]
    succeeded = [
        {"ExecutionArn": f"{arn}:{n}", "Status": "SUCCEEDED", "Output": json.dumps(i, separators=(",", ":"))}
        for n, i in enumerate(items)
        if not i["odd"]
    ]
    failed = [
        {"ExecutionArn": f"{arn}:{n}", "Status": "FAILED", "Error": "Odd", "Cause": "an odd item"}
        for n, i in enumerate(items)
        if i["odd"]
    ]
    assert (folder / "SUCCEEDED_0.json").read_text() == json.dumps(succeeded)
    assert (folder / "FAILED_0.json").read_text() == json.dumps(failed)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["ResultFiles"]["SUCCEEDED"][0]["Size"] == len(json.dumps(succeeded))
    assert manifest["ResultFiles"]["FAILED"][0]["Size"] == len(json.dumps(failed))
    assert manifest["ResultFiles"]["PENDING"] == []
