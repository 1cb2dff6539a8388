"""`asl serve` benchmark (not a test): executions per second for a short workflow under concurrent clients.

    python bench/bench_server.py [--executions N] [--clients C] [--db file|memory] [--client boto3|raw] [--json]

A server runs in this process (uvicorn in a thread, as `asl serve` runs it) with its SQLite store in
a temporary folder (`--db file`, the default: every StartExecution committed with fsync before it is
answered) or in memory. C client threads, each with its own boto3 client, start N executions in all of a
short workflow (Pass -> Choice -> Pass -> Succeed). `--client raw` sends the same JSON requests over
plain keep-alive HTTP connections instead: boto3 spends more CPU per call than the server does, so this
shows what the server itself sustains. Reported:

- starts/s: StartExecution calls answered per second (all clients together);
- executions/s: executions started and finished (SUCCEEDED) per second, from the first start to the last end;
- p50 / p99 latency of one StartExecution call.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
import uvicorn
from botocore.config import Config as BotoConfig

from asl.config import Config
from cli.serve import bind, build_app, url

WORKFLOW = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Parameters": {"order.$": "$.order", "total.$": "$.total"},
            "Next": "Big?",
        },
        "Big?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Review"}],
            "Default": "Review",
        },
        "Review": {"Type": "Pass", "Result": "ok", "ResultPath": "$.review", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def client(address: str) -> Any:
    session = boto3.session.Session()
    return session.client(
        "stepfunctions",
        endpoint_url=address,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=BotoConfig(retries={"max_attempts": 1}, max_pool_connections=4),
    )


class RawClient:
    """StartExecution over one keep-alive HTTP connection, without an SDK."""

    def __init__(self, address: str) -> None:
        import http.client
        from urllib.parse import urlparse

        parsed = urlparse(address)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)

    def start_execution(self, **request: Any) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AWSStepFunctions.StartExecution",
        }
        self.connection.request("POST", "/", body=json.dumps(request), headers=headers)
        response = self.connection.getresponse()
        body: dict[str, Any] = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(body)
        return body


def run(executions: int, clients: int, db: str, kind: str = "boto3") -> dict[str, Any]:
    folder = tempfile.mkdtemp(prefix="asl-bench-")
    path = ":memory:" if db == "memory" else str(Path(folder) / "asl.db")
    ready = threading.Event()
    app, _ = build_app(Config(), path, wait_scale=0, on_ready=ready.set)
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    ready.wait(30)
    address = url(sock, "127.0.0.1")
    main = client(address)
    arn = main.create_state_machine(
        name="bench", definition=json.dumps(WORKFLOW), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = [executions // clients + (1 if i < executions % clients else 0) for i in range(clients)]

    def work(count: int) -> None:
        sfn = client(address) if kind == "boto3" else RawClient(address)
        mine = []
        for i in range(count):
            started = time.perf_counter()
            sfn.start_execution(stateMachineArn=arn, input=json.dumps({"order": i, "total": i * 3}))
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=work, args=(count,)) for count in per_client]
    begin = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    started_all = time.perf_counter()
    while True:
        pages = main.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="SUCCEEDED")
        done = sum(len(page["executions"]) for page in pages)
        if done >= executions:
            break
        time.sleep(0.01)
    finished = time.perf_counter()
    server.should_exit = True
    thread.join(30)
    latencies.sort()
    return {
        "executions": executions,
        "clients": clients,
        "db": db,
        "client": kind,
        "starts_per_s": round(executions / (started_all - begin), 1),
        "executions_per_s": round(executions / (finished - begin), 1),
        "start_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "start_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--db", choices=["file", "memory"], default="file")
    parser.add_argument("--client", choices=["boto3", "raw"], default="boto3")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.executions, args.clients, args.db, args.client)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['executions']} executions, {result['clients']} {result['client']} clients, db={result['db']}: "
        f"{result['starts_per_s']} starts/s, {result['executions_per_s']} executions/s "
        f"(StartExecution p50 {result['start_p50_ms']} ms, p99 {result['start_p99_ms']} ms)"
    )


if __name__ == "__main__":
    main()
