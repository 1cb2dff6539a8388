"""Executions over boto3: start (idempotent), describe, list, stop, history, sync, redrive, task resources."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from asl import StateMachine
from asl.config import Config
from asl.machine import EXPRESS_MAX_DURATION
from tests.server.conftest import PASS, REPO, Server, create, history, unique, wait_done

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
FLOW = {
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Pass",
            "Parameters": {"greeting.$": "States.Format('hi {}', $.name)"},
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": 30, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
#: Waits for a callback nobody sends: stays RUNNING until stopped.
HELD = {
    "StartAt": "Hold",
    "States": {
        "Hold": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}},
            "End": True,
        }
    },
}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "bad input"}}}


def test_results_are_exactly_what_the_interpreter_records(sfn: Any) -> None:
    arn = create(sfn, FLOW)
    started = sfn.start_execution(stateMachineArn=arn, name="first", input='{"name": "Ada"}')
    assert started["executionArn"] == arn.replace(":stateMachine:", ":execution:") + ":first"
    done = wait_done(sfn, started["executionArn"])
    assert done["status"] == "SUCCEEDED"
    local = StateMachine(FLOW).run_sync({"name": "Ada"})
    assert json.loads(done["output"]) == local.output == {"greeting": "hi Ada"}
    events = history(sfn, started["executionArn"])
    assert [e["type"] for e in events] == local.event_types
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["executionStartedEventDetails"]["input"] == '{"name":"Ada"}'
    local_details = [{k: v for k, v in e.items() if k.endswith("Details")} for e in local.history]
    served_details = [{k: v for k, v in e.items() if k.endswith("Details")} for e in events]
    for served, recorded in zip(served_details, local_details, strict=True):
        for key, value in recorded.items():
            if key != "executionStartedEventDetails":
                assert served[key] == value


def test_start_is_idempotent_on_name_and_input_while_running(sfn: Any) -> None:
    """API reference, StartExecution: same name and input while running returns the original answer."""
    arn = create(sfn, HELD)
    first = sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
    again = sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists) as caught:
        sfn.start_execution(stateMachineArn=arn, name="once", input='{"other": 1}')
    assert caught.value.response["Error"]["Message"] == f"Execution Already Exists: '{first['executionArn']}'"
    sfn.stop_execution(executionArn=first["executionArn"])
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
    assert len(sfn.list_executions(stateMachineArn=arn)["executions"]) == 1


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"input": "{not json"}, "InvalidExecutionInput"),
        ({"input": '{"a": NaN}'}, "InvalidExecutionInput"),
        ({"input": "1e400"}, "InvalidExecutionInput"),
        ({"input": '"\\ud800"'}, "InvalidExecutionInput"),
        ({"name": "bad name"}, "InvalidName"),
        (
            {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:missing"},
            "StateMachineDoesNotExist",
        ),
        ({"stateMachineArn": "not-an-arn"}, "InvalidArn"),
        ({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:activity:nope"}, "InvalidArn"),
    ],
)
def test_start_refusals(sfn: Any, arguments: dict[str, Any], error: str) -> None:
    arn = create(sfn, PASS)
    with pytest.raises(ClientError) as caught:
        sfn.start_execution(**{"stateMachineArn": arn, **arguments})
    assert caught.value.response["Error"]["Code"] == error


def test_a_failed_execution_describes_its_error_and_cause(sfn: Any) -> None:
    arn = create(sfn, FAIL)
    done = wait_done(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert (done["status"], done["error"], done["cause"]) == ("FAILED", "Oops", "bad input")
    assert "output" not in done
    assert done["redriveStatus"] == "REDRIVABLE"  # a FAILED Standard execution can be redriven


def test_list_filters_by_status_and_pages_newest_first(sfn: Any) -> None:
    passing, held = create(sfn, PASS), create(sfn, HELD)
    finished = [sfn.start_execution(stateMachineArn=passing)["executionArn"] for _ in range(5)]
    for arn in finished:
        wait_done(sfn, arn)
    pages = list(
        sfn.get_paginator("list_executions").paginate(
            stateMachineArn=passing, PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["executions"]) for p in pages] == [2, 2, 1]
    assert [e["executionArn"] for p in pages for e in p["executions"]] == finished[::-1]
    running = sfn.start_execution(stateMachineArn=held)["executionArn"]
    assert [
        e["executionArn"]
        for e in sfn.list_executions(stateMachineArn=held, statusFilter="RUNNING")["executions"]
    ] == [running]
    assert sfn.list_executions(stateMachineArn=held, statusFilter="SUCCEEDED")["executions"] == []
    sfn.stop_execution(executionArn=running)


def test_stop_records_error_and_cause(sfn: Any) -> None:
    arn = create(sfn, HELD)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    stopped = sfn.stop_execution(executionArn=execution, error="Cancelled", cause="by the test")
    done = sfn.describe_execution(executionArn=execution)
    assert (done["status"], done["error"], done["cause"]) == ("ABORTED", "Cancelled", "by the test")
    assert done["stopDate"] == stopped["stopDate"]
    last = history(sfn, execution)[-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"error": "Cancelled", "cause": "by the test"}
    # Stopping a closed execution changes nothing.
    assert sfn.stop_execution(executionArn=execution)["stopDate"] == stopped["stopDate"]
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.stop_execution(executionArn=execution + "-missing")


def test_history_paging_order_and_execution_data(sfn: Any) -> None:
    arn = create(sfn, FLOW)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"name": "Bo"}')["executionArn"]
    wait_done(sfn, execution)
    everything = sfn.get_execution_history(executionArn=execution)["events"]
    first = sfn.get_execution_history(executionArn=execution, maxResults=2)
    assert first["events"] == everything[:2]
    rest = sfn.get_execution_history(executionArn=execution, maxResults=100, nextToken=first["nextToken"])
    assert rest["events"] == everything[2:]
    assert "nextToken" not in rest
    backwards = sfn.get_execution_history(executionArn=execution, reverseOrder=True)["events"]
    assert backwards == everything[::-1]
    bare = sfn.get_execution_history(executionArn=execution, includeExecutionData=False)["events"]
    assert "input" not in bare[0]["executionStartedEventDetails"]
    assert "output" not in bare[-1]["executionSucceededEventDetails"]


def test_express_runs_synchronously(sfn: Any) -> None:
    arn = create(sfn, FLOW, type="EXPRESS")
    result = sfn.start_sync_execution(stateMachineArn=arn, input='{"name": "Cy"}', name="quick")
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"greeting": "hi Cy"}
    assert result["executionArn"].startswith(arn.replace(":stateMachine:", ":express:") + ":quick:")
    assert result["billingDetails"]["billedDurationInMilliseconds"] >= 100
    # Express names can be reused at once (AWS: no uniqueness for EXPRESS).
    assert (
        sfn.start_sync_execution(stateMachineArn=arn, name="quick", input='{"name": "D"}')["status"]
        == "SUCCEEDED"
    )
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.list_executions(stateMachineArn=arn)
    standard = create(sfn, PASS)
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.start_sync_execution(stateMachineArn=standard)


def test_an_express_execution_runs_at_most_five_minutes(start_server: Any, monkeypatch: Any) -> None:
    # "Standard vs. Express Workflows" (AWS Step Functions developer guide): Express workflows "can run
    # for up to five minutes"; SyncExecutionStatus has TIMED_OUT for the ones that run longer. The limit
    # counts real seconds (as TimeoutSeconds does under --wait-scale): shortened here to one second.
    import asl.server.backend

    assert EXPRESS_MAX_DURATION == 300
    monkeypatch.setattr(asl.server.backend, "EXPRESS_MAX_DURATION", 1.0)
    sfn = start_server(wait_scale=1.0).client()
    waits = {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 2, "End": True}}}
    express = sfn.start_sync_execution(stateMachineArn=create(sfn, waits, type="EXPRESS"), input="{}")
    assert (express["status"], express["error"]) == ("TIMED_OUT", "States.Timeout")
    assert express["cause"] == "The execution timed out after 1 seconds."
    assert timedelta(seconds=1) <= express["stopDate"] - express["startDate"] < timedelta(seconds=2)
    standard = sfn.start_execution(stateMachineArn=create(sfn, waits), input="{}")["executionArn"]
    assert wait_done(sfn, standard)["status"] == "SUCCEEDED"


def test_redrive_follows_aws_rules(sfn: Any) -> None:
    """Step Functions guide, "Redriving state machines": only FAILED, TIMED_OUT or ABORTED Standard executions."""
    arn = create(sfn, PASS)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_done(sfn, execution)
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable) as caught:
        sfn.redrive_execution(executionArn=execution)
    assert caught.value.response["Error"]["Message"] == "Execution is SUCCEEDED and cannot be redriven"


def test_state_machines_on_the_server_serve_start_execution_sync(sfn: Any) -> None:
    child = create(
        sfn, {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"child": True}, "End": True}}}
    )
    parent = create(
        sfn,
        {
            "StartAt": "Run",
            "States": {
                "Run": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": child, "Input": {"x": 1}},
                    "OutputPath": "$.Output",
                    "End": True,
                }
            },
        },
    )
    done = wait_done(sfn, sfn.start_execution(stateMachineArn=parent)["executionArn"])
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == {"child": True}
    children = sfn.list_executions(stateMachineArn=child)["executions"]
    assert [c["status"] for c in children] == ["SUCCEEDED"]


def test_configured_handlers_serve_tasks(start_server: Any) -> None:
    config = Config(
        root=REPO,
        handlers={"double": "tests.server.handlers:double", "explode": "tests.server.handlers:explode"},
    )
    server: Server = start_server(config=config)
    sfn = server.client()
    flow = {
        "StartAt": "Double",
        "States": {
            "Double": {"Type": "Task", "Resource": LAMBDA + "double", "Next": "Explode"},
            "Explode": {"Type": "Task", "Resource": LAMBDA + "explode", "End": True},
        },
    }
    done = wait_done(
        sfn, sfn.start_execution(stateMachineArn=create(sfn, flow), input='{"value": 21}')["executionArn"]
    )
    assert done["status"] == "FAILED"
    assert done["error"] == "ValueError"
    types = [e["type"] for e in history(sfn, done["executionArn"])]
    assert "LambdaFunctionSucceeded" in types
    assert types[-2:] == ["LambdaFunctionFailed", "ExecutionFailed"]


def test_a_task_nothing_serves_fails_saying_how_to_serve_it(sfn: Any) -> None:
    flow = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA + "nowhere", "End": True}}}
    done = wait_done(sfn, sfn.start_execution(stateMachineArn=create(sfn, flow))["executionArn"])
    assert done["status"] == "FAILED"
    assert done["error"] == "Lambda.ResourceNotFoundException"  # as AWS (and Step Functions Local) report it
    assert done["cause"].startswith(f"Function not found: {LAMBDA}nowhere")
    assert "asl.toml [handlers]" in done["cause"]


def test_mocks_by_test_case_in_the_state_machine_arn(start_server: Any, tmp_path: Path) -> None:
    """Step Functions Local's convention: StartExecution on `...:stateMachine:Name#TestCase`."""
    name = unique()
    mocks = {
        "StateMachines": {name: {"TestCases": {"Happy": {"Charge": "Ok"}, "Sad": {"Charge": "No"}}}},
        "MockedResponses": {
            "Ok": {"0": {"Return": {"charged": True}}},
            "No": {"0": {"Throw": {"Error": "Declined", "Cause": "card"}}},
        },
    }
    (tmp_path / "mocks.json").write_text(json.dumps(mocks))
    server: Server = start_server(config=Config(root=REPO, mock_config=tmp_path / "mocks.json"))
    sfn = server.client()
    flow = {
        "StartAt": "Charge",
        "States": {"Charge": {"Type": "Task", "Resource": LAMBDA + "charge", "End": True}},
    }
    arn = create(sfn, flow, name)
    happy = wait_done(sfn, sfn.start_execution(stateMachineArn=f"{arn}#Happy")["executionArn"])
    assert json.loads(happy["output"]) == {"charged": True}
    sad = wait_done(sfn, sfn.start_execution(stateMachineArn=f"{arn}#Sad")["executionArn"])
    assert (sad["status"], sad["error"]) == ("FAILED", "Declined")
    with pytest.raises(ClientError) as caught:
        sfn.start_execution(stateMachineArn=f"{arn}#Nope")
    assert "has no test case 'Nope'" in caught.value.response["Error"]["Message"]


def test_wait_scale_stretches_waits(start_server: Any) -> None:
    server: Server = start_server(wait_scale=0.02)  # 30 s of Wait take 0.6 s
    sfn = server.client()
    execution = sfn.start_execution(stateMachineArn=create(sfn, FLOW), input='{"name": "x"}')["executionArn"]
    time.sleep(0.2)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    assert wait_done(sfn, execution)["status"] == "SUCCEEDED"


def test_trace_header_and_redrive_filter(sfn: Any) -> None:
    arn = create(sfn, PASS)
    execution = sfn.start_execution(stateMachineArn=arn, traceHeader="Root=1-abc")["executionArn"]
    assert wait_done(sfn, execution)["traceHeader"] == "Root=1-abc"
    assert [
        e["executionArn"]
        for e in sfn.list_executions(stateMachineArn=arn, redriveFilter="NOT_REDRIVEN")["executions"]
    ] == [execution]
    assert sfn.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")["executions"] == []
