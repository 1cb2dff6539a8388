"""State machines over boto3: create, describe, list, update, delete, versions, aliases, tags, validation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import PASS, ROLE, create, unique, wait_done

WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}


def error_of(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def test_create_describe_update_delete(sfn: Any) -> None:
    name = unique()
    arn = create(sfn, PASS, name, tags=[{"key": "team", "value": "a"}])
    assert arn == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["name"] == name
    assert described["status"] == "ACTIVE"
    assert described["type"] == "STANDARD"
    assert json.loads(described["definition"]) == PASS
    assert described["roleArn"] == ROLE
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    revision = described["revisionId"]
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(WAIT))
    assert updated["revisionId"] != revision
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == WAIT
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "a"}]
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)


def test_create_is_idempotent_only_for_the_same_machine(sfn: Any) -> None:
    """API reference, CreateStateMachine: "an idempotent API ... if the same name, definition, type..."."""
    name = unique()
    arn = create(sfn, PASS, name)
    assert create(sfn, PASS, name) == arn
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists) as caught:
        create(sfn, WAIT, name)
    assert error_of(caught)[1] == f"State Machine Already Exists: '{arn}'"


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}},
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: ",
        ),
        ({"StartAt": "A"}, "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "),
        ("{not json", "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: "),
    ],
)
def test_an_invalid_definition_is_refused_as_aws_words_it(sfn: Any, definition: Any, message: str) -> None:
    """AWS answers `Invalid State Machine Definition: 'CODE: message at /pointer, ...'` (localstack#12487 quotes it)."""
    text = definition if isinstance(definition, str) else json.dumps(definition)
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        sfn.create_state_machine(name=unique(), definition=text, roleArn=ROLE)
    assert error_of(caught)[1].startswith(message)
    assert " at /" in error_of(caught)[1]


@pytest.mark.parametrize("name", ["has space", "a/b", "star*", "semi;colon"])
def test_invalid_names_are_refused(sfn: Any, name: str) -> None:
    with pytest.raises(sfn.exceptions.InvalidName) as caught:
        sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)
    assert error_of(caught)[1] == f"Invalid Name: '{name}'"


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"loggingConfiguration": {"level": "ALL", "includeExecutionData": True}}, "CloudWatch Logs"),
        ({"tracingConfiguration": {"enabled": True}}, "X-Ray"),
        ({"encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k"}}, "KMS"),
    ],
)
def test_settings_we_do_not_emulate_are_refused_loudly(sfn: Any, extra: dict[str, Any], says: str) -> None:
    with pytest.raises(ClientError) as caught:
        sfn.create_state_machine(name=unique(), definition=json.dumps(PASS), roleArn=ROLE, **extra)
    code, message = error_of(caught)
    assert code == "ValidationException"
    assert says in message


def test_express_machines_refuse_callbacks_and_activities(sfn: Any) -> None:
    callback = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "End": True,
            }
        },
    }
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        create(sfn, callback, type="EXPRESS")
    assert (
        "Express state machine does not support '.waitForTaskToken' service integration at /States/T/Resource"
        in (error_of(caught)[1])
    )


def test_list_pages_through_every_machine(sfn: Any) -> None:
    made = {create(sfn, PASS) for _ in range(7)}
    seen: list[str] = []
    pages = sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 3})
    for page in pages:
        assert len(page["stateMachines"]) <= 3
        seen += [machine["stateMachineArn"] for machine in page["stateMachines"]]
    assert made <= set(seen)
    assert len(seen) == len(set(seen))


def test_a_bad_next_token_is_invalid_token(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.list_state_machines(nextToken="garbage")


def test_versions_and_aliases(sfn: Any) -> None:
    arn = sfn.create_state_machine(name=unique(), definition=json.dumps(PASS), roleArn=ROLE, publish=True)[
        "stateMachineArn"
    ]
    versions = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [f"{arn}:1"]
    # Publishing an unchanged revision again gives the same version.
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == f"{arn}:1"
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(WAIT))
    v2 = sfn.publish_state_machine_version(stateMachineArn=arn, description="waits")["stateMachineVersionArn"]
    assert v2 == f"{arn}:2"
    assert json.loads(sfn.describe_state_machine(stateMachineArn=f"{arn}:1")["definition"]) == PASS
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.publish_state_machine_version(stateMachineArn=arn, revisionId="stale")
    alias = sfn.create_state_machine_alias(
        name="prod", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    )["stateMachineAliasArn"]
    assert alias == f"{arn}:prod"
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["routingConfiguration"] == [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    assert [
        a["stateMachineAliasArn"]
        for a in sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    ] == [alias]
    # An execution through the alias runs version 1 (a Pass), and says so.
    execution = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    done = wait_done(sfn, execution)
    assert done["stateMachineAliasArn"] == alias
    assert done["stateMachineVersionArn"] == f"{arn}:1"
    for_execution = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert json.loads(for_execution["definition"]) == PASS
    listed = sfn.list_executions(stateMachineArn=alias)["executions"]
    assert [e["executionArn"] for e in listed] == [execution]
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}]
    )
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")
    assert [
        v["stateMachineVersionArn"]
        for v in sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    ] == [v2]
    with pytest.raises(ClientError):
        sfn.create_state_machine_alias(
            name="bad", routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 60}]
        )
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias)


def test_tags(sfn: Any) -> None:
    arn = create(sfn, PASS)
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_tags_for_resource(resourceArn=arn + "-missing")


def test_validate_state_machine_definition(sfn: Any) -> None:
    ok = sfn.validate_state_machine_definition(definition=json.dumps(PASS))
    assert ok["result"] == "OK"
    assert ok["diagnostics"] == []
    bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    failed = sfn.validate_state_machine_definition(definition=json.dumps(bad))
    assert failed["result"] == "FAIL"
    assert failed["diagnostics"][0]["code"] == "MISSING_TRANSITION_TARGET"
    assert failed["diagnostics"][0]["severity"] == "ERROR"
    assert failed["diagnostics"][0]["location"] == "/States/A/Next"
    warned = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x": "$.y"}, "End": True}}}
    assert sfn.validate_state_machine_definition(definition=json.dumps(warned))["diagnostics"] == []
    with_warnings = sfn.validate_state_machine_definition(definition=json.dumps(warned), severity="WARNING")
    assert with_warnings["result"] == "OK"
    assert with_warnings["diagnostics"][0]["code"] == "NO_DOLLAR"


def test_version_description_needs_publish_and_metadata_only_leaves_out_the_definition(sfn: Any) -> None:
    with pytest.raises(ClientError) as caught:
        sfn.create_state_machine(
            name=unique(), definition=json.dumps(PASS), roleArn=ROLE, versionDescription="v"
        )
    assert error_of(caught) == (
        "ValidationException",
        "Version description can only be set when publish is true",
    )
    arn = create(sfn, PASS)
    assert "definition" not in sfn.describe_state_machine(stateMachineArn=arn, includedData="METADATA_ONLY")


def test_invalid_definition_message_matches_aws_word_for_word(sfn: Any) -> None:
    """AWS's answer as quoted in localstack/localstack#12487 (CreateStateMachine against AWS)."""
    definition = {
        "StartAt": "pass1",
        "States": {"pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": {"Type": "Pass", "End": True}},
    }
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        create(sfn, definition)
    assert error_of(caught)[1] == (
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at "
        '/States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2\''
    )
