"""The user-pool API over HTTP through boto3: flows, AWS's error shapes, unsigned calls, browsers (CORS)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_tasks import api
from tests.cognito_service.conftest import (
    PASSWORD,
    client,
    new_client,
    new_pool,
    new_user,
)
from tests.server.conftest import Server

TARGET = "AWSCognitoIdentityProviderService."


def test_an_onboarding_flow_runs_through_boto3(idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    created = idp.admin_create_user(
        UserPoolId=pool_id,
        Username="ann",
        TemporaryPassword="Temp0rary!",
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
        MessageAction="SUPPRESS",
    )["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert isinstance(created["UserCreateDate"], datetime)  # epoch seconds on the wire
    challenge = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": "Temp0rary!"},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    tokens = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "ann", "NEW_PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    me = idp.get_user(AccessToken=tokens["AccessToken"])
    assert me["Username"] == "ann"
    assert {"Name": "email", "Value": "ann@example.com"} in me["UserAttributes"]
    listed = idp.list_users(UserPoolId=pool_id)["Users"]
    assert [(u["Username"], u["UserStatus"]) for u in listed] == [("ann", "CONFIRMED")]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda idp, p, c: idp.admin_get_user(UserPoolId=p, Username="nobody"),
            "UserNotFoundException",
            "User does not exist.",
        ),
        (
            lambda idp, p, c: idp.admin_create_user(UserPoolId=p, Username="taken", MessageAction="SUPPRESS"),
            "UsernameExistsException",
            "User account already exists",
        ),
        (
            lambda idp, p, c: idp.admin_initiate_auth(
                UserPoolId=p,
                ClientId=c,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "taken", "PASSWORD": "wrong-Passw0rd!"},
            ),
            "NotAuthorizedException",
            "Incorrect username or password.",
        ),
        (
            lambda idp, p, c: idp.describe_user_pool(UserPoolId="us-east-1_nothere1"),
            "ResourceNotFoundException",
            "does not exist",
        ),
        (
            lambda idp, p, c: idp.get_user(AccessToken="not-a-token"),
            "NotAuthorizedException",
            "Invalid Access Token",
        ),
    ],
)
def test_errors_are_aws_exceptions_boto3_raises_as_its_own_classes(
    idp: Any, call: Any, error: str, message: str
) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    new_user(idp, pool_id, "taken")
    with pytest.raises(getattr(idp.exceptions, error)) as raised:
        call(idp, pool_id, client_id)
    assert raised.value.response["Error"]["Code"] == error
    assert message in raised.value.response["Error"]["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_cognito_validation_wording_reaches_the_client(server: Server) -> None:
    raw = _post(server, "AdminCreateUser", {"UserPoolId": "us-east-1_abcdefghi"})
    assert raw[0] == 400
    assert raw[1]["__type"] == "InvalidParameterException"
    assert (
        "Value null at 'username' failed to satisfy constraint: Member must not be null" in raw[1]["message"]
    )


def test_a_setting_that_is_not_emulated_is_refused_loudly(idp: Any) -> None:
    with pytest.raises(ClientError) as raised:
        idp.create_user_pool(PoolName="p", UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    assert raised.value.response["Error"]["Code"] == "NotEmulatedException"
    assert "UserPoolAddOns is not supported locally" in raised.value.response["Error"]["Message"]


@pytest.mark.parametrize("operation", api.operations())
def test_every_emulated_action_is_served_and_checks_its_request(server: Server, operation: str) -> None:
    status, body, _ = _post(server, operation, {})
    # Reaching Cognito's own request checks proves the action is served (not UnknownOperationException).
    assert (status, body["__type"]) == (400, "InvalidParameterException"), body


def test_an_action_we_do_not_emulate_says_so(server: Server) -> None:
    status, body, _ = _post(server, "StartWebAuthnRegistration", {})
    assert status == 400
    assert body["__type"] == "UnknownOperationException"
    assert "asl serve does not implement StartWebAuthnRegistration" in body["message"]


def test_unauthenticated_actions_need_no_signature(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    anonymous = client(server, signed=False)
    anonymous.sign_up(ClientId=client_id, Username="bob", Password=PASSWORD)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="bob")
    result = anonymous.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
    )
    assert result["AuthenticationResult"]["TokenType"] == "Bearer"


def test_browsers_may_call_unauthenticated_actions_only(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    new_user(idp, pool_id, "cy")
    origin = "http://localhost:3000"
    preflight = urllib.request.Request(
        server.url + "/",
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target,content-type",
        },
    )
    with urllib.request.urlopen(preflight, timeout=5) as answer:
        assert answer.status == 204
        assert "x-amz-target" in answer.headers["Access-Control-Allow-Headers"]
    params = {"USERNAME": "cy", "PASSWORD": PASSWORD}
    status, body, headers = _post(
        server,
        "InitiateAuth",
        {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params},
        origin,
    )
    assert status == 200
    assert "AuthenticationResult" in body
    assert headers["access-control-allow-origin"] == "*"
    status, body, headers = _post(
        server, "AdminDeleteUser", {"UserPoolId": pool_id, "Username": "cy"}, origin
    )
    assert (status, body["__type"]) == (403, "AccessDeniedException")
    assert "access-control-allow-origin" not in headers
    assert idp.admin_get_user(UserPoolId=pool_id, Username="cy")["Username"] == "cy"


def test_the_sdk_paginator_follows_pagination_tokens(idp: Any) -> None:
    pool_id = new_pool(idp)
    for n in range(5):
        idp.admin_create_user(UserPoolId=pool_id, Username=f"p{n}", MessageAction="SUPPRESS")
    pages = list(
        idp.get_paginator("list_users").paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 2})
    )
    assert [len(p["Users"]) for p in pages] == [2, 2, 1]


def _post(
    server: Server, operation: str, body: dict[str, Any], origin: str | None = None
) -> tuple[int, dict[str, Any], Any]:
    headers = {"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"}
    if origin:
        headers["Origin"] = origin
    request = urllib.request.Request(
        server.url + "/", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read()), answer.headers
    except urllib.error.HTTPError as failed:
        return failed.code, json.loads(failed.read()), failed.headers
