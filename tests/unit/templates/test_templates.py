"""Definitions from templates: YAML, SAM, CloudFormation and CDK; placeholders, positions and choices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl import StateMachine
from asl.errors import DefinitionError
from asl.source import read_source
from asl.templates import machine_refs, read_any
from asl.templates.validate import validate_reference

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"
SAM = FIXTURES / "sam-stock-trader" / "template.yaml"
CFN = FIXTURES / "cfn-multi.yaml"
CDK = FIXTURES / "cdk-orders" / "cdk.out"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def _states(reference: str | Path, **options: object) -> dict:
    return read_any(reference, **options).definition["States"]  # type: ignore[arg-type]


def test_sam_definition_uri_with_substitutions_from_gettatt_ref_and_sub() -> None:
    loaded = read_any(SAM)
    states = loaded.definition["States"]
    assert loaded.name == "StockTradingStateMachine"
    assert states["Check Stock Value"]["Parameters"]["FunctionName"] == LAMBDA + "StockCheckerFunction"
    assert states["Record Transaction"]["Resource"] == "arn:aws:states:::dynamodb:putItem"
    assert states["Record Transaction"]["Parameters"]["TableName"] == "TransactionTable"


def test_cdk_definition_string_fn_join_from_a_cdk_out_folder() -> None:
    states = _states(f"{CDK}#OrderFlow")
    assert states["Price order"]["Resource"] == LAMBDA + "PriceFn3AA02D07"
    assert states["Save order"]["Parameters"]["TableName"] == "OrdersA9B65338"


@pytest.mark.parametrize(
    "fragment", ["OrderFlowA028A46E", "OrderFlow", "OrderStack/OrderFlow", "OrderStack/OrderFlow/Resource"]
)
def test_a_cdk_machine_is_picked_by_logical_id_or_construct_path(fragment: str) -> None:
    assert "Price order" in _states(f"{CDK}/OrderStack.template.json#{fragment}")


def test_cfn_definition_object_with_short_tags_conditions_and_substitutions() -> None:
    loaded = read_any(f"{CFN}#Refunds", region="eu-west-1", account="111122223333")
    assert loaded.definition["Comment"] == "test refunds"  # !If on a condition of a parameter Default
    refund = loaded.definition["States"]["Refund"]
    assert refund["Resource"] == "arn:aws:lambda:eu-west-1:111122223333:function:PriceFunction"
    assert refund["Parameters"] == {"table": "orders-dev", "region": "eu-west-1"}


def test_a_sub_wins_over_parameter_defaults_and_definition_substitutions() -> None:
    loaded = read_any(f"{CFN}#Refunds", {"Stage": "prod", "Table": "override"})
    assert loaded.definition["Comment"] == "production refunds"
    assert loaded.definition["States"]["Refund"]["Parameters"]["table"] == "override"
    assert loaded.unused == ()


def test_names_given_but_used_nowhere_are_listed() -> None:
    assert read_any(f"{CFN}#Refunds", {"Nope": "x"}).unused == ("Nope",)


def test_an_unresolved_placeholder_is_placed_in_the_template_and_says_how_to_supply_it() -> None:
    with pytest.raises(DefinitionError) as caught:
        read_any(f"{CFN}#Checkout")
    (problem,) = caught.value.problems
    assert problem.code == "UNRESOLVED_PLACEHOLDER"
    line = CFN.read_text().splitlines()[problem.line - 1]  # type: ignore[operator]
    assert line[problem.column - 1 :].startswith("${NotifyTopicArn}")  # type: ignore[operator]
    assert "--sub NotifyTopicArn=VALUE" in problem.message
    assert "[substitutions]" in problem.message
    assert "no Default" in problem.message


def test_fn_sub_literal_escape_and_a_given_parameter() -> None:
    states = _states(f"{CFN}#Checkout", substitutions={"NotifyTopicArn": "arn:aws:sns:us-east-1:1:t"})
    assert states["Save"]["Parameters"]["TableName"] == "orders-dev"  # ${!Table} -> ${Table} -> substitution
    assert states["Notify"]["Parameters"]["TopicArn"] == "arn:aws:sns:us-east-1:1:t"


def test_several_machines_need_a_choice_and_list_their_ids() -> None:
    with pytest.raises(DefinitionError, match=r"2 state machines \(Checkout, Refunds\).*#LogicalId"):
        read_any(CFN)
    assert machine_refs(CFN) == [f"{CFN}#Checkout", f"{CFN}#Refunds"]
    with pytest.raises(DefinitionError, match="no state machine 'Nope'"):
        read_any(f"{CFN}#Nope")


def test_definition_errors_point_at_template_lines(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n"
        "  Flow:\n"
        "    Type: AWS::StepFunctions::StateMachine\n"
        "    Properties:\n"
        "      Definition:\n"
        "        StartAt: A\n"
        "        States:\n"
        "          A:\n"
        "            Type: Pass\n"
        "            Next: Missing\n"
    )
    with pytest.raises(DefinitionError) as caught:
        StateMachine.from_file(template)
    assert [(p.line, p.column) for p in caught.value.problems] == [(10, 13)]


def test_definition_string_block_errors_point_into_the_block(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n"
        "  Flow:\n"
        "    Type: AWS::StepFunctions::StateMachine\n"
        "    Properties:\n"
        "      DefinitionString: |\n"
        '        {"StartAt": "A",\n'
        '         "States": {"A": {"Type": "Pass", "Next": "Missing"}}}\n'
    )
    with pytest.raises(DefinitionError) as caught:
        StateMachine.from_file(template)
    (problem,) = caught.value.problems
    assert problem.line == 7


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Resources:\n  A: [unclosed\n", (3, 1)),
        ("Resources:\n  A:\n    Type: x\n  A:\n    Type: y\n", (4, 3)),
    ],
    ids=["syntax", "repeated-key"],
)
def test_malformed_yaml_is_placed(tmp_path: Path, text: str, where: tuple[int, int]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(DefinitionError) as caught:
        read_any(path)
    assert (caught.value.problems[0].line, caught.value.problems[0].column) == where
    assert caught.value.problems[0].code == "MALFORMED_YAML"


def test_a_plain_yaml_definition_runs(tmp_path: Path) -> None:
    path = tmp_path / "flow.asl.yaml"
    path.write_text("StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: {ok: yes}\n    End: true\n")
    assert StateMachine.from_file(path).run_sync({}).output == {"ok": True}


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ("DefinitionS3Location: {Bucket: b, Key: k}", "DefinitionS3Location is not supported"),
        ("DefinitionUri: s3://bucket/key.json", "local file path"),
        ("RoleArn: x", "has no Definition, DefinitionString or DefinitionUri"),
    ],
)
def test_what_cannot_be_read_locally_says_so(tmp_path: Path, properties: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        f"Resources:\n  F:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      {properties}\n"
    )
    with pytest.raises(DefinitionError, match=message):
        read_any(path)


def test_json_templates_load_through_read_source() -> None:
    definition, source = read_source(CDK / "OrderStack.template.json#Cleanup")
    assert list(definition["States"]) == ["Nothing to do"]
    assert source.name.endswith("#CleanupD4E4842E")  # the logical ID the fragment stood for


def test_validate_reports_one_entry_per_machine_with_placeholders_as_diagnostics() -> None:
    reports = {r.path.rsplit("#", 1)[-1]: r for r in validate_reference(CFN)}
    assert [d.code for d in reports["Checkout"].diagnostics] == ["UNRESOLVED_PLACEHOLDER"]
    assert reports["Refunds"].diagnostics == ()
    assert json.loads(json.dumps([d.line for d in reports["Checkout"].diagnostics])) == [44]


def test_template_codes_are_documented() -> None:
    from asl.templates.validate import TEMPLATE_CODES

    guide = (Path(__file__).resolve().parents[3] / "docs" / "ci.md").read_text()
    assert [code for code in TEMPLATE_CODES if f"| `{code}` | ERROR |" not in guide] == []
