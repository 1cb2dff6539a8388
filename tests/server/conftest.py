"""A real `asl serve` app on 127.0.0.1 and a free port, driven through boto3 as users drive it."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
import uvicorn
from botocore.config import Config as BotoConfig

from asl.config import Config
from cli.serve import bind, build_app, url

ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"
REPO = Path(__file__).resolve().parents[2]


class Server:
    """A running server: its URL, its backend, and boto3 clients for it."""

    def __init__(self, address: str, backend: Any, stop: Callable[[], None] = lambda: None) -> None:
        self.url = address
        self.backend = backend
        self.stop = stop

    def client(self, **config: Any) -> Any:
        """A Step Functions client for this server (no retries: every error surfaces once)."""
        settings = {"retries": {"max_attempts": 1}, "inject_host_prefix": False, **config}
        return boto3.client(
            "stepfunctions",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=BotoConfig(**settings),
        )

    def backend_actions(self) -> list[str]:
        """The actions the Step Functions service answers."""
        from asl.server import step_functions

        return sorted(step_functions(self.backend).actions)

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/health", timeout=5) as response:
            body: dict[str, Any] = json.loads(response.read())
            return body


@contextmanager
def running(
    config: Config | None = None,
    db: str = ":memory:",
    wait_scale: float = 0.0,
    activity_poll_seconds: float = 1.0,
    server_issuer: bool = False,
) -> Iterator[Server]:
    """Start a server in a thread; stop it (as SIGTERM would) when the block ends.

    `server_issuer`: Cognito tokens name the server's URL as their issuer (`--cognito-issuer server`).
    """
    ready = threading.Event()
    sock = bind("127.0.0.1", 0)
    app, backend = build_app(
        config or Config(root=REPO),
        db,
        wait_scale=wait_scale,
        activity_poll_seconds=activity_poll_seconds,
        on_ready=ready.set,
        issuer_base=url(sock, "127.0.0.1") if server_issuer else None,
    )
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    assert ready.wait(20), "the server did not start"
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    stopped: list[bool] = []

    def stop() -> None:
        if stopped:
            return
        stopped.append(True)
        server.should_exit = True
        thread.join(20)
        sock.close()
        assert not thread.is_alive(), "the server did not stop"

    try:
        yield Server(url(sock, "127.0.0.1"), backend, stop)
    finally:
        stop()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """One server for a test module (tests use their own state machine names)."""
    with running() as started:
        yield started


@pytest.fixture(scope="module")
def sfn(server: Server) -> Any:
    return server.client()


@pytest.fixture
def start_server() -> Iterator[Callable[..., Server]]:
    """Start a server with particular settings; stopped at the end of the test."""
    stack: list[Any] = []

    def start(**options: Any) -> Server:
        manager = running(**options)
        stack.append(manager)
        return manager.__enter__()

    yield start
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Start `asl serve` (with these options) in its own process on a store in tmp_path; see process.py."""
    from tests.server.process import Process

    started: list[Process] = []

    def start(*options: str) -> Process:
        process = Process(tmp_path / "asl.db", tmp_path, *options)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def unique(prefix: str = "sm") -> str:
    """A name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create(sfn: Any, definition: dict[str, Any], name: str | None = None, **extra: Any) -> str:
    """Create a state machine; return its ARN."""
    response = sfn.create_state_machine(
        name=name or unique(), definition=json.dumps(definition), roleArn=ROLE, **extra
    )
    arn: str = response["stateMachineArn"]
    return arn


def wait_done(sfn: Any, execution_arn: str, timeout: float = 20) -> dict[str, Any]:
    """Poll DescribeExecution until the execution closes."""
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.02)


def history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    """Every event of an execution, through the paginator."""
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
    return [event for page in pages for event in page["events"]]


PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
