"""The user-onboarding sample end to end: Cognito tasks through the interpreter, tokens verified by PyJWT."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
from click.testing import CliRunner

from asl import StateMachine, TaskRegistry
from cli.main import cli

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "user-onboarding"
INPUT = json.loads((SAMPLE / "input.json").read_text())


def init_directory(tmp_path: Path) -> Path:
    users = tmp_path / "users.json"
    result = CliRunner().invoke(
        cli,
        [
            "cognito",
            "init",
            "--users",
            str(users),
            "--seed",
            "demo",
            "--pool-name",
            "onboarding",
            "--client-name",
            "web",
        ],
    )
    assert result.exit_code == 0, result.output
    ids = json.loads(result.stdout)
    assert (ids["UserPoolId"], ids["ClientId"]) == (INPUT["userPoolId"], INPUT["clientId"])
    return users


def test_onboarding_runs_from_the_cli_and_tokens_verify(tmp_path: Path) -> None:
    users = init_directory(tmp_path)
    args = [
        "run",
        str(SAMPLE / "workflow.json"),
        "--users",
        str(users),
        "--input",
        f"file://{SAMPLE / 'input.json'}",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["groups"] == ["members", "beta-testers"]

    jwks = CliRunner().invoke(cli, ["cognito", "jwks", "--users", str(users), "--pool", INPUT["userPoolId"]])
    keys = {key["kid"]: jwt.PyJWK(key) for key in json.loads(jwks.stdout)["keys"]}
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{INPUT['userPoolId']}"
    id_header = jwt.get_unverified_header(output["idToken"])
    id_claims = jwt.decode(
        output["idToken"],
        keys[id_header["kid"]],
        algorithms=["RS256"],
        audience=INPUT["clientId"],
        issuer=issuer,
    )
    assert id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == "ada"
    assert id_claims["email"] == "ada@example.com"
    assert id_claims["email_verified"] is True
    assert id_claims["name"] == "Ada Lovelace"
    assert sorted(id_claims["cognito:groups"]) == ["beta-testers", "members"]
    assert id_claims["sub"] == output["sub"]
    access_header = jwt.get_unverified_header(output["accessToken"])
    assert access_header["kid"] != id_header["kid"]
    access = jwt.decode(
        output["accessToken"], keys[access_header["kid"]], algorithms=["RS256"], issuer=issuer
    )
    assert access["token_use"] == "access"
    assert access["client_id"] == INPUT["clientId"]
    assert access["username"] == "ada"

    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 1
    failure = json.loads(again.stderr)
    assert failure["error"] == "UserAlreadyRegistered"
    assert "User account already exists" in failure["cause"]
    saved = json.loads(users.read_text())
    assert saved["pools"]


def test_onboarding_through_the_python_api() -> None:
    import cognito_tasks

    directory = cognito_tasks.UserDirectory(seed="api")
    registry = TaskRegistry()
    cognito_tasks.register(registry, directory)
    sdk = "arn:aws:states:::aws-sdk:cognitoidentityprovider:"
    setup = {
        "StartAt": "Pool",
        "States": {
            "Pool": {
                "Type": "Task",
                "Resource": sdk + "createUserPool",
                "Parameters": {"PoolName": "api"},
                "ResultSelector": {"id.$": "$.UserPool.Id"},
                "ResultPath": "$.pool",
                "Next": "Client",
            },
            "Client": {
                "Type": "Task",
                "Resource": sdk + "createUserPoolClient",
                "Parameters": {
                    "UserPoolId.$": "$.pool.id",
                    "ClientName": "web",
                    "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                },
                "ResultSelector": {
                    "userPoolId.$": "$.UserPoolClient.UserPoolId",
                    "clientId.$": "$.UserPoolClient.ClientId",
                },
                "End": True,
            },
        },
    }
    ids = StateMachine(setup, registry=registry).run_sync({}).output
    machine = StateMachine.from_file(SAMPLE / "workflow.json", registry=registry)
    result = machine.run_sync({**INPUT, **ids})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["groups"] == ["members", "beta-testers"]
    jwks = directory.jwks(ids["userPoolId"])
    header = jwt.get_unverified_header(result.output["idToken"])
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(
        result.output["idToken"], jwt.PyJWK(key), algorithms=["RS256"], audience=ids["clientId"]
    )
    assert claims["cognito:username"] == "ada"
    types = result.event_types
    assert (
        types.count("TaskSucceeded") == 8
    )  # CreateUser, SetProfile, 2 x (EnsureGroup, AddUserToGroup), SignIn, ChooseNewPassword
    assert "MapIterationSucceeded" in types


def test_save_users_false_keeps_the_directory_file(tmp_path: Path) -> None:
    users = init_directory(tmp_path)
    before = users.read_bytes()
    (tmp_path / "asl.toml").write_text(f'users = "{users.name}"\nsave_users = false\n')
    flow = tmp_path / "workflow.json"
    flow.write_text((SAMPLE / "workflow.json").read_text())
    result = CliRunner().invoke(cli, ["run", str(flow), "--input", f"file://{SAMPLE / 'input.json'}"])
    assert result.exit_code == 0, result.output
    assert users.read_bytes() == before
