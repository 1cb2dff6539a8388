"""A real `asl serve` (console mounted), boto3 to set things up, and headless Chromium to drive the pages."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from asl.config import Config
from tests.server.conftest import REPO, ROLE, Server, running
from tools.console_screenshot import CHROMIUM_ARGS, chromium


@pytest.fixture(scope="module")
def console() -> Iterator[Server]:
    """A server whose Lambda function `charge` always fails, with Wait states instant."""
    config = Config(root=REPO, handlers={"charge": "tests.console.handlers:charge"})
    with running(config=config) as server:
        yield server


@pytest.fixture(scope="module")
def sfn(console: Server) -> Any:
    return console.client()


def create(sfn: Any, definition: dict[str, Any], prefix: str = "m") -> tuple[str, str]:
    """A new state machine (unique name): (name, ARN)."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    return name, arn


def finished(sfn: Any, execution_arn: str, timeout: float = 20) -> dict[str, Any]:
    """DescribeExecution once the execution is no longer RUNNING."""
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by Playwright (never `playwright install`: Debian's chromium is used)."""
    binary = chromium()
    if binary is None:
        pytest.skip(
            "no Chromium binary (apt-get install chromium, or set ASL_CHROMIUM): browser tests need one"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=binary, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page with what it did on the side: dialogs opened, console messages, script errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.messages: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda message: self.messages.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A fresh browser context and page; the test fails if the console's own script threw."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = Watched(context.new_page())
    yield page
    context.close()
    assert page.errors == [], f"the page's script failed: {page.errors}"
