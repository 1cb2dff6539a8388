"""validate_file / validate_text: unreadable, empty and malformed files are diagnostics, not exceptions."""

from __future__ import annotations

from pathlib import Path

import pytest

from asl.validate.files import validate_file, validate_text

GOOD = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'


def test_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "ok.asl.json"
    path.write_text(GOOD, encoding="utf-8")
    report = validate_file(path)
    assert report.diagnostics == ()
    assert report.path == str(path)
    assert not report.fails("WARNING")


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    report = validate_file(tmp_path / "nope.json")
    assert [(d.code, d.severity) for d in report.diagnostics] == [("UNREADABLE_FILE", "ERROR")]
    assert report.fails()


def test_binary_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00{")
    assert [d.code for d in validate_file(path).diagnostics] == ["UNREADABLE_FILE"]


@pytest.mark.parametrize("text", ["", "   \n", "\ufeff"])
def test_empty_text(text: str) -> None:
    assert [d.code for d in validate_text(text).diagnostics] == ["MISSING_DESCRIPTION"]


def test_malformed_json_has_line_and_column() -> None:
    report = validate_text('{\n  "StartAt": "A",\n  "States": {,}\n}')
    [d] = report.diagnostics
    assert (d.code, d.line, d.column) == ("INVALID_JSON_DESCRIPTION", 3, 14)


def test_byte_order_mark_is_accepted() -> None:
    assert validate_text("\ufeff" + GOOD).diagnostics == ()


def test_state_defined_twice() -> None:
    text = '{"StartAt": "A", "States": {\n"A": {"Type": "Succeed"},\n"A": {"Type": "Succeed"}}}'
    [d] = validate_text(text).diagnostics
    assert (d.code, d.pointer, d.line) == ("DUPLICATE_STATE_NAME", "/States/A", 3)


def test_field_given_twice() -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "End": true}}}'
    assert [(d.code, d.pointer) for d in validate_text(text).diagnostics] == [
        ("SCHEMA_VALIDATION_FAILED", "/States/A/End")
    ]


def test_warnings_fail_only_at_warning_threshold() -> None:
    report = validate_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x.$": "$"}, "End": true}}}'
    )
    assert [d.code for d in report.diagnostics] == ["PASS_RESULT_IS_STATIC"]
    assert not report.fails("ERROR")
    assert report.fails("WARNING")
