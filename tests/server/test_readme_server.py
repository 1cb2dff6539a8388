"""README's "Server mode" stays true: the pytest recipe runs as printed, the action table is what is served."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.server.conftest import REPO, Server


def section() -> str:
    text = (REPO / "README.md").read_text()
    return text.split("## Server mode: `asl serve`", 1)[1].split("\n## ", 1)[0]


def test_the_pytest_recipe_runs_as_printed(tmp_path: Path) -> None:
    recipe = section().split("### pytest, without Testcontainers", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", recipe, re.DOTALL)
    assert len(blocks) == 2
    for block in blocks:
        name = block.splitlines()[0].removeprefix("# ").strip()
        (tmp_path / name).write_text(block)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_action_table_lists_exactly_what_is_served(server: Server) -> None:
    table = section().split("### Supported actions", 1)[1].split("\n### ", 1)[0]
    listed = {
        name.strip()
        for row in re.findall(r"^\| [^|]+ \| (.+) \|$", table, re.MULTILINE)[1:]
        for name in row.split(",")
    }
    served = set(server.backend_actions())
    assert listed == served
