"""`asl serve` as a process: the first line names the URL, /health answers, signals stop it cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ASL = [sys.executable, "-c", "import sys; from cli.main import main; sys.exit(main())"]


@contextmanager
def serving(*args: str, cwd: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [*ASL, "serve", *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        yield process, first
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def get_health(url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
        assert response.status == 200
        body: dict[str, object] = json.loads(response.read())
        return body


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_first_line_is_the_url_health_answers_and_a_signal_stops_it(
    tmp_path: Path, stop: signal.Signals
) -> None:
    with serving("--port", "0", "--db", ":memory:", cwd=tmp_path) as (process, first):
        assert first.startswith("asl serve listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[-1]
        assert get_health(url)["status"] == "ok"
        process.send_signal(stop)
        assert process.wait(20) == 0
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()


def test_storage_defaults_to_dot_asl_next_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "asl.toml").write_text('region = "eu-west-1"\n')
    with serving("--port", "0", cwd=tmp_path) as (process, first):
        url = first.rsplit(" ", 1)[-1]
        get_health(url)
        assert (tmp_path / ".asl" / "asl.db").exists()
        # A second server on the same file is refused: both would resume the same executions.
        with serving("--port", "0", cwd=tmp_path) as (second, _line):
            assert second.wait(20) == 2
            assert second.stderr is not None
            assert "is in use by another asl serve" in second.stderr.read()
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0


def test_listening_on_all_interfaces_warns_loudly(tmp_path: Path) -> None:
    with serving("--host", "0.0.0.0", "--port", "0", "--db", ":memory:", cwd=tmp_path) as (process, first):
        assert first.startswith("asl serve listening on http://0.0.0.0:")
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        assert process.stderr is not None
        assert "listening on ALL interfaces" in process.stderr.read()


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        with serving("--port", str(port), "--db", ":memory:", cwd=tmp_path) as (process, first):
            assert first == ""
            assert process.wait(20) == 2
            assert process.stderr is not None
            assert f"cannot listen on 127.0.0.1:{port}" in process.stderr.read()
    finally:
        taken.close()


def test_a_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "asl.toml").write_text("regio = 1\n")
    with serving("--port", "0", cwd=tmp_path) as (process, _):
        assert process.wait(20) == 2
        assert process.stderr is not None
        assert "unknown key 'regio'" in process.stderr.read()


def test_help_documents_every_option() -> None:
    result = subprocess.run(
        [*ASL, "serve", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    )
    for option in ("--host", "--port", "--db", "--config", "--mock-config", "--wait-scale"):
        assert option in result.stdout
    time.sleep(0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--wait-scale", "nan"], "nan is not a finite number"),
        (["--wait-scale", "inf"], "inf is not a finite number"),
        (["--wait-scale", "-1"], "-1.0 is not in the range x>=0"),
        (["--db", "/proc/x.db"], "/proc/x.db: cannot open the database"),
        (["--db", "/dev/null/x.db"], "/dev/null/x.db: cannot open the database"),
    ],
)
def test_unusable_options_are_clear_errors(tmp_path: Path, args: list[str], message: str) -> None:
    with serving("--port", "0", *args, cwd=tmp_path) as (process, first):
        assert first == ""
        assert process.wait(20) == 2
        assert process.stderr is not None
        error = process.stderr.read()
        assert message in error
        assert "Traceback" not in error


def test_stopping_answers_the_requests_that_wait_without_tracebacks(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from botocore.exceptions import ClientError

    from tests.server.conftest import ROLE, Server

    with serving("--port", "0", "--db", ":memory:", cwd=tmp_path) as (process, first):
        # No retries: the SDKs retry a 503, and the server is gone by then.
        sfn = Server(first.rsplit(" ", 1)[-1], None).client(read_timeout=90, retries={"max_attempts": 0})
        activity = sfn.create_activity(name="work")["activityArn"]
        waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
        express = sfn.create_state_machine(
            name="slow", definition=json.dumps(waits), roleArn=ROLE, type="EXPRESS"
        )["stateMachineArn"]
        with ThreadPoolExecutor(6) as pool:
            polls = [pool.submit(sfn.get_activity_task, activityArn=activity) for _ in range(5)]
            sync = pool.submit(sfn.start_sync_execution, stateMachineArn=express)
            time.sleep(1)  # the polls wait for a task, the sync start for its execution
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            answers = [poll.result(30) for poll in polls]
            with pytest.raises(ClientError) as caught:
                sync.result(30)
        assert process.wait(20) == 0
        assert time.monotonic() - started < 2  # not held for the graceful shutdown's timeout
        assert [answer.get("taskToken") for answer in answers] == [None] * 5  # "no task", as a timed-out poll
        error = caught.value.response["Error"]
        assert (error["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
            "ServiceUnavailable",
            503,
        )
        assert "asl serve is stopping before the execution" in error["Message"]
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()
