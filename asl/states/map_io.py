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

import csv
import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asl import jsonata, payload, s3
from asl.errors import Problem, StatesError, StatesRuntime
from asl.files import write_atomically
from asl.model import QueryLanguage
from asl.paths import Scope

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


def read_items(config: dict[str, Any], scope: Scope, language: QueryLanguage, root: Path | None) -> list[Any]:
    """The items an ItemReader yields."""
    params = _parameters(config, scope, language)
    if not isinstance(params, dict):
        raise ItemReaderFailed(
            "the ItemReader's Parameters must be an object with Bucket and Key (or Prefix)"
        )
    reader = config.get("ReaderConfig", {})
    resource = config.get("Resource")
    bucket = params.get("Bucket")
    try:
        if resource == LIST_OBJECTS:
            prefix = params.get("Prefix", "")
            top = _root(root, bucket, prefix, ItemReaderFailed)
            items = _list_objects(top, bucket, prefix if isinstance(prefix, str) else "")
        elif resource == GET_OBJECT:
            key = params.get("Key")
            data = s3.read_object(_root(root, bucket, key, ItemReaderFailed), bucket, key)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ItemReaderFailed(
                    f"s3://{bucket}/{key} is not UTF-8 text (byte {exc.start}); "
                    f"a {reader.get('InputType', 'JSON')} item file must be UTF-8"
                ) from None
            items = _parse(text, reader)
        else:
            raise ItemReaderFailed(
                f"ItemReader resource {resource!r} is not supported locally; use {GET_OBJECT} or {LIST_OBJECTS}"
            )
    except s3.S3Error as exc:
        raise ItemReaderFailed(str(exc)) from None
    limit = reader.get("MaxItems")
    return items[:limit] if isinstance(limit, int) and limit > 0 else items


def _parse(text: str, reader: dict[str, Any]) -> list[Any]:
    kind = reader.get("InputType", "JSON")
    try:
        if kind == "JSON":
            value = json.loads(text)
            if not isinstance(value, list):
                raise ItemReaderFailed("a JSON item file must hold an array")
            return value
        if kind == "JSONL":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise ItemReaderFailed(f"the item file is not valid {kind}: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise ItemReaderFailed(f"the item file nests {kind} too deeply to read") from None
    if kind == "CSV":
        delimiter = _DELIMITERS.get(reader.get("CSVDelimiter", "COMMA"), ",")
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        if reader.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
            headers = reader.get("CSVHeaders")
            if not isinstance(headers, list):
                raise ItemReaderFailed("CSVHeaderLocation GIVEN needs CSVHeaders")
        else:
            if not rows:
                return []
            headers, rows = rows[0], rows[1:]
        return [dict(zip(headers, row, strict=False)) for row in rows if row]
    raise ItemReaderFailed(f"InputType {kind!r} is not supported locally (JSON, JSONL and CSV are)")


_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


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


def batch(items: list[Any], config: dict[str, Any], scope: Scope) -> list[Any]:
    """Group items as ItemBatcher does: `{"Items": [...], "BatchInput": ...}` per batch."""
    size = config.get("MaxItemsPerBatch")
    if size is None and "MaxItemsPerBatchPath" in config:
        from asl.paths import compile_path

        size = compile_path(config["MaxItemsPerBatchPath"]).get(scope)
    max_bytes = config.get("MaxInputBytesPerBatch")
    batch_input = config.get("BatchInput")
    if not isinstance(size, int) or size <= 0:
        size = len(items) or 1
    batches: list[dict[str, Any]] = []
    current: list[Any] = []
    used = 0
    for item in items:
        item_bytes = len(json.dumps(item, separators=(",", ":")))
        if current and (
            len(current) >= size or (isinstance(max_bytes, int) and used + item_bytes > max_bytes)
        ):
            batches.append(_batch(current, batch_input))
            current, used = [], 0
        current.append(item)
        used += item_bytes
    if current:
        batches.append(_batch(current, batch_input))
    return batches


def _batch(items: list[Any], batch_input: Any) -> dict[str, Any]:
    return {"Items": items, "BatchInput": batch_input} if batch_input is not None else {"Items": items}


def write_results(
    config: dict[str, Any],
    scope: Scope,
    language: QueryLanguage,
    root: Path | None,
    map_run_arn: str,
    results: list[Any],
    failed: set[int],
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
    succeeded = [_record(map_run_arn, i, r, "SUCCEEDED") for i, r in enumerate(results) if i not in failed]
    failures = [_record(map_run_arn, i, r, "FAILED") for i, r in enumerate(results) if i in failed]
    files = {"SUCCEEDED_0.json": succeeded, "FAILED_0.json": failures}
    manifest = {
        "DestinationBucket": params["Bucket"],
        "MapRunArn": map_run_arn,
        "ResultFiles": {
            status: [{"Key": f"{base_key}/{status}_0.json", "Size": len(json.dumps(rows))}] if rows else []
            for status, rows in (("SUCCEEDED", succeeded), ("FAILED", failures), ("PENDING", []))
        },
    }
    files["manifest.json"] = manifest  # type: ignore[assignment]
    try:
        for name, content in files.items():
            write_atomically(folder / name, json.dumps(content))
    except OSError as exc:
        raise ResultWriterFailed(f"cannot write the results of s3://{bucket}/{base_key}: {exc}") from None
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
