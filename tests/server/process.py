"""`asl serve` in its own process, to kill -9 and start again on the same store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.server.conftest import ROLE, Server

REPO = Path(__file__).resolve().parents[2]


class Process:
    """`asl serve` in its own process, so that it can be killed as a crash kills it."""

    def __init__(self, db: Path, folder: Path, *options: str) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from cli.main import main; main()",
                "serve",
                "--port",
                "0",
                "--db",
                str(db),
                *options,
            ],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(60)
        assert line, "asl serve printed nothing within a minute"
        assert "listening on" in line[0], line[0]
        self.url = line[0].split()[-1]

    def client(self) -> Any:
        """A Step Functions client for this server (no retries)."""
        return Server(self.url, None).client(read_timeout=30)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(20)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def create(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    arn: str = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    return arn


def events(sfn: Any, execution: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token = None
    while True:
        page = sfn.get_execution_history(executionArn=execution, **({"nextToken": token} if token else {}))
        found += page["events"]
        token = page.get("nextToken")
        if not token:
            return found


def until(condition: Any, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def finished(sfn: Any, execution: str, seconds: float = 60) -> dict[str, Any]:
    described: dict[str, Any] = until(
        lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d, seconds
    )
    return described


def at(event: dict[str, Any]) -> float:
    when = event["timestamp"]
    return when.timestamp() if isinstance(when, datetime) else float(when)
