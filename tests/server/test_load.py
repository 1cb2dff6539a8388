"""Load: hundreds of concurrent StartExecution calls from several client threads lose or duplicate nothing."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.server.conftest import Server, create

FLOW = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "B"},
        "B": {"Type": "Pass", "Result": "ok", "ResultPath": "$.b", "End": True},
    },
}
#: Stays RUNNING (a callback nobody sends), so same-name starts race against a running execution.
HELD = {
    "StartAt": "Hold",
    "States": {
        "Hold": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True}
    },
}
THREADS = 8
PER_THREAD = 40


def in_threads(work: Any, count: int = THREADS) -> list[Any]:
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return results


def test_a_burst_of_starts_loses_and_duplicates_nothing(start_server: Any, tmp_path: Path) -> None:
    server: Server = start_server(db=str(tmp_path / "asl.db"))
    arn = create(server.client(), FLOW)

    def start_many(index: int) -> list[tuple[str, int]]:
        sfn = server.client()
        started = []
        for i in range(PER_THREAD):
            n = index * PER_THREAD + i
            response = sfn.start_execution(stateMachineArn=arn, name=f"run-{n}", input=json.dumps({"n": n}))
            started.append((response["executionArn"], n))
        return started

    started = [pair for batch in in_threads(start_many) for pair in batch]
    total = THREADS * PER_THREAD
    assert len({arn for arn, _ in started}) == total
    sfn = server.client()
    deadline = time.monotonic() + 60
    while True:
        pages = sfn.get_paginator("list_executions").paginate(
            stateMachineArn=arn, PaginationConfig={"PageSize": 37}
        )
        listed = [e for page in pages for e in page["executions"]]
        if all(e["status"] == "SUCCEEDED" for e in listed) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(listed) == total
    assert Counter(e["executionArn"] for e in listed) == Counter(arn for arn, _ in started)
    assert {e["status"] for e in listed} == {"SUCCEEDED"}
    for execution, n in started[:: total // 10]:
        assert json.loads(sfn.describe_execution(executionArn=execution)["output"]) == {"n": n, "b": "ok"}


def test_racing_starts_of_one_name_make_one_execution(server: Server) -> None:
    arn = create(server.client(), HELD)

    def same_input(index: int) -> str:
        response = server.client().start_execution(stateMachineArn=arn, name="race", input='{"n": 1}')
        execution: str = response["executionArn"]
        return execution

    def other_input(index: int) -> str:
        sfn = server.client()
        try:
            sfn.start_execution(stateMachineArn=arn, name="race2", input=json.dumps({"n": index}))
        except sfn.exceptions.ExecutionAlreadyExists:
            return "refused"
        return "started"

    arns = in_threads(same_input)
    assert len(set(arns)) == 1
    outcomes = Counter(in_threads(other_input))
    assert outcomes["started"] == 1
    assert outcomes["refused"] == THREADS - 1
    listed = server.client().list_executions(stateMachineArn=arn)["executions"]
    assert Counter(e["name"] for e in listed) == {"race": 1, "race2": 1}
    for execution in listed:
        server.client().stop_execution(executionArn=execution["executionArn"])
