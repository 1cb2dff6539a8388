"""A Distributed Map's items and results in bounded memory: item files read as reached, results spooled.

JSON Lines and CSV objects are read as the Map reaches each item; results for the ResultWriter go to
temporary files in item order as they complete.

An item file is read twice: once before the Map starts, to check every line and count the items (a bad
line fails the Map before it starts, as reading the file whole did, and MapStateStarted knows the length),
then item by item while the iterations run. Neither pass holds more than one line. The iterations ask for
items in order (workers pull indexes in order); asking for an earlier one reads the file again from the top.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, overload

#: How a failure of the checking pass is reported (map_io turns it into States.ItemReaderFailed).
Fail = Callable[[str], Exception]


def check_and_count(
    path: Path, name: str, kind: str, reader: dict[str, Any], limit: int | None, fail: Fail, with_sizes: bool
) -> tuple[int, list[int] | None]:
    """Read the whole object once: (items up to `limit`, each one's size as compact JSON if `with_sizes`).

    The text is checked to be UTF-8 throughout before any line is parsed, as decoding the object whole did.
    """
    for _ in _lines(path, name, kind, fail):
        pass
    count = 0
    sizes: list[int] | None = [] if with_sizes else None
    for item in _parse(path, name, kind, reader, fail):
        count += 1
        if sizes is not None and (limit is None or count <= limit):
            sizes.append(len(json.dumps(item, separators=(",", ":"))))
    return (count if limit is None else min(count, limit)), sizes


def _parse(path: Path, name: str, kind: str, reader: dict[str, Any], fail: Fail) -> Iterator[Any]:
    if kind == "JSONL":
        return _json_lines(path, name, fail)
    return _csv_rows(path, name, reader, fail)


def _lines(path: Path, name: str, kind: str, fail: Fail) -> Iterator[str]:
    """The object's text, physical line by line (split at newlines, where `str.splitlines` splits too)."""
    offset = 0
    with path.open("rb") as handle:
        for raw in handle:
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise fail(
                    f"{name} is not UTF-8 text (byte {offset + exc.start}); a {kind} item file must be UTF-8"
                ) from None
            offset += len(raw)


def _json_lines(path: Path, name: str, fail: Fail) -> Iterator[Any]:
    for physical in _lines(path, name, "JSONL", fail):
        for line in physical.splitlines():
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise fail(f"the item file is not valid JSONL: {exc.msg} at line {exc.lineno}") from None
            except RecursionError:
                raise fail("the item file nests JSONL too deeply to read") from None


_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def _csv_rows(path: Path, name: str, reader: dict[str, Any], fail: Fail) -> Iterator[dict[str, Any]]:
    delimiter = _DELIMITERS.get(reader.get("CSVDelimiter", "COMMA"), ",")
    rows = csv.reader(_lines(path, name, "CSV", fail), delimiter=delimiter)
    if reader.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = reader.get("CSVHeaders")
        if not isinstance(headers, list):
            raise fail("CSVHeaderLocation GIVEN needs CSVHeaders")
    else:
        headers = next(rows, None)
        if headers is None:
            return
    for row in rows:
        if row:
            yield dict(zip(headers, row, strict=False))


class _Forward(Sequence[Any]):
    """A sequence read front to back: item `i` comes from the source's iterator, restarted when asked for an earlier one."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._source: Iterator[Any] | None = None
        self._next = 0

    def _restart(self) -> Iterator[Any]:
        raise NotImplementedError

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        if self._source is None or index < self._next:
            self._source, self._next = self._restart(), 0
        while self._next < index:
            next(self._source)
            self._next += 1
        self._next += 1
        return next(self._source)


class StreamedItems(_Forward):
    """The items of a JSON Lines or CSV object (already checked by `check_and_count`), parsed as they are reached."""

    def __init__(
        self,
        path: Path,
        name: str,
        kind: str,
        reader: dict[str, Any],
        count: int,
        sizes: list[int] | None,
        fail: Fail,
    ) -> None:
        super().__init__(count)
        self.path, self.name, self.kind, self.reader, self.fail = path, name, kind, reader, fail
        #: Each item's size as compact JSON (ItemBatcher's MaxInputBytesPerBatch), when it was asked for.
        self.sizes = sizes

    def _restart(self) -> Iterator[Any]:
        return _parse(self.path, self.name, self.kind, self.reader, self.fail)


class StreamedBatches(_Forward):
    """ItemBatcher's batches over streamed items: `{"Items": [...], "BatchInput": ...}`, built as they are reached."""

    def __init__(self, items: StreamedItems, lengths: list[int], make: Callable[[list[Any]], Any]) -> None:
        super().__init__(len(lengths))
        self.items, self.lengths, self.make = items, lengths, make

    def _restart(self) -> Iterator[Any]:
        start = 0
        for length in self.lengths:
            yield self.make([self.items[i] for i in range(start, start + length)])
            start += length


class ResultSpool:
    """A Map's results for its ResultWriter, written as each completes (in item order) to temporary files.

    `spool[index] = result` as the iterations end; the records AWS's result files hold are encoded at once
    (`record(index, result, status)`) and kept on disk, so only results waiting for an earlier one stay in
    memory. `failed` is the Map's set of failed indexes (a tolerated failure's result is its error).
    """

    def __init__(
        self, count: int, failed: set[int], record: Callable[[int, Any, str], dict[str, Any]]
    ) -> None:
        self._count = count
        self._failed = failed
        self._record = record
        self._pending: dict[int, Any] = {}
        self._next = 0
        #: Per status: (spool file, records written, characters of the JSON array so far).
        self.files: dict[str, tuple[IO[str], list[int]]] = {}

    def __len__(self) -> int:
        return self._count

    def __setitem__(self, index: int, result: Any) -> None:
        self._pending[index] = result
        while self._next in self._pending:
            self._write(self._next, self._pending.pop(self._next))
            self._next += 1

    def _write(self, index: int, result: Any) -> None:
        status = "FAILED" if index in self._failed else "SUCCEEDED"
        text = json.dumps(self._record(index, result, status))
        spool = self.files.get(status)
        if spool is None:
            # Closed by close() (write_results calls it when it is done, or on failure).
            spool = self.files[status] = (tempfile.TemporaryFile("w+", encoding="utf-8"), [0, 2])  # noqa: SIM115
        handle, (written, size) = spool[0], spool[1]
        if written:
            handle.write(", ")
            size += 2
        handle.write(text)
        spool[1][:] = [written + 1, size + len(text)]

    def size(self, status: str) -> int:
        """The length of that status's file, as `len(json.dumps(records))` counts it; 0 for none."""
        spool = self.files.get(status)
        return spool[1][1] if spool is not None else 0

    def chunks(self, status: str) -> Iterator[str]:
        """That status's file: a JSON array of its records, as `json.dumps(records)` writes it, in pieces."""
        spool = self.files.get(status)
        yield "["
        if spool is not None:
            handle = spool[0]
            handle.seek(0)
            while chunk := handle.read(1 << 20):
                yield chunk
        yield "]"

    def close(self) -> None:
        """Remove the spool files."""
        for handle, _ in self.files.values():
            handle.close()
        self.files.clear()
