"""`asl validate` writes its text report without rich when stdout is not a terminal: the same text, unstyled."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from asl.validate.files import validate_text
from asl.validate.report import plain_text, render_text

BAD = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Nxet": "B", "End": true}\n  }\n}'
GOOD = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'
MARKUP = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "[bold]x": 1, "End": true}}}'


@pytest.mark.parametrize("texts", [[BAD, GOOD], [GOOD], [MARKUP], [BAD, MARKUP]])
@pytest.mark.parametrize("threshold", ["ERROR", "WARNING"])
def test_plain_text_is_what_rich_prints_without_a_terminal(texts: list[str], threshold: str) -> None:
    reports = [validate_text(text, f"flows/{i}.json") for i, text in enumerate(texts)]
    out = io.StringIO()
    # What the App's console does on a pipe: no colours, no wrapping (soft_wrap).
    render_text(reports, Console(file=out, soft_wrap=True, force_terminal=False), threshold)  # type: ignore[arg-type]
    assert plain_text(reports, threshold) == out.getvalue()  # type: ignore[arg-type]
