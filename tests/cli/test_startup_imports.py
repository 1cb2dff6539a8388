"""`asl run` and `asl validate` on a plain definition import only what they use (start-up, bench/bench_startup.py).

Guards the lazy imports: no event loop for a run that never waits, no rich when the output is JSON or a
pipe, no YAML reader or JSONata engine for a JSONPath file. The benchmark measures the time; this checks
the cause.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ONE_STATE = {
    "StartAt": "Hello",
    "States": {"Hello": {"Type": "Pass", "Result": {"hello": "world"}, "End": True}},
}
HEAVY = ("asyncio", "anyio", "rich", "yaml", "jsonata", "jsonpath_ng", "jsonschema", "botocore")
SCRIPT = """
import sys
from cli.main import main
sys.argv[0] = "asl"
try:
    main()
finally:
    sys.stderr.write("\\nIMPORTED " + " ".join(m for m in {heavy!r} if m in sys.modules) + "\\n")
"""


@pytest.mark.parametrize(
    "args",
    [["run", "{file}", "--input", "{{}}", "--output", "json"], ["validate", "{file}"]],
    ids=["run", "validate"],
)
def test_a_plain_definition_needs_no_heavy_import(args: list[str], tmp_path: Path) -> None:
    workflow = tmp_path / "one.json"
    workflow.write_text(json.dumps(ONE_STATE))
    argv = [a.format(file=workflow) for a in args]
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY), *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    imported = proc.stderr.rsplit("IMPORTED", 1)[1].split()
    assert imported == []
