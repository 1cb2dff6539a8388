"""Distributed Map's ItemReader, ItemBatcher and ResultWriter, with a local folder standing in for S3.

An object `s3://<bucket>/<key>` is the file `<s3 root>/<bucket>/<key>`; the root comes from
`s3_root` in asl.toml or `--s3-root` (no root: the reader fails with States.ItemReaderFailed,
saying how to set one). Readers: `s3:getObject` with `ReaderConfig.InputType` JSON, JSONL or CSV
(`CSVHeaderLocation` FIRST_ROW or GIVEN with `CSVHeaders`), `MaxItems`; and `s3:listObjectsV2`
(`Bucket`, `Prefix`), whose items are `{Etag, Key, LastModified, Size, StorageClass}` as on AWS.
Buckets and keys are resolved by `asl.s3`, which keeps every read and write inside the root; what S3
would refuse fails the Map with States.ItemReaderFailed / States.ResultWriterFailed and S3's error code.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asl import jsonata, payload, s3
from asl.errors import Problem, StatesError, StatesRuntime
from asl.files import write_atomically
from asl.model import QueryLanguage
from asl.paths import Scope
from asl.states import map_stream

GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
PUT_OBJECT = "arn:aws:states:::s3:putObject"


class ItemReaderFailed(StatesError):
    """States.ItemReaderFailed: the Map's items could not be read."""

    error_name = "States.ItemReaderFailed"


class ResultWriterFailed(StatesError):
    """States.ResultWriterFailed: the Map's results could not be written."""

    error_name = "States.ResultWriterFailed"


def _parameters(config: dict[str, Any], scope: Scope, language: QueryLanguage) -> Any:
    """Evaluate the reader's/writer's Parameters (JSONPath) or Arguments (JSONata)."""
    problems: list[Problem] = []
    if language is QueryLanguage.JSONATA:
        expr = jsonata.compile_template(config.get("Arguments", {}), "Arguments", "", problems)
    else:
        expr = payload.compile_template(config.get("Parameters", {}), "", problems)
    if problems:
        raise StatesRuntime(f"invalid Parameters: {problems[0].message}")
    return expr(scope)


def _root(root: Path | None, bucket: Any, key: Any, error: type[StatesError]) -> Path:
    if root is None:
        raise error(
            f"s3://{bucket}/{key} is read from a local folder standing in for S3: set s3_root in asl.toml "
            "or pass --s3-root DIR (the object is then DIR/<bucket>/<key>)"
        )
    return root


def read_items(
    config: dict[str, Any], scope: Scope, language: QueryLanguage, root: Path | None, *, sizes: bool = False
) -> Sequence[Any]:
    """The items an ItemReader yields; a JSON Lines or CSV object's are read as the Map reaches them.

    `sizes`: a streamed object also records each item's size as compact JSON (for ItemBatcher).
    """
    params = _parameters(config, scope, language)
    if not isinstance(params, dict):
        raise ItemReaderFailed(
            "the ItemReader's Parameters must be an object with Bucket and Key (or Prefix)"
        )
    reader = config.get("ReaderConfig", {})
    resource = config.get("Resource")
    bucket = params.get("Bucket")
    limit = reader.get("MaxItems")
    limit = int(limit) if isinstance(limit, int) and limit > 0 else None
    try:
        if resource == LIST_OBJECTS:
            prefix = params.get("Prefix", "")
            top = _root(root, bucket, prefix, ItemReaderFailed)
            items = _list_objects(top, bucket, prefix if isinstance(prefix, str) else "")
        elif resource == GET_OBJECT:
            key = params.get("Key")
            kind = reader.get("InputType", "JSON")
            top = _root(root, bucket, key, ItemReaderFailed)
            if kind in ("JSONL", "CSV"):
                path = s3.object_file(top, bucket, key)
                name = f"s3://{bucket}/{key}"
                count, item_sizes = map_stream.check_and_count(
                    path, name, kind, reader, limit, ItemReaderFailed, sizes
                )
                return map_stream.StreamedItems(path, name, kind, reader, count, item_sizes, ItemReaderFailed)
            data = s3.read_object(top, bucket, key)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ItemReaderFailed(
                    f"s3://{bucket}/{key} is not UTF-8 text (byte {exc.start}); a {kind} item file must be UTF-8"
                ) from None
            items = _parse(text, reader)
        else:
            raise ItemReaderFailed(
                f"ItemReader resource {resource!r} is not supported locally; use {GET_OBJECT} or {LIST_OBJECTS}"
            )
    except s3.S3Error as exc:
        raise ItemReaderFailed(str(exc)) from None
    return items[:limit] if limit is not None else items


