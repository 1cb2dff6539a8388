"""docs/ci.md installs asl-runner the way that works: from its repository, at the version pyproject.toml declares.

asl-runner is not published on PyPI, so a bare `pip install asl-runner` fails for whoever copies it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: A command line `pip install ARG...` (a shell line, or a YAML `- run:` step); prose mentions do not count.
PIP_INSTALL = re.compile(r"^\s*(?:- run:\s*)?pip install (?P<args>[^\n#]+)", re.MULTILINE)


def install_arguments(path: Path) -> list[str]:
    return [m.group("args").strip() for m in PIP_INSTALL.finditer(path.read_text())]


def test_no_document_installs_asl_runner_from_pypi() -> None:
    bare = re.compile(rf"^{re.escape(PROJECT['name'])}(\[[^\]]*\])?(==\S*)?$")
    offenders = [
        (p.name, argument)
        for p in DOCS
        for argument in install_arguments(p)
        if " @ " not in argument and any(bare.match(token.strip("'\"")) for token in argument.split())
    ]
    assert offenders == []


def test_ci_guide_installs_this_project_from_its_repository_at_its_version() -> None:
    arguments = install_arguments(ROOT / "docs" / "ci.md")
    assert arguments, "docs/ci.md shows how to install asl-runner"
    shape = re.compile(
        r'^"(?P<name>[\w.-]+) @ git\+https://[^"@\s]+/(?P<repo>[\w.-]+)@v(?P<version>[\w.]+)"$'
    )
    for argument in arguments:
        match = shape.match(argument)
        assert match, argument
        assert (match["name"], match["repo"], match["version"]) == (
            PROJECT["name"],
            PROJECT["name"],
            PROJECT["version"],
        )


def test_pre_commit_pins_the_same_release() -> None:
    text = (ROOT / "docs" / "ci.md").read_text()
    assert set(re.findall(r"rev: v([\w.]+)", text)) == {PROJECT["version"]}
    assert (ROOT / ".pre-commit-hooks.yaml").is_file()


def test_the_install_provides_the_asl_command() -> None:
    assert PROJECT["scripts"]["asl"] == "cli.main:main"
