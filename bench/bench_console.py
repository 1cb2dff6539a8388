"""Console benchmark (not a test): how long the pages of a big execution take, and what a live poll costs.

    python bench/bench_console.py [--items N ...] [--states S] [--repeat R] [--json]

A server runs in this process (uvicorn in a thread, as `asl serve` runs it, store in memory). For each
N, an execution of a Map over N items (each iteration a Pass then a Choice then a Pass: 7 events an
item) runs to its end, then its console page is fetched R times over keep-alive HTTP. Reported:

- events: the execution's history length;
- page ms: median time to answer `/console/execution?arn=...` (history read, analysed, diagram laid
  out and drawn, HTML rendered: at most 250 events and 250 state runs are listed);
- page KiB: the page's size;
- poll ms: median time to answer a live poll that finds nothing new (`204`, what a watching browser
  sends once a second).

`--states S` also times the diagram alone for a chain of S states with a Choice every 5 (layout and
SVG, without the server).
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
import uvicorn

from asl.config import Config
from cli.serve import bind, build_app, url

ITEM = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Big?"},
        "Big?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$", "NumericGreaterThan": 100, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Pass", "End": True},
        "Small": {"Type": "Pass", "End": True},
    },
}
WORKFLOW = {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemProcessor": ITEM, "End": True}}}


def timed_get(connection: http.client.HTTPConnection, path: str, repeat: int) -> tuple[float, int, int]:
    """Median milliseconds, the status and the body size of `repeat` GETs."""
    times = []
    status, size = 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        status, size = response.status, len(body)
    return statistics.median(times), status, size


@contextmanager
def serving() -> Iterator[str]:
    """A server in this process (uvicorn in a thread, as `asl serve` runs it, store in memory): its URL."""
    ready = threading.Event()
    app, _ = build_app(Config(), ":memory:", wait_scale=0, on_ready=ready.set)
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    ready.wait(30)
    try:
        yield url(sock, "127.0.0.1")
    finally:
        server.should_exit = True
        thread.join(30)


def run(items: list[int], repeat: int) -> list[dict[str, Any]]:
    with serving() as address:
        return measure(address, items, repeat)


def measure(address: str, items: list[int], repeat: int) -> list[dict[str, Any]]:
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=address,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    arn = sfn.create_state_machine(
        name="bench", definition=json.dumps(WORKFLOW), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    parsed = urlparse(address)
    rows = []
    for count in items:
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(list(range(count))))[
            "executionArn"
        ]
        while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
            time.sleep(0.05)
        events = len(
            sfn.get_paginator("get_execution_history")
            .paginate(executionArn=execution)
            .build_full_result()["events"]
        )
        # A new connection each time: the server closes one left idle while the execution ran.
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        page_ms, status, size = timed_get(
            connection, f"/console/execution?arn={quote(execution, safe='')}", repeat
        )
        assert status == 200, status
        poll = f"/console/execution/live?arn={quote(execution, safe='')}&seen={events}&status=SUCCEEDED"
        poll_ms, status, _ = timed_get(connection, poll, repeat)
        assert status == 204, status
        rows.append({"items": count, "events": events, "page_ms": round(page_ms, 1),
                     "page_kib": size // 1024, "poll_ms": round(poll_ms, 2)})  # fmt: skip
    return rows


def diagram(states: int, repeat: int) -> dict[str, Any]:
    from asl.console.layout import layout
    from asl.console.svg import render
    from asl.graph import build_graph
    from asl.parse import load_definition

    chain: dict[str, Any] = {}
    for i in range(states):
        following = f"S{i + 1}" if i + 1 < states else None
        if i % 5 == 4 and following:
            chain[f"S{i}"] = {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": following}],
                              "Default": "S0"}  # fmt: skip
        else:
            chain[f"S{i}"] = {"Type": "Pass", "Next": following} if following else {"Type": "Succeed"}
    graph = build_graph(load_definition({"StartAt": "S0", "States": chain}))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        render(graph, layout(graph))
        times.append((time.perf_counter() - started) * 1000)
    return {"states": states, "diagram_ms": round(statistics.median(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[10, 100, 1000, 3000])
    parser.add_argument("--states", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    rows = run(options.items, options.repeat)
    shape = diagram(options.states, options.repeat)
    if options.json:
        print(json.dumps({"pages": rows, "diagram": shape, "python": platform.python_version()}))
        return
    print(f"{'items':>6} {'events':>7} {'page ms':>8} {'page KiB':>9} {'poll ms':>8}")
    for row in rows:
        print(
            f"{row['items']:>6} {row['events']:>7} {row['page_ms']:>8} {row['page_kib']:>9} {row['poll_ms']:>8}"
        )
    print(f"diagram of {shape['states']} states (layout + SVG): {shape['diagram_ms']} ms")


if __name__ == "__main__":
    main()