def _parse(text: str, reader: dict[str, Any]) -> list[Any]:
    kind = reader.get("InputType", "JSON")
    if kind != "JSON":
        raise ItemReaderFailed(f"InputType {kind!r} is not supported locally (JSON, JSONL and CSV are)")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ItemReaderFailed(f"the item file is not valid {kind}: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise ItemReaderFailed(f"the item file nests {kind} too deeply to read") from None
    if not isinstance(value, list):
        raise ItemReaderFailed("a JSON item file must hold an array")
    return value


def _list_objects(root: Path, bucket: Any, prefix: str) -> list[dict[str, Any]]:
    items = []
    for key, path in s3.list_objects(root, bucket, prefix):
        data = path.read_bytes()
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        items.append(
            {
                "Etag": f'"{hashlib.md5(data).hexdigest()}"',
                "Key": key,
                "LastModified": modified,
                "Size": len(data),
                "StorageClass": "STANDARD",
            }
        )
    return items


def batch(items: Sequence[Any], config: dict[str, Any], scope: Scope) -> Sequence[Any]:
    """Group items as ItemBatcher does: `{"Items": [...], "BatchInput": ...}` per batch."""
    size = config.get("MaxItemsPerBatch")
    if size is None and "MaxItemsPerBatchPath" in config:
        from asl.paths import compile_path

        size = compile_path(config["MaxItemsPerBatchPath"]).get(scope)
    max_bytes = config.get("MaxInputBytesPerBatch")
    batch_input = config.get("BatchInput")
    if not isinstance(size, int) or size <= 0:
        size = len(items) or 1

    def make(members: list[Any]) -> dict[str, Any]:
        return (
            {"Items": members, "BatchInput": batch_input} if batch_input is not None else {"Items": members}
        )

    if not isinstance(max_bytes, int):
        item_sizes: Iterable[int] = itertools.repeat(0, len(items))
    elif isinstance(items, map_stream.StreamedItems) and items.sizes is not None:
        item_sizes = items.sizes
    else:
        item_sizes = (len(json.dumps(item, separators=(",", ":"))) for item in items)
    lengths = _batch_lengths(item_sizes, size, max_bytes if isinstance(max_bytes, int) else None)
    if isinstance(items, map_stream.StreamedItems):
        return map_stream.StreamedBatches(items, lengths, make)
    batches, start = [], 0
    for length in lengths:
        batches.append(make(list(items[start : start + length])))
        start += length
    return batches


def _batch_lengths(item_sizes: Iterable[int], size: int, max_bytes: int | None) -> list[int]:
    """How many items each batch takes: at most `size`, and at most `max_bytes` of compact JSON (but one at least)."""
    lengths: list[int] = []
    current = used = 0
    for item_bytes in item_sizes:
        if current and (current >= size or (max_bytes is not None and used + item_bytes > max_bytes)):
            lengths.append(current)
            current = used = 0
        current += 1
        used += item_bytes
    if current:
        lengths.append(current)
    return lengths


def result_spool(map_run_arn: str, count: int, failed: set[int]) -> map_stream.ResultSpool:
    """Where a Map with a ResultWriter keeps its results until `write_results` (on disk, in item order)."""
    return map_stream.ResultSpool(count, failed, lambda i, r, status: _record(map_run_arn, i, r, status))


def write_results(
    config: dict[str, Any],
    scope: Scope,
    language: QueryLanguage,
    root: Path | None,
    map_run_arn: str,
    results: map_stream.ResultSpool,
) -> dict[str, Any]:
    """Write the Map's results as AWS's ResultWriter does; return the Map's output."""
    params = _parameters(config, scope, language)
    if not isinstance(params, dict):
        raise ResultWriterFailed("the ResultWriter's Parameters must be an object with Bucket and Prefix")
    run_id = map_run_arn.rsplit(":", 1)[-1].replace("/", "-")
    prefix = str(params.get("Prefix", "")).strip("/")
    base_key = f"{prefix}/{run_id}" if prefix else run_id
    bucket = params.get("Bucket")
    try:
        folder = s3.writable_folder(_root(root, bucket, base_key, ResultWriterFailed), bucket, base_key)
    except s3.S3Error as exc:
        raise ResultWriterFailed(str(exc)) from None
    except OSError as exc:
        raise ResultWriterFailed(
            f"cannot write results under s3://{bucket}/{base_key}: {exc.strerror}"
        ) from None
    manifest = {
        "DestinationBucket": params["Bucket"],
        "MapRunArn": map_run_arn,
        "ResultFiles": {
            status: [{"Key": f"{base_key}/{status}_0.json", "Size": results.size(status)}]
            if results.size(status)
            else []
            for status in ("SUCCEEDED", "FAILED", "PENDING")
        },
    }
    try:
        for status in ("SUCCEEDED", "FAILED"):
            write_atomically(folder / f"{status}_0.json", results.chunks(status))
        write_atomically(folder / "manifest.json", json.dumps(manifest))
    except OSError as exc:
        raise ResultWriterFailed(f"cannot write the results of s3://{bucket}/{base_key}: {exc}") from None
    finally:
        results.close()
    return {
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": params["Bucket"], "Key": f"{base_key}/manifest.json"},
    }


def _record(map_run_arn: str, index: int, result: Any, status: str) -> dict[str, Any]:
    record: dict[str, Any] = {"ExecutionArn": f"{map_run_arn}:{index}", "Status": status}
    if status == "SUCCEEDED":
        record["Output"] = json.dumps(result, separators=(",", ":"))
    else:
        record.update(
            {"Error": result.get("Error"), "Cause": result.get("Cause")} if isinstance(result, dict) else {}
        )
    return record
