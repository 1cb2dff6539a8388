"""README's Quickstart holds exactly two commands, and .ci/run runs exactly its test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quickstart", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quickstart_has_install_and_run_then_tests() -> None:
    install_and_run, tests = quickstart_commands()
    assert install_and_run.startswith("pip install -e ")
    assert "asl run samples/" in install_and_run
    assert tests == "python -m pytest -q"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    _, tests = quickstart_commands()
    assert ci[-1] == tests


def test_every_command_is_documented() -> None:
    from cli.main import COMMANDS

    text = (ROOT / "README.md").read_text()
    for name in COMMANDS:
        assert f"asl {name}" in text, name
