"""`asl run` with Cognito triggers mapped in asl.toml's [handlers], and `asl cognito verify`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from cognito_tasks import UserDirectory, persist
from cognito_tasks.actions_pools import create_user_pool, create_user_pool_client

HANDLERS = textwrap.dedent(
    """
    def pre_sign_up(event, context):
        if event["request"]["userAttributes"].get("email", "").endswith("@blocked.example"):
            raise ValueError("This domain may not sign up")
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = True
        return event


    def pre_token(event, context):
        event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"tenant": "acme"}}
        return event
    """
)
FLOW = {
    "StartAt": "SignUp",
    "States": {
        "SignUp": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:signUp",
            "Parameters": {
                "ClientId.$": "$.client",
                "Username.$": "$.name",
                "Password": "Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value.$": "$.email"}],
            },
            "ResultPath": "$.signUp",
            "Catch": [
                {"ErrorEquals": ["CognitoIdentityProvider.UserLambdaValidationException"], "Next": "Refused"}
            ],
            "Next": "SignIn",
        },
        "SignIn": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:initiateAuth",
            "Parameters": {
                "ClientId.$": "$.client",
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME.$": "$.name", "PASSWORD": "Passw0rd!"},
            },
            "ResultSelector": {"idToken.$": "$.AuthenticationResult.IdToken"},
            "End": True,
        },
        "Refused": {"Type": "Pass", "Parameters": {"cause.$": "$.Cause"}, "End": True},
    },
}


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path, str]:
    directory = UserDirectory()
    pool_id = create_user_pool(
        directory,
        {
            "PoolName": "p",
            "LambdaConfig": {
                "PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up",
                "PreTokenGeneration": "arn:aws:lambda:us-east-1:123456789012:function:pre-token",
            },
        },
        0.0,
    )["UserPool"]["Id"]
    client_id = create_user_pool_client(
        directory,
        {"UserPoolId": pool_id, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]},
        0.0,
    )["UserPoolClient"]["ClientId"]
    persist.save(directory, tmp_path / "users.json")
    (tmp_path / "triggers.py").write_text(HANDLERS)
    (tmp_path / "asl.toml").write_text(
        'users = "users.json"\n\n[handlers]\n"pre-sign-up" = "triggers:pre_sign_up"\n"pre-token" = "triggers:pre_token"\n'
    )
    workflow = tmp_path / "workflow.json"
    workflow.write_text(json.dumps(FLOW))
    return workflow, tmp_path / "users.json", client_id


def test_triggers_run_from_asl_toml_handlers(project: tuple[Path, Path, str]) -> None:
    workflow, users, client_id = project
    result = run(
        "run",
        str(workflow),
        "--input",
        json.dumps({"client": client_id, "name": "ann", "email": "a@ok.example"}),
    )
    assert result.exit_code == 0, result.output
    token = json.loads(result.stdout)["idToken"]
    verified = run("cognito", "verify", "--users", str(users), token)
    assert verified.exit_code == 0, verified.output
    claims = json.loads(verified.stdout)
    assert claims["tenant"] == "acme"
    assert claims["email_verified"] is True
    refused = run(
        "run",
        str(workflow),
        "--input",
        json.dumps({"client": client_id, "name": "bob", "email": "b@blocked.example"}),
    )
    assert refused.exit_code == 0, refused.output
    assert json.loads(refused.stdout)["cause"].startswith(
        "PreSignUp failed with error This domain may not sign up."
    )


def test_verify_refuses_with_the_reason(project: tuple[Path, Path, str]) -> None:
    workflow, users, client_id = project
    result = run(
        "run",
        str(workflow),
        "--input",
        json.dumps({"client": client_id, "name": "ann", "email": "a@ok.example"}),
    )
    token = json.loads(result.stdout)["idToken"]
    expired = run("cognito", "verify", "--users", str(users), "--now", "9999999999", token)
    assert expired.exit_code == 1
    assert "401 Unauthorized: the token has expired (expired)" in expired.stderr
    scoped = run("cognito", "verify", "--users", str(users), "--scope", "orders/read", f"Bearer {token}")
    assert scoped.exit_code == 1
    assert "access tokens only" in scoped.stderr
    garbage = run("cognito", "verify", "--users", str(users), "abc")
    assert garbage.exit_code == 1
    assert "not a JWT" in garbage.stderr
