"""Output formats for validation results: text (with the offending line), JSON, GitHub annotations, SARIF."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asl.validate.diagnostic import CODES, Severity

if TYPE_CHECKING:
    from rich.console import Console

    from asl.validate.diagnostic import Diagnostic
    from asl.validate.files import FileReport

FORMATS = ("text", "json", "github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def summary(reports: Sequence[FileReport], threshold: Severity = "ERROR") -> str:
    """One line: how many files were checked, how many fail, and the error and warning counts."""
    errors = sum(d.is_error for r in reports for d in r.diagnostics)
    warnings = sum(not d.is_error for r in reports for d in r.diagnostics)
    failing = sum(r.fails(threshold) for r in reports)
    files = f"{len(reports)} file" + ("" if len(reports) == 1 else "s")
    counts = f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}"
    if failing:
        return f"{failing} of {files} failed validation ({counts})"
    return f"{files} valid ({counts})"


def render_text(reports: Sequence[FileReport], console: Console, threshold: Severity = "ERROR") -> None:
    """Each diagnostic as `file:line:col: severity CODE message`, the line of the file, and a caret."""
    from rich.text import Text

    for line in text_lines(reports, threshold):
        console.print(Text.assemble(*line))


def plain_text(reports: Sequence[FileReport], threshold: Severity = "ERROR") -> str:
    """`render_text`'s lines without styles (what it prints where colours are off), without needing rich."""
    return "".join("".join(text for text, _ in line) + "\n" for line in text_lines(reports, threshold))


def text_lines(reports: Sequence[FileReport], threshold: Severity = "ERROR") -> list[list[tuple[str, str]]]:
    """The text report's lines, each a list of (text, style) parts."""
    lines: list[list[tuple[str, str]]] = []
    for report in reports:
        for d in report.diagnostics:
            style = "bold red" if d.is_error else "bold yellow"
            lines.append(
                [
                    (_place(report.path, d), "bold"),
                    (": ", ""),
                    (d.severity.lower(), style),
                    (f" {d.code} ", "dim"),
                    (d.message, ""),
                ]
            )
            lines += [[(line, line_style)] for line, line_style in _excerpt(report, d)]
    failed = any(r.fails(threshold) for r in reports)
    mark = ("✗ " if failed else "✓ ", "bold red" if failed else "bold green")
    lines.append([mark, (summary(reports, threshold), "")])
    return lines


def _place(path: str, d: Diagnostic) -> str:
    return f"{path}:{d.line}:{d.column}" if d.line is not None else path


def _excerpt(report: FileReport, d: Diagnostic) -> list[tuple[str, str]]:
    lines = []
    if report.source is not None and d.line is not None and d.column is not None:
        text = report.source.line(d.line).rstrip("\r\n")
        if len(text) > 200:
            start = max(0, d.column - 100)
            text, column = text[start : start + 200], d.column - start
        else:
            column = d.column
        number = str(d.line)
        pad = "".join(ch if ch == "\t" else " " for ch in text[: column - 1])
        lines += [(f"  {number} | {text}", ""), (f"  {' ' * len(number)} | {pad}^", "bold red")]
    if d.pointer:
        lines.append((f"  at {d.pointer}", "dim"))
    return lines


def render_json(reports: Sequence[FileReport], threshold: Severity = "ERROR") -> str:
    """A JSON array: per file, ValidateStateMachineDefinition's response, plus the file.

    Each diagnostic has AWS's code, message and location, and our rule, hint, pointer, line and column
    as extra members.
    """
    return json.dumps([_response(r, threshold) for r in reports], indent=2, ensure_ascii=False)


def _response(report: FileReport, threshold: Severity) -> dict[str, Any]:
    result = "FAIL" if report.fails(threshold) else "OK"
    diagnostics = [d.wire() for d in report.diagnostics]
    return {"file": report.path, "result": result, "diagnostics": diagnostics, "truncated": False}


def render_github(reports: Sequence[FileReport], threshold: Severity = "ERROR") -> str:
    """GitHub Actions workflow commands (`::error file=...,line=...,col=...::message`), then a summary line."""
    lines = []
    for report in reports:
        for d in report.diagnostics:
            props = [f"file={_property(_relative(report.path))}"]
            if d.line is not None:
                props += [f"line={d.line}", f"col={d.column}"]
            props.append(f"title={_property(d.code)}")
            where = f" (at {d.pointer})" if d.pointer else ""
            lines.append(f"::{d.severity.lower()} {','.join(props)}::{_data(d.message + where)}")
    lines.append(summary(reports, threshold))
    return "\n".join(lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _relative(path: str) -> str:
    """`path` relative to the working directory when it lies below it, with forward slashes."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_posix()
    return p.as_posix()


def render_sarif(reports: Sequence[FileReport], threshold: Severity = "ERROR") -> str:
    """A SARIF 2.1.0 log with one run, for code-scanning tools."""
    used = sorted({d.aws_code for r in reports for d in r.diagnostics})
    severity = {d.aws_code: d.severity for r in reports for d in r.diagnostics}
    rules = [
        {
            "id": code,
            "name": "".join(part.capitalize() for part in code.split("_")),
            "shortDescription": {
                "text": CODES[code][1] if code in CODES else code.replace("_", " ").capitalize()
            },
            "defaultConfiguration": {"level": "error" if severity[code] == "ERROR" else "warning"},
        }
        for code in used
    ]
    results = [_result(report, d, used.index(d.aws_code)) for report in reports for d in report.diagnostics]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "asl-runner", "version": _version(), "rules": rules}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _result(report: FileReport, d: Diagnostic, index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _relative(report.path).replace(os.sep, "/")}}
    if d.line is not None:
        physical["region"] = {"startLine": d.line, "startColumn": d.column or 1}
    location: dict[str, Any] = {"physicalLocation": physical}
    if d.location:
        location["logicalLocations"] = [{"fullyQualifiedName": d.location, "kind": "member"}]
    result: dict[str, Any] = {
        "ruleId": d.aws_code,
        "ruleIndex": index,
        "level": "error" if d.is_error else "warning",
        "message": {"text": d.aws_message},
        "locations": [location],
    }
    extra = {key: value for key, value in d.wire().items() if key in ("rule", "hint", "pointer")}
    if extra:
        result["properties"] = extra
    return result


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("asl-runner")
    except PackageNotFoundError:
        return "0"
