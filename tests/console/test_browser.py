"""The console in a real headless browser: what a person does with it while `asl serve` runs."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.console.conftest import Watched, create, finished
from tests.console.shapes import dense
from tests.server.conftest import Server

CHARGE = "arn:aws:lambda:us-east-1:123456789012:function:charge"
APPROVAL = {
    "StartAt": "Ask approval",
    "States": {
        "Ask approval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl": "https://sqs.local/approvals",
                "MessageBody": {"token.$": "$$.Task.Token"},
            },
            "ResultPath": "$.decision",
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def execution_url(console: Server, arn: str) -> str:
    return f"{console.url}/console/execution?arn={quote(arn, safe='')}"


def node(page: Any, state: str) -> Any:
    return page.locator(f"svg.diagram .node[data-state={json.dumps(state)}]")


def test_start_an_execution_from_the_page(console: Server, sfn: Any, watched: Watched) -> None:
    definition = {
        "StartAt": "Greet",
        "States": {"Greet": {"Type": "Pass", "Parameters": {"hi.$": "$.who"}, "End": True}},
    }
    name, machine_arn = create(sfn, definition)
    page = watched.page
    page.goto(f"{console.url}/console/")
    page.get_by_role("link", name=name).click()
    page.fill("input[name=name]", "from-the-page")
    page.fill("textarea[name=input]", '{"who": "Ada"}')
    expect(page.locator(".editor-status")).to_have_text("Valid JSON")
    page.get_by_role("button", name="Start execution").click()
    page.wait_for_url(re.compile(r"/console/execution\?arn="))
    expect(page.locator("h1 .status")).to_have_text("succeeded")
    expect(page.locator("section.io")).to_contain_text('"hi": "Ada"')
    expect(node(page, "Greet")).to_have_class("node t-Pass o-succeeded")
    execution_arn = f"arn:aws:states:us-east-1:123456789012:execution:{name}:from-the-page"
    described = sfn.describe_execution(executionArn=execution_arn)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"hi": "Ada"})
    assert described["stateMachineArn"] == machine_arn


@pytest.mark.parametrize(
    ("text", "editor", "error"),
    [
        ('{"who": ', "Not valid JSON", "InvalidExecutionInput"),
        (
            json.dumps({"text": "x" * 300_000}),  # QA: the console skipped the API's size check (a 500)
            "Valid JSON",
            "ValidationException: 1 validation error detected: Value at 'input' failed to satisfy "
            "constraint: Member must have length less than or equal to 262144",
        ),
    ],
)
def test_a_bad_input_is_refused_with_awss_error_and_kept_in_the_editor(
    console: Server, sfn: Any, watched: Watched, text: str, editor: str, error: str
) -> None:
    name, machine_arn = create(sfn, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    page = watched.page
    page.goto(f"{console.url}/console/state-machines/{name}")
    page.fill("textarea[name=input]", text)
    expect(page.locator(".editor-status")).to_contain_text(editor)
    page.get_by_role("button", name="Start execution").click()
    expect(page.locator("p.error")).to_contain_text(error)
    expect(page.locator("textarea[name=input]")).to_have_value(text)
    assert sfn.list_executions(stateMachineArn=machine_arn)["executions"] == []


def test_a_dense_state_machine_shows_its_states_and_says_why_not_its_transitions(
    console: Server, sfn: Any, watched: Watched
) -> None:
    name, _ = create(sfn, dense(150))
    page = watched.page
    page.goto(f"{console.url}/console/state-machines/{name}")
    expect(page.locator(".diagram-box .note")).to_contain_text(
        "The diagram shows the states only, layer by layer: 150 states and 22,501 transitions"
    )
    expect(page.locator("svg.diagram .node.t-Task")).to_have_count(150)
    expect(page.locator("svg.diagram polyline")).to_have_count(0)
    node(page, "T42").click()
    page.locator("details.definition summary").click()
    expect(page.locator("details.definition pre")).to_contain_text(
        "characters in all (DescribeStateMachine has them all)"
    )


def test_watch_an_execution_run(console: Server, sfn: Any, watched: Watched) -> None:
    _name, machine_arn = create(sfn, APPROVAL)
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input='{"order": 7}')["executionArn"]
    page = watched.page
    page.goto(f"{console.url}/console/executions?status=RUNNING")
    page.get_by_role("link", name=execution_arn.rsplit(":", 1)[1]).click()
    expect(page.locator("h1 .status")).to_have_text("running")
    expect(node(page, "Ask approval")).to_have_class("node t-Task o-running")
    token = page.locator(".callback .token code").inner_text()
    sfn.send_task_success(taskToken=token, output='{"approved": true}')  # from outside the page
    # No reload: the page follows the execution on its own.
    expect(page.locator("h1 .status")).to_have_text("succeeded")
    expect(node(page, "Ask approval")).to_have_class("node t-Task o-succeeded")
    expect(node(page, "Done")).to_have_class("node t-Pass o-succeeded")
    expect(page.locator(".callbacks")).to_have_count(0)
    expect(page.locator("section.io")).to_contain_text('"approved": true')


def test_open_a_failed_states_error(console: Server, sfn: Any, watched: Watched) -> None:
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Next": "Charge card"},
            "Charge card": {"Type": "Task", "Resource": CHARGE, "End": True},
        },
    }
    _name, machine_arn = create(sfn, definition)
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input='{"card": "4242"}')["executionArn"]
    assert finished(sfn, execution_arn)["status"] == "FAILED"
    page = watched.page
    page.goto(f"{console.url}/console/executions?status=FAILED")
    page.get_by_role("link", name=execution_arn.rsplit(":", 1)[1]).click()
    failure = page.locator("section.failure")
    expect(failure).to_contain_text("Failed in Charge card")
    expect(failure.locator(".error-name")).to_have_text("PaymentDeclined")
    expect(node(page, "Charge card")).to_have_class("node t-Task o-failed")
    node(page, "Charge card").click()
    runs = page.locator("table.state-runs tbody tr")
    expect(runs.filter(has_text="Prepare")).to_be_hidden()
    shown = runs.filter(has_text="Charge card")
    expect(shown).to_be_visible()
    expect(shown.locator(".error-details summary")).to_have_text("PaymentDeclined")
    expect(shown.locator(".error-details pre")).to_contain_text("card 4242 was declined <by the bank>")
    events = page.locator("table.event-table tbody tr:visible")
    expect(events.filter(has_text="LambdaFunctionFailed")).to_have_class("failure")
    page.get_by_role("button", name="Show all states").click()
    expect(runs.filter(has_text="Prepare")).to_be_visible()


def test_complete_a_callback_from_the_page(console: Server, sfn: Any, watched: Watched) -> None:
    _name, machine_arn = create(sfn, APPROVAL)
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input="{}")["executionArn"]
    page = watched.page
    page.goto(execution_url(console, execution_arn))
    callback = page.locator(".callback").filter(has_text="Ask approval")
    expect(callback).to_contain_text("arn:aws:states:::sqs:sendMessage.waitForTaskToken")
    callback.locator("textarea[name=output]").fill('{"approved": "yes, <b>ship</b>"}')
    callback.get_by_role("button", name="Send task success").click()
    expect(page.locator("h1 .status")).to_have_text("succeeded")
    described = finished(sfn, execution_arn)
    assert json.loads(described["output"]) == {"decision": {"approved": "yes, <b>ship</b>"}}


def test_fail_a_callback_from_the_page(console: Server, sfn: Any, watched: Watched) -> None:
    _name, machine_arn = create(sfn, APPROVAL)
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input="{}")["executionArn"]
    page = watched.page
    page.goto(execution_url(console, execution_arn))
    failure_form = page.locator("form.callback-failure")
    failure_form.locator("input[name=error]").fill("Rejected")
    failure_form.locator("input[name=cause]").fill("not in stock")
    failure_form.get_by_role("button", name="Send task failure").click()
    expect(page.locator("section.failure .error-name")).to_have_text("Rejected")
    described = finished(sfn, execution_arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Rejected",
        "not in stock",
    )


def test_stop_an_execution_from_the_page(console: Server, sfn: Any, watched: Watched) -> None:
    _name, machine_arn = create(sfn, APPROVAL)
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input="{}")["executionArn"]
    page = watched.page
    page.goto(execution_url(console, execution_arn))
    page.get_by_text("Stop execution").click()
    page.locator("form.stop-form input[name=error]").fill("Operator.Stop")
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.locator("h1 .status")).to_have_text("aborted")
    expect(node(page, "Ask approval")).to_have_class("node t-Task o-aborted")
    described = finished(sfn, execution_arn)
    assert (described["status"], described["error"]) == ("ABORTED", "Operator.Stop")


SIGN_UP = {
    "StartAt": "Create pool",
    "States": {
        "Create pool": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:createUserPool",
            "Parameters": {"PoolName.$": "$.pool"},
            "ResultSelector": {"id.$": "$.UserPool.Id"},
            "ResultPath": "$.pool",
            "Next": "Create user",
        },
        "Create user": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminCreateUser",
            "Parameters": {
                "UserPoolId.$": "$.pool.id",
                "Username.$": "$.username",
                "UserAttributes": [{"Name": "email", "Value.$": "$.email"}],
                "DesiredDeliveryMediums": ["EMAIL"],
            },
            "End": True,
        },
    },
}


def test_find_a_user_created_by_a_workflow(console: Server, sfn: Any, watched: Watched) -> None:
    name, machine_arn = create(sfn, SIGN_UP)
    pool_name = f"shop-{name}"
    request = {"pool": pool_name, "username": "ada", "email": "ada@example.com"}
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(request))[
        "executionArn"
    ]
    assert finished(sfn, execution_arn)["status"] == "SUCCEEDED"
    page = watched.page
    page.goto(f"{console.url}/console/")
    page.get_by_role("link", name="Cognito").click()
    page.locator("table.pools tr").filter(has_text=pool_name).get_by_role("link").click()
    user = page.locator('table.users tr[data-username="ada"]')
    expect(user).to_contain_text("FORCE_CHANGE_PASSWORD")
    expect(user).to_contain_text("ada@example.com")
    sent = page.locator("table.outbox tbody tr").first
    expect(sent).to_contain_text("invitation (temporary password)")
    expect(sent).to_contain_text("EMAIL")
    expect(sent).to_contain_text("Your username is ada and temporary password is")


HOSTILE_NAME = '<img src=x onerror="window.pwned=1">'
HOSTILE = {
    "Comment": "</pre><script>window.pwned = 2</script>",
    "StartAt": HOSTILE_NAME,
    "States": {
        HOSTILE_NAME: {
            "Type": "Pass",
            "Result": {"html": "<script>window.pwned = 3; alert('result')</script>"},
            "ResultPath": "$.result",
            "Next": "Refuse",
        },
        "Refuse": {"Type": "Fail", "Error": "<b>Bad</b>", "Cause": "<script>alert('cause')</script>"},
    },
}


def test_html_and_script_in_a_definition_and_an_input_are_shown_not_run(
    console: Server, sfn: Any, watched: Watched
) -> None:
    name, machine_arn = create(sfn, HOSTILE)
    hostile_input = {
        "note": "</textarea><script>alert('input')</script>",
        "img": "<img src=x onerror=alert(4)>",
    }
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(hostile_input))[
        "executionArn"
    ]
    assert finished(sfn, execution_arn)["status"] == "FAILED"
    page = watched.page
    page.goto(f"{console.url}/console/state-machines/{name}")
    page.locator("details.definition summary").click()
    expect(page.locator("details.definition pre")).to_contain_text("</pre><script>window.pwned = 2</script>")
    expect(node(page, HOSTILE_NAME)).to_contain_text(HOSTILE_NAME)
    page.goto(execution_url(console, execution_arn))
    expect(page.locator("section.failure .error-name")).to_have_text("<b>Bad</b>")
    expect(page.locator("section.failure .cause")).to_have_text("<script>alert('cause')</script>")
    expect(page.locator("section.io")).to_contain_text("</textarea><script>alert('input')</script>")
    page.locator("table.state-runs tr").filter(has_text="Refuse").locator("summary", has_text="input").click()
    expect(page.locator("table.state-runs")).to_contain_text("window.pwned = 3")
    for event in page.locator("table.event-table details summary").all():
        event.click()
    expect(page.locator("table.event-table")).to_contain_text("<img src=x onerror=alert(4)>")
    page.wait_for_timeout(300)
    assert watched.dialogs == []
    assert page.evaluate("window.pwned") is None
    assert page.locator("img, script:not([src])").count() == 0
    assert watched.messages == []
