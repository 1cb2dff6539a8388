"""The console's text escaping for element content."""

from __future__ import annotations

import pytest

from asl.console.render import element_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('{"a": "b"}', '{"a": "b"}'),  # quotes kept: a big JSON document is not doubled in size
        ("</pre><script>alert(1)</script>", "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a & b &amp;", "a &amp; b &amp;amp;"),
        ("</textarea>", "&lt;/textarea&gt;"),
    ],
)
def test_element_text_escapes_what_markup_needs(text: str, shown: str) -> None:
    assert str(element_text(text)) == shown
