"""The pytest plugin (entry point `pytest11: asl`): fixtures for workflows, coverage, readable diffs.

Fixtures:
- `asl_registry`: a fresh `TaskRegistry`;
- `cognito_directory`: a seeded in-memory Cognito user directory (`cognito_tasks.UserDirectory`);
- `state_machine`: a factory, `state_machine(definition, mocks=..., handlers=..., ...)`, loading a
  definition with `asl.testing.load` over `asl_registry` with the built-in Cognito actions bound to
  `cognito_directory`;
- `asl_server`: a running `asl serve` on a free loopback port (its base URL), for boto3 tests.

Options: `--asl-coverage=FOLDER` records every execution the tests run (asl.testing, replays) and
prints the total at the end; `--asl-coverage-fail-under=PERCENT` fails the session below it.

Assertion diffs: comparing two histories (lists of events) shows the event types side by side and
the first differing event; `asl.testing.assert_output` lists differences by JSONPath.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: Any) -> None:
    """The plugin's command-line options."""
    group = parser.getgroup("asl", "asl-runner workflows")
    group.addoption(
        "--asl-coverage",
        metavar="FOLDER",
        help="Record the states, transitions, Choice rules, retriers and catchers the tests' executions reach.",
    )
    group.addoption(
        "--asl-coverage-fail-under",
        type=float,
        metavar="PERCENT",
        help="With --asl-coverage: fail the session when workflow coverage is below PERCENT.",
    )


def pytest_configure(config: Any) -> None:
    """Start recording coverage when asked."""
    folder = config.getoption("--asl-coverage")
    if folder:
        from asl import coverage

        coverage.start(Path(folder))
        config._asl_coverage = Path(folder)


def pytest_unconfigure(config: Any) -> None:
    """Stop recording coverage."""
    if getattr(config, "_asl_coverage", None) is not None:
        from asl import coverage

        coverage.stop()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """The workflow coverage total (and the fail-under verdict)."""
    folder = getattr(config, "_asl_coverage", None)
    if folder is None:
        return
    from asl.coverage.report import CoverageError, load, percent, total

    try:
        covered, of = total(load(folder))
    except CoverageError as exc:
        terminalreporter.write_line(f"asl coverage: {exc}")
        return
    value = percent(covered, of)
    terminalreporter.write_line(
        f"asl coverage: {covered}/{of} workflow elements ({value:.1f}%), details: asl coverage {folder}"
    )
    threshold = config.getoption("--asl-coverage-fail-under")
    if threshold is not None and value < threshold:
        terminalreporter.write_line(f"asl coverage: FAIL, {value:.1f}% is below {threshold:g}%", red=True)
        config._asl_coverage_failed = True


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """Fail the session when coverage is below --asl-coverage-fail-under."""
    config = session.config
    folder = getattr(config, "_asl_coverage", None)
    threshold = config.getoption("--asl-coverage-fail-under")
    if folder is None or threshold is None:
        return
    from asl.coverage.report import CoverageError, load, percent, total

    try:
        value = percent(*total(load(folder)))
    except CoverageError:
        return
    if value < threshold and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_assertrepr_compare(config: Any, op: str, left: Any, right: Any) -> list[str] | None:
    """Histories compared with == show their event types side by side and the first differing event."""
    if op != "==" or not (_is_history(left) and _is_history(right)):
        return None
    from asl.testing import history_diff

    return ["the histories differ:", *history_diff(left, right)]


def _is_history(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(e, dict) and "type" in e for e in value)


@pytest.fixture
def asl_registry() -> Any:
    """A fresh TaskRegistry."""
    from asl import TaskRegistry

    return TaskRegistry()


@pytest.fixture
def cognito_directory() -> Any:
    """A seeded, in-memory Cognito user directory (deterministic ids)."""
    import cognito_tasks

    return cognito_tasks.UserDirectory(seed="pytest")


@pytest.fixture
def state_machine(asl_registry: Any, cognito_directory: Any) -> Callable[..., Any]:
    """Load a definition (file, template reference or dict) with the registry, mocks and Cognito directory.

    `state_machine(definition, mocks=None, handlers=None, mock_config=None, test_case=None, config=False,
    name=None, mock_validation="STRICT")`; run it with `asl.testing.run(machine, input)`.
    """
    import cognito_tasks
    from asl.testing import load

    cognito_tasks.register(asl_registry, cognito_directory)

    def factory(definition: Any, **options: Any) -> Any:
        return load(definition, registry=asl_registry, **options)

    return factory


@pytest.fixture
def asl_server(tmp_path: Path) -> Iterator[str]:
    """A running `asl serve` on a free loopback port, with an in-memory database; yields its base URL."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli.main import main; main()",
            "serve",
            "--port",
            "0",
            "--db",
            ":memory:",
            "--wait-scale",
            "0",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening on " not in line:
            rest = process.stdout.read() if process.poll() is not None else ""
            raise RuntimeError(f"asl serve did not start: {line}{rest}")
        yield line.rsplit("listening on ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def dumps(value: Any) -> str:
    """Compact JSON for diff lines."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
