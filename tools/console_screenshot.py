"""Take the README's console screenshot: `asl serve`, a demo execution, headless Chromium.

The demo order workflow runs on mocks (Step Functions Local's MockConfigFile), so its states show
every colour: a Parallel whose card charge is retried, a Map over the items, a notification that
fails and is caught, and a courier callback still awaited (running). Needs the `test` extra
(boto3, Playwright) and a Chromium binary (Debian: apt-get install chromium):

    python tools/console_screenshot.py                 # writes docs/console.png
    python tools/console_screenshot.py --out shot.png --chromium /usr/bin/chromium
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import boto3
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
LAMBDA = "arn:aws:states:::lambda:invoke"
DEMO = {
    "Comment": "Take an order: reserve and charge, pack each item, tell the customer, hand it to a courier.",
    "StartAt": "Check order",
    "States": {
        "Check order": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.items[0]", "IsPresent": True, "Next": "Reserve and charge"}],
            "Default": "Reject",
        },
        "Reject": {"Type": "Fail", "Error": "EmptyOrder", "Cause": "the order has no items"},
        "Reserve and charge": {
            "Type": "Parallel",
            "ResultPath": "$.payment",
            "Next": "Pack items",
            "Branches": [
                {
                    "StartAt": "Reserve stock",
                    "States": {
                        "Reserve stock": {
                            "Type": "Task",
                            "Resource": LAMBDA,
                            "Parameters": {"FunctionName": "reserve", "Payload.$": "$"},
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Charge card",
                    "States": {
                        "Charge card": {
                            "Type": "Task",
                            "Resource": LAMBDA,
                            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                            "Retry": [{"ErrorEquals": ["CardProcessorBusy"], "IntervalSeconds": 1}],
                            "End": True,
                        }
                    },
                },
            ],
        },
        "Pack items": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ResultPath": "$.packed",
            "ItemProcessor": {"StartAt": "Pack item", "States": {"Pack item": {"Type": "Pass", "End": True}}},
            "Next": "Email customer",
        },
        "Email customer": {
            "Type": "Task",
            "Resource": LAMBDA,
            "Parameters": {"FunctionName": "email", "Payload.$": "$"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.emailError", "Next": "Log bounce"}],
            "Next": "Wait for courier",
        },
        "Log bounce": {"Type": "Pass", "Next": "Wait for courier"},
        "Wait for courier": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl": "https://sqs.local/couriers",
                "MessageBody": {"token.$": "$$.Task.Token"},
            },
            "Next": "Delivered",
        },
        "Delivered": {"Type": "Succeed"},
    },
}
MOCKS = {
    "StateMachines": {
        "order": {
            "TestCases": {
                "Demo": {
                    "Reserve stock": "Reserved",
                    "Charge card": "BusyThenOk",
                    "Email customer": "Bounced",
                }
            }
        }
    },
    "MockedResponses": {
        "Reserved": {"0": {"Return": {"StatusCode": 200, "Payload": {"reservation": "r-17"}}}},
        "BusyThenOk": {
            "0": {"Throw": {"Error": "CardProcessorBusy", "Cause": "try again"}},
            "1": {"Return": {"StatusCode": 200, "Payload": {"chargeId": "ch_042"}}},
        },
        "Bounced": {"0": {"Throw": {"Error": "Email.Bounced", "Cause": "mailbox full"}}},
    },
}
#: How Chromium is started here, as root and without a network (the tests use the same).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    """The Chromium binary to drive: ASL_CHROMIUM, else chromium on PATH, else Debian's."""
    for candidate in (os.environ.get("ASL_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def main() -> None:
    """Serve, run the demo, take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console.png")
    parser.add_argument("--chromium", default=chromium() or "/usr/bin/chromium")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        mocks = Path(folder) / "mocks.json"
        mocks.write_text(json.dumps(MOCKS), encoding="utf-8")
        command = [
            "serve",
            "--port",
            "0",
            "--db",
            ":memory:",
            "--wait-scale",
            "0",
            "--mock-config",
            str(mocks),
        ]
        server = subprocess.Popen(
            [sys.executable, "-c", "from cli.main import main; main()", *command],
            cwd=folder,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            url = server.stdout.readline().split()[-1]
            execution = run_demo(url)
            shoot(f"{url}/console/execution?arn={quote(execution, safe='')}", options.out, options.chromium)
        finally:
            server.terminate()
            server.wait(10)
    print(f"{options.out}: {options.out.stat().st_size // 1024} KiB")


def run_demo(url: str) -> str:
    """Create the order workflow and start it; return the execution's ARN once it waits for the courier."""
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    arn = sfn.create_state_machine(
        name="order", definition=json.dumps(DEMO), roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    order = {"orderId": "o-1001", "items": [{"sku": "mug"}, {"sku": "tee"}, {"sku": "cap"}]}
    execution: str = sfn.start_execution(
        stateMachineArn=f"{arn}#Demo", name="o-1001", input=json.dumps(order)
    )["executionArn"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        history = sfn.get_execution_history(executionArn=execution)["events"]
        entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"] == "TaskStateEntered"]
        if "Wait for courier" in entered:
            return execution
        time.sleep(0.1)
    raise SystemExit("the demo execution never reached 'Wait for courier'")


def shoot(page_url: str, out: Path, chromium: str) -> None:
    """A 1280 x 1080 screenshot of the page (the graph and the callback form), as PNG."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1080})
        page.goto(page_url)
        page.locator('svg.diagram .node[data-state="Wait for courier"]').wait_for()
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()


if __name__ == "__main__":
    main()
