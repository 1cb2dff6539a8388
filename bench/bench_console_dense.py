"""Console benchmark (not a test): a dense definition's page, and the API's latency while it is drawn.

    python bench/bench_console_dense.py [--states N ...] [--repeat R] [--json]

A server runs in this process (`bench_console.serving`: uvicorn in a thread, store in memory). For each N, a state machine of
N Task states, each catching into every other one (N*(N-1) transitions: QA's 949 KB definition has
150 states), is created; its console page is fetched R times while another client sends
ListStateMachines every 50 ms. Reported: the diagram's detail (`full`: transitions drawn; `states`:
past 2,500 transitions, states only), the median page time and size, and the slowest
ListStateMachines answer meanwhile (what a frozen event loop would show).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_console import serving
from tests.console.shapes import dense


def call(connection: http.client.HTTPConnection, path: str, action: str = "") -> bytes:
    """GET `path`, or POST the Step Functions `action` (its request in `path`'s place)."""
    if action:
        headers = {"X-Amz-Target": f"AWSStepFunctions.{action}", "Content-Type": "application/x-amz-json-1.0"}
        connection.request("POST", "/", body=path.encode(), headers=headers)
    else:
        connection.request("GET", path)
    response = connection.getresponse()
    data = response.read()
    assert response.status == 200, (response.status, data[:300])
    return data


def detail(page: bytes) -> str:
    """How much of the diagram the page draws (see `asl.console.layout.Detail`)."""
    if b"The diagram shows the states only" in page:
        return "states"
    return "none" if b"No diagram:" in page else "full"


def measure(address: str, states: int, repeat: int) -> dict[str, Any]:
    parsed = urlparse(address)

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=300)

    definition = json.dumps(dense(states))
    name = f"dense{states}"
    create = {"name": name, "definition": definition, "roleArn": "arn:aws:iam::123456789012:role/r"}
    call(connect(), json.dumps(create), "CreateStateMachine")
    latencies: list[float] = []
    done = threading.Event()

    def poll() -> None:
        connection = connect()
        while not done.is_set():
            started = time.perf_counter()
            call(connection, "{}", "ListStateMachines")
            latencies.append(time.perf_counter() - started)
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    connection, times, page = connect(), [], b""
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            page = call(connection, f"/console/state-machines/{name}")
            times.append(time.perf_counter() - started)
    finally:
        done.set()
        poller.join()
    return {"states": states, "definition_kib": len(definition) // 1024, "detail": detail(page),
            "page_ms": round(statistics.median(times) * 1000), "page_kib": len(page) // 1024,
            "api_max_ms": round(max(latencies) * 1000)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, nargs="+", default=[20, 60, 150])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    with serving() as address:
        rows = [measure(address, states, options.repeat) for states in options.states]
    if options.json:
        print(json.dumps(rows))
        return
    print(f"{'states':>6} {'def KiB':>8} {'detail':>7} {'page ms':>8} {'page KiB':>9} {'API max ms':>11}")
    for row in rows:
        print(f"{row['states']:>6} {row['definition_kib']:>8} {row['detail']:>7} {row['page_ms']:>8} "
              f"{row['page_kib']:>9} {row['api_max_ms']:>11}")  # fmt: skip


if __name__ == "__main__":
    main()
