"""Regular expressions compiled on first use (asl.lazyre) answer exactly as `re.compile` does.

Start-up compiles none of the project's module-level patterns; the first call compiles once.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from asl.lazyre import Pattern

PATTERN = r"(?P<word>[a-z]+)(\d*)"
TEXTS = ["", "abc12 def", "  x9y", "123", "abc\ndef7"]
CALLS = [
    ("match", lambda p, t: p.match(t)),
    ("match from 2", lambda p, t: p.match(t, 2)),
    ("fullmatch", lambda p, t: p.fullmatch(t)),
    ("search", lambda p, t: p.search(t)),
    ("search in a window", lambda p, t: p.search(t, 1, 4)),
    ("finditer", lambda p, t: list(p.finditer(t))),
    ("sub with a string", lambda p, t: p.sub(r"<\1>", t)),
    ("sub with a function, once", lambda p, t: p.sub(lambda m: m["word"].upper(), t, 1)),
    ("findall (any other method)", lambda p, t: p.findall(t)),
    ("groupindex (any attribute)", lambda p, t: dict(p.groupindex)),
]


def _plain(value: object) -> object:
    if isinstance(value, re.Match):
        return (value.span(), value.groups(), value.groupdict())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(("name", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_same_answers_as_re(name: str, call: object, text: str) -> None:
    lazy, eager = Pattern(PATTERN, re.IGNORECASE), re.compile(PATTERN, re.IGNORECASE)
    assert callable(call)
    assert _plain(call(lazy, text)) == _plain(call(eager, text))


def test_compiles_once_on_first_use() -> None:
    pattern = Pattern(r"a+")
    assert pattern._compiled is None
    first = pattern.compiled()
    assert pattern.match("aa") is not None
    assert pattern.compiled() is first
    assert pattern.match("aa").re is first  # type: ignore[union-attr]


def test_importing_the_cli_compiles_no_project_pattern() -> None:
    script = (
        "import gc, cli.main, asl.runner, asl.validate, asl.jsonvalue, asl.paths\n"
        "from asl.lazyre import Pattern\n"
        "print(sum(1 for o in gc.get_objects() if isinstance(o, Pattern) and o._compiled is not None),"
        " sum(1 for o in gc.get_objects() if isinstance(o, Pattern)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    compiled, patterns = map(int, out.split())
    assert patterns > 5
    assert compiled == 0
