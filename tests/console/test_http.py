"""The console over plain HTTP: headers, the Host and CSRF checks, errors, live updates, paging, bounds."""

from __future__ import annotations

import html
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from asl.console import data, layout
from asl.graph import build_graph
from asl.parse import load_definition
from tests.console.conftest import create, finished
from tests.console.shapes import dense
from tests.server.conftest import Server

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.fixture
def http(console: Server) -> Any:
    with httpx.Client(base_url=console.url, follow_redirects=False, timeout=10) as client:
        yield client


def token(http: httpx.Client, machine: str) -> str:
    """The CSRF token a state machine's page (with its start form) carries."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', http.get(f"/console/state-machines/{machine}").text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("path", ["/console/", "/console/executions", "/console/cognito"])
def test_pages_send_strict_headers(http: httpx.Client, path: str) -> None:
    answer = http.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    assert "<script>" not in answer.text  # the only script is the file the policy allows
    assert '<script src="/console/static/console.js" defer>' in answer.text


@pytest.mark.parametrize(
    ("name", "status", "kind"),
    [
        ("console.js", 200, "text/javascript"),
        ("console.css", 200, "text/css"),
        ("missing.js", 404, "text/plain"),
        ("..%2Fpages.py", 404, "text/plain"),
        ("__init__.py", 404, "text/plain"),
    ],
)
def test_static_assets(http: httpx.Client, name: str, status: int, kind: str) -> None:
    answer = http.get(f"/console/static/{name}")
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith(kind)


def test_the_console_path_without_a_slash_redirects(http: httpx.Client) -> None:
    answer = http.get("/console")
    assert (answer.status_code, answer.headers["location"]) == (308, "/console/")


@pytest.mark.parametrize(("method", "path"), [("GET", "/console/"), ("POST", "/console/execution/stop")])
def test_another_host_name_is_refused(console: Server, http: httpx.Client, method: str, path: str) -> None:
    answer = http.request(method, path, headers={"Host": "rebound.example:80"})
    assert answer.status_code == 403
    assert "only requests for the address it listens on" in answer.text
    assert (
        http.get("/console/", headers={"Host": f"localhost:{urlsplit(console.url).port}"}).status_code == 200
    )


def test_a_form_without_the_token_changes_nothing(http: httpx.Client, sfn: Any) -> None:
    name, arn = create(sfn, PASS)
    refused = http.post(f"/console/state-machines/{name}/start", data={"input": "{}"})
    assert refused.status_code == 403
    assert "CSRF token" in refused.text
    wrong_origin = http.post(
        f"/console/state-machines/{name}/start",
        data={"input": "{}", "csrf": token(http, name)},
        headers={"Origin": "http://evil.example"},
    )
    assert wrong_origin.status_code == 403
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []
    accepted = http.post(
        f"/console/state-machines/{name}/start", data={"input": "{}", "csrf": token(http, name)}
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith("/console/execution?arn=")
    assert len(sfn.list_executions(stateMachineArn=arn)["executions"]) == 1


def test_an_oversized_form_is_refused(http: httpx.Client, sfn: Any) -> None:
    name, arn = create(sfn, PASS)
    big = {"csrf": token(http, name), "input": '"' + "x" * (2 * 1024 * 1024) + '"'}
    assert http.post(f"/console/state-machines/{name}/start", data=big).status_code == 413
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/console/state-machines/nothing-here", "no state machine named"),
        ("/console/execution?arn=arn:aws:states:us-east-1:123456789012:execution:x:y", "no such execution"),
        ("/console/cognito/pool?id=us-east-1_missing", "no such user pool"),
    ],
)
def test_what_does_not_exist_is_a_404_page(http: httpx.Client, path: str, message: str) -> None:
    answer = http.get(path)
    assert answer.status_code == 404
    assert message in answer.text


def test_a_bug_in_a_page_is_a_page_saying_so_without_a_traceback(
    http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(backend: Any) -> Any:
        raise RuntimeError("the store <went> away")

    monkeypatch.setattr(data, "machines", broken)
    answer = http.get("/console/")
    assert answer.status_code == 500
    assert shown_error(answer) == (
        "asl serve's console failed on this page: RuntimeError: the store <went> away (please report this)"
    )
    assert "Traceback" not in answer.text


def test_a_callback_with_an_unknown_token_shows_awss_error(http: httpx.Client, sfn: Any) -> None:
    name, arn = create(sfn, PASS)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    finished(sfn, execution)
    answer = http.post(
        "/console/execution/callback",
        data={
            "csrf": token(http, name),
            "arn": execution,
            "token": "nope",
            "outcome": "success",
            "output": "{}",
        },
    )
    assert answer.status_code == 400
    assert "InvalidToken" in answer.text


def test_live_answers_only_when_something_changed(http: httpx.Client, sfn: Any) -> None:
    _name, arn = create(sfn, PASS)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    finished(sfn, execution)
    events = len(sfn.get_execution_history(executionArn=execution)["events"])
    base = f"/console/execution/live?arn={quote(execution, safe='')}"
    assert http.get(f"{base}&seen={events}&status=SUCCEEDED").status_code == 204
    changed = http.get(f"{base}&seen=1&status=RUNNING")
    assert changed.status_code == 200
    assert f'data-status="SUCCEEDED" data-seen="{events}"' in changed.text
    assert "<html" not in changed.text  # a fragment, not a page
    assert http.get("/console/execution/live?arn=nope").status_code == 404


MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
            "End": True,
        }
    },
}


def event_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-key="e(\d+)"', html)]


def test_one_iteration_can_be_shown_alone(http: httpx.Client, sfn: Any) -> None:
    _name, arn = create(sfn, MAP)
    execution = sfn.start_execution(stateMachineArn=arn, input="[1, 2, 3]")["executionArn"]
    finished(sfn, execution)
    page = http.get(f"/console/execution?arn={quote(execution, safe='')}").text
    lanes = re.findall(r"lane=([^\"&]+)\">show its states and events", page)
    assert len(lanes) == 3
    alone = http.get(f"/console/execution?arn={quote(execution, safe='')}&lane={lanes[1]}").text
    assert "Showing <strong>Each › Iteration 1</strong> only" in alone
    assert alone.count(">MapIterationStarted<") == 1
    assert len(event_ids(alone)) < len(event_ids(page))


def test_long_histories_are_paged(http: httpx.Client, sfn: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "EVENTS_SHOWN", 5)
    _name, arn = create(sfn, MAP)
    execution = sfn.start_execution(stateMachineArn=arn, input="[1, 2, 3]")["executionArn"]
    finished(sfn, execution)
    first = http.get(f"/console/execution?arn={quote(execution, safe='')}").text
    assert event_ids(first) == [1, 2, 3, 4, 5]
    after = re.search(r"after=(\d+)\">Next events", first)
    assert after is not None
    second = http.get(f"/console/execution?arn={quote(execution, safe='')}&after={after.group(1)}").text
    assert event_ids(second) == [6, 7, 8, 9, 10]


def test_a_long_history_is_read_in_slices_and_shown_whole(
    http: httpx.Client, sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "SLICE", 4)  # the store runs one query at a time: others go in between
    _name, arn = create(sfn, MAP)
    execution = sfn.start_execution(stateMachineArn=arn, input="[1, 2, 3]")["executionArn"]
    finished(sfn, execution)
    stored = [event["id"] for event in sfn.get_execution_history(executionArn=execution)["events"]]
    assert len(stored) > 3 * 4
    page = http.get(f"/console/execution?arn={quote(execution, safe='')}").text
    assert event_ids(page) == stored


def test_an_execution_whose_definition_this_version_refuses_still_shows(
    console: Server, http: httpx.Client, sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asl.errors import DefinitionError, Problem

    _name, arn = create(sfn, PASS)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"kept": true}')["executionArn"]
    finished(sfn, execution)

    def refuse(text: str) -> Any:
        raise DefinitionError([Problem("/States/P", "a rule this version added")])

    monkeypatch.setattr(console.backend, "compile", refuse)
    answer = http.get(f"/console/execution?arn={quote(execution, safe='')}")
    assert answer.status_code == 200
    assert "The diagram cannot be drawn" in answer.text
    assert "a rule this version added" in answer.text
    assert "PassStateEntered" in answer.text


def api(console: Server, action: str, body: dict[str, Any]) -> str:
    """What the Step Functions API answers `action` with, as the console shows it: `code: message`."""
    answer = httpx.post(
        console.url,
        headers={"X-Amz-Target": f"AWSStepFunctions.{action}", "Content-Type": "application/x-amz-json-1.0"},
        content=json.dumps(body),
        timeout=10,
    )
    assert answer.status_code == 400, answer.text
    error = answer.json()
    return f"{error['__type'].rsplit('#', 1)[-1]}: {error['message']}"


def shown_error(answer: httpx.Response) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', answer.text, re.DOTALL)
    assert found is not None, answer.text[:500]
    return html.unescape(found.group(1))


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"input": json.dumps("x" * 300_000)}, "ValidationException"),  # QA: a 600 KB input gave a 500
        ({"input": "{}", "name": "n" * 81}, "ValidationException"),
        ({"input": "{}", "name": "two words"}, "InvalidName"),
        ({"input": '{"a": '}, "InvalidExecutionInput"),
    ],
)
def test_the_start_form_is_checked_as_startexecution_is(
    console: Server, http: httpx.Client, sfn: Any, fields: dict[str, str], code: str
) -> None:
    name, arn = create(sfn, PASS)
    answer = http.post(f"/console/state-machines/{name}/start", data={**fields, "csrf": token(http, name)})
    assert answer.status_code == 400
    expected = api(console, "StartExecution", {"stateMachineArn": arn, **fields})
    assert expected.startswith(code)
    assert shown_error(answer) == expected
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []


EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:nothing:here"


@pytest.mark.parametrize(
    ("path", "fields", "action", "request_body"),
    [
        (
            "/console/execution/callback",
            {"token": "t", "outcome": "success", "output": json.dumps("x" * 300_000)},
            "SendTaskSuccess",
            {"taskToken": "t", "output": json.dumps("x" * 300_000)},
        ),
        (
            "/console/execution/callback",
            {"token": "t", "outcome": "failure", "error": "e" * 257, "cause": "c" * 32_769},
            "SendTaskFailure",
            {"taskToken": "t", "error": "e" * 257, "cause": "c" * 32_769},
        ),
        (
            "/console/execution/callback",
            {"token": "", "outcome": "success", "output": "{}"},
            "SendTaskSuccess",
            {"taskToken": "", "output": "{}"},
        ),
        (
            "/console/execution/stop",
            {"error": "e" * 257},
            "StopExecution",
            {"executionArn": EXECUTION, "error": "e" * 257},
        ),
    ],
)
def test_the_callback_and_stop_forms_are_checked_as_the_api_is(
    console: Server,
    http: httpx.Client,
    sfn: Any,
    path: str,
    fields: dict[str, str],
    action: str,
    request_body: dict[str, Any],
) -> None:
    name, _ = create(sfn, PASS)
    answer = http.post(path, data={**fields, "arn": EXECUTION, "csrf": token(http, name)})
    assert answer.status_code == 400
    expected = api(console, action, request_body)
    assert expected.startswith("ValidationException")
    assert shown_error(answer) == expected


def test_a_callback_outcome_the_console_does_not_send_is_refused(http: httpx.Client, sfn: Any) -> None:
    name, _ = create(sfn, PASS)
    fields = {"token": "t", "outcome": "maybe", "arn": EXECUTION, "csrf": token(http, name)}
    answer = http.post("/console/execution/callback", data=fields)
    assert answer.status_code == 400
    assert "The form field 'outcome' must be 'success' or 'failure', not 'maybe'." in shown_error(answer)


@pytest.fixture(scope="module")
def finished_execution(sfn: Any) -> tuple[str, str]:
    name, arn = create(sfn, PASS)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    finished(sfn, execution)
    return name, quote(execution, safe="")


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            f"/console/executions?before={HUGE}",
            f"'before' must be a whole number from 0 to {2**62}, not '{HUGE}'",
        ),
        ("/console/executions?before=-1", "'before' must be a whole number from 0"),
        ("/console/executions?before=abc", "'before' must be a whole number from 0"),
        (
            "/console/executions?status=DONE",
            "'status' must be one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, not 'DONE'",
        ),
        (f"/console/state-machines/{{name}}?before={HUGE}", "'before' must be a whole number"),
        ("/console/state-machines/{name}?status=running", "'status' must be one of"),
        ("/console/execution?arn={execution}&after=1e5", "'after' must be a whole number from 0"),
        (f"/console/execution?arn={{execution}}&after={HUGE}", "'after' must be a whole number"),
        (
            "/console/execution/live?arn={execution}&seen=x&status=RUNNING",
            "'seen' must be a whole number from -1",
        ),
    ],
)
def test_bad_query_parameters_are_a_400_page_that_names_them(
    http: httpx.Client, finished_execution: tuple[str, str], path: str, message: str
) -> None:
    name, execution = finished_execution
    answer = http.get(path.format(name=name, execution=execution))
    assert answer.status_code == 400
    assert message in shown_error(answer)


def test_good_query_parameters_still_page(http: httpx.Client, finished_execution: tuple[str, str]) -> None:
    name, execution = finished_execution
    for path in (
        f"/console/executions?before={2**62}&status=SUCCEEDED",
        f"/console/state-machines/{name}?before=0",
        f"/console/execution?arn={execution}&after=2",
        "/console/executions?status=",
    ):
        assert http.get(path).status_code == 200, path


def test_a_dense_diagram_is_drawn_off_the_event_loop_and_stays_small(
    console: Server, http: httpx.Client, sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = dense(150)  # QA's 949 KB definition: the page took 61 s, 16 MB, and froze the API
    name, _ = create(sfn, definition)
    drawing, answered = threading.Event(), threading.Event()
    details: list[layout.Detail] = []
    real_draw, real_layout = data.draw, layout.layout

    def held(*args: Any) -> Any:
        drawing.set()
        assert answered.wait(30), "the API was not answered while the diagram was being drawn"
        return real_draw(*args)

    def recorded(graph: Any) -> layout.Layout:
        placed = real_layout(graph)
        details.append(placed.detail)
        return placed

    monkeypatch.setattr(data, "draw", held)
    monkeypatch.setattr(data, "_LAYOUTS", {})  # laid out again, not taken from another test's page
    monkeypatch.setattr(layout, "layout", recorded)
    with ThreadPoolExecutor(1) as pool:
        loading = pool.submit(httpx.get, f"{console.url}/console/state-machines/{name}", timeout=60)
        assert drawing.wait(30)
        # The diagram is being drawn (and waits for this): the API answers meanwhile.
        listed = api_list(console)
        answered.set()
        page = loading.result(timeout=60)
    assert name in listed
    assert page.status_code == 200
    assert details == [layout.Detail.STATES]
    assert "The diagram shows the states only" in page.text
    assert page.text.count('class="node t-Task"') == 150
    assert "<polyline" not in page.text
    assert len(page.content) < 512 * 1024  # the definition is cut at 256 KiB


def api_list(console: Server) -> list[str]:
    answer = httpx.post(
        console.url,
        headers={
            "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
            "Content-Type": "application/x-amz-json-1.0",
        },
        content=b"{}",
        timeout=10,
    )
    return [machine["name"] for machine in answer.json()["stateMachines"]]


def test_forms_are_checked_as_the_api_checks_requests(http: httpx.Client, sfn: Any) -> None:
    name, arn = create(sfn, PASS)
    big = json.dumps({"data": "x" * 600_000})  # under the form's 1 MiB, over AWS's 256 KiB input
    answer = http.post(
        f"/console/state-machines/{name}/start", data={"csrf": token(http, name), "input": big}
    )
    assert answer.status_code == 400
    assert "ValidationException" in answer.text
    assert "Member must have length less than or equal to 262144" in answer.text
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []
    callback = http.post(
        "/console/execution/callback",
        data={"csrf": token(http, name), "arn": "x", "token": "t", "outcome": "success", "output": big},
    )
    assert callback.status_code == 400
    assert "ValidationException" in callback.text


@pytest.mark.parametrize("before", ["99999999999999999999999", "-99999999999999999999999", "1e5", "9" * 5000])
def test_any_paging_position_is_a_page(http: httpx.Client, sfn: Any, before: str) -> None:
    name, _ = create(sfn, PASS)
    for path in ("/console/executions", f"/console/state-machines/{name}"):
        answer = http.get(path, params={"before": before})
        assert answer.status_code == 400  # QA: SQLite's OverflowError made it a 500
        assert "The query parameter 'before' must be a whole number" in shown_error(answer)


def test_a_diagram_with_too_many_transitions_shows_its_states(http: httpx.Client, sfn: Any) -> None:
    name, arn = create(sfn, dense(60))  # 3,540 catch edges: seconds of layout, megabytes of SVG
    page = http.get(f"/console/state-machines/{name}", timeout=60)
    assert page.status_code == 200
    assert "The diagram shows the states only, layer by layer: 60 states and 3,601 transitions" in page.text
    assert page.text.count('class="node t-Task"') == 60
    assert "<polyline" not in page.text
    assert len(page.content) < 512 * 1024
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    finished(sfn, execution)
    shown = http.get(f"/console/execution?arn={quote(execution, safe='')}", timeout=60)
    assert shown.status_code == 200
    assert "The diagram shows the states only" in shown.text
    assert 'class="node t-Task o-' in shown.text  # the states it ran are coloured by their outcome


def test_a_diagram_with_too_many_states_is_not_drawn(
    http: httpx.Client, sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(layout, "MAX_NODES", 10)
    name, _ = create(sfn, dense(12))
    page = http.get(f"/console/state-machines/{name}")
    assert page.status_code == 200
    assert "The diagram is not drawn: 12 states are more than the console draws (at most 10" in page.text
    assert "<svg" not in page.text


def test_long_edges_past_the_bend_budget_run_along_the_side(http: httpx.Client, sfn: Any) -> None:
    states = {
        f"S{n}": {
            "Type": "Pass",
            "Next": f"S{n + 1}" if n < 199 else "Done",
        }
        for n in range(200)
    }
    choices = [{"Variable": "$.n", "NumericEquals": n, "Next": f"S{n}"} for n in range(200)]
    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {"Type": "Choice", "Choices": choices, "Default": "Done"},
            **states,
            "Done": {"Type": "Succeed"},
        },
    }
    name, _ = create(sfn, definition)  # the Choice's edges cross up to 200 layers: 20,000 bend points
    page = http.get(f"/console/state-machines/{name}", timeout=60)
    assert page.status_code == 200
    edges = len(build_graph(load_definition(definition)).edges)
    assert page.text.count("<polyline ") == edges  # every edge drawn
    assert 'data-state="S199"' in page.text
