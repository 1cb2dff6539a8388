"""register(), resource checks, request validation, the local issueTokens task, timestamps, determinism."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from cognito_harness import PASSWORD, START, Harness, make_harness, shared_key_factory

import cognito_tasks
from asl.clock import VirtualClock
from asl.errors import StatesRuntime, TaskFailed
from asl.resources import TaskContext, TaskRegistry, parse_arn
from cognito_tasks import (
    ARN_PREFIX,
    ISSUE_TOKENS_ARN,
    UserDirectory,
    check_parameters,
    check_resource,
    register,
)

REQUIRED_ACTIONS = [
    "createUserPool",
    "describeUserPool",
    "deleteUserPool",
    "listUserPools",
    "createUserPoolClient",
    "describeUserPoolClient",
    "adminCreateUser",
    "adminGetUser",
    "adminUpdateUserAttributes",
    "adminDeleteUserAttributes",
    "adminDeleteUser",
    "adminDisableUser",
    "adminEnableUser",
    "adminSetUserPassword",
    "adminResetUserPassword",
    "adminConfirmSignUp",
    "adminAddUserToGroup",
    "adminRemoveUserFromGroup",
    "adminListGroupsForUser",
    "createGroup",
    "getGroup",
    "updateGroup",
    "deleteGroup",
    "listGroups",
    "listUsersInGroup",
    "listUsers",
    "signUp",
    "confirmSignUp",
    "resendConfirmationCode",
    "forgotPassword",
    "confirmForgotPassword",
    "changePassword",
    "getUser",
    "adminInitiateAuth",
    "initiateAuth",
    "adminRespondToAuthChallenge",
    "respondToAuthChallenge",
    "globalSignOut",
    "adminUserGlobalSignOut",
    "revokeToken",
]


def test_public_names() -> None:
    assert sorted(cognito_tasks.__all__) == cognito_tasks.__all__
    assert set(cognito_tasks.__all__) == {
        "ACTIONS",
        "ARN_PREFIX",
        "ISSUE_TOKENS_ARN",
        "UserDirectory",
        "check_parameters",
        "check_resource",
        "register",
    }


def test_register_binds_every_action_and_nothing_at_import() -> None:
    registry = TaskRegistry()
    assert len(registry) == 0
    register(registry, UserDirectory())
    assert set(REQUIRED_ACTIONS) <= set(cognito_tasks.ACTIONS)
    expected = {ARN_PREFIX + name for name in cognito_tasks.ACTIONS} | {ISSUE_TOKENS_ARN}
    assert set(registry) == expected
    with pytest.raises(ValueError, match="already registered"):
        register(registry, UserDirectory())


def test_every_action_is_a_real_cognito_operation() -> None:
    from asl.sdk_models import operation

    for name in cognito_tasks.ACTIONS:
        assert operation("cognitoidentityprovider", name) is not None, name


def test_issue_tokens_arn_parses_and_is_not_aws() -> None:
    parsed = parse_arn(ISSUE_TOKENS_ARN)
    assert parsed.partition == "asl-runner"
    assert not parsed.is_service_integration


def test_wait_for_task_token_resolves_to_the_same_handler(h: Harness) -> None:
    pool_id = h.pool()
    result = h.call(
        "arn:aws:states:::aws-sdk:cognitoidentityprovider:describeUserPool.waitForTaskToken",
        UserPoolId=pool_id,
    )
    assert result["UserPool"]["Id"] == pool_id


@pytest.mark.parametrize(
    ("arn", "problem"),
    [
        (ARN_PREFIX + "adminCreateUser", None),
        (ARN_PREFIX + "adminCreateUser.waitForTaskToken", None),
        ("arn:aws:states:::lambda:invoke", None),
        ("not an arn", None),
        (ISSUE_TOKENS_ARN, None),
        (ARN_PREFIX + "adminCreateUser.sync", "not .sync"),
        (ARN_PREFIX + "adminCreateUser.sync:2", "not .sync:2"),
        (ARN_PREFIX + "startUserImportJob", "not emulated locally"),
        (ARN_PREFIX + "AdminCreateUser", "is not emulated locally"),
        (ARN_PREFIX + "makeCoffee", "has no action 'makeCoffee'"),
    ],
)
def test_check_resource(arn: str, problem: str | None) -> None:
    got = check_resource(arn)
    if problem is None:
        assert got is None
    else:
        assert got is not None
        assert problem in got


def test_sync_is_refused_at_run_time(h: Harness) -> None:
    with pytest.raises(StatesRuntime, match=r"not \.sync"):
        h.call(ARN_PREFIX + "describeUserPool.sync", UserPoolId="us-east-1_abc")


def test_check_parameters() -> None:
    assert check_parameters(ARN_PREFIX + "adminGetUser", ["UserPoolId", "Username.$"]) == []
    assert check_parameters(ARN_PREFIX + "adminGetUser", ["UserPoolId", "Bogus", "Extra.$"]) == [
        'The field "Bogus" is not supported by Step Functions',
        'The field "Extra" is not supported by Step Functions',
    ]
    assert check_parameters(ISSUE_TOKENS_ARN, ["UserPoolId", "Username", "ClientId", "Nope"]) == [
        'The field "Nope" is not supported by Step Functions'
    ]
    assert check_parameters("arn:aws:states:::lambda:invoke", ["Anything"]) == []


def test_unknown_parameter_fails_with_states_runtime(h: Harness) -> None:
    with pytest.raises(StatesRuntime, match='The field "Usrname" is not supported'):
        h.call("adminGetUser", UserPoolId="us-east-1_abc", Usrname="x")


def test_payload_must_be_an_object(h: Harness) -> None:
    with pytest.raises(StatesRuntime, match="must be a JSON object"):
        h.call_with("describeUserPool", ["not", "an", "object"])
    message = h.fails("describeUserPool", "InvalidParameterException")
    assert (
        message
        == "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {},
            "2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not "
            "be null; Value null at 'username' failed to satisfy constraint: Member must not be null",
        ),
        (
            {"UserPoolId": "us-east-1_abc", "Username": 7},
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must be of type string",
        ),
        (
            {"UserPoolId": "us-east-1_abc", "Username": "u", "MessageAction": "SHOUT"},
            "1 validation error detected: Value 'SHOUT' at 'messageAction' failed to satisfy constraint: Member must "
            "satisfy enum value set: [RESEND, SUPPRESS]",
        ),
        (
            {"UserPoolId": "us-east-1_abc", "Username": "u", "UserAttributes": [{"Value": "x"}]},
            "1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: "
            "Member must not be null",
        ),
        (
            {"UserPoolId": "us-east-1_abc", "Username": "u", "DesiredDeliveryMediums": ["FAX"]},
            "1 validation error detected: Value 'FAX' at 'desiredDeliveryMediums.1.member' failed to satisfy "
            "constraint: Member must satisfy enum value set: [SMS, EMAIL]",
        ),
    ],
)
def test_request_validation_messages(h: Harness, params: dict[str, Any], message: str) -> None:
    assert h.fails("adminCreateUser", "InvalidParameterException", **params) == message


def test_errors_are_task_failed_with_a_catchable_name(h: Harness) -> None:
    with pytest.raises(TaskFailed) as info:
        h.call("describeUserPool", UserPoolId="us-east-1_Nope")
    error = info.value
    assert error.error == "CognitoIdentityProvider.ResourceNotFoundException"
    assert error.cause is not None
    assert error.cause.startswith(
        "User pool us-east-1_Nope does not exist. (Service: CognitoIdentityProvider, "
    )


# -- issueTokens ----------------------------------------------------------------------------------


def test_issue_tokens(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.call("adminCreateUser", UserPoolId=pool_id, Username="nopass", MessageAction="SUPPRESS")
    result = h.call(ISSUE_TOKENS_ARN, UserPoolId=pool_id, Username="nopass")
    auth = result["AuthenticationResult"]
    claims = jwt.decode(auth["IdToken"], options={"verify_signature": False})
    assert claims["aud"] == client_id
    assert claims["cognito:username"] == "nopass"
    assert h.call("getUser", AccessToken=auth["AccessToken"])["Username"] == "nopass"
    other = h.client(pool_id)
    explicit = h.call(ISSUE_TOKENS_ARN, UserPoolId=pool_id, Username="nopass", ClientId=other)[
        "AuthenticationResult"
    ]
    assert jwt.decode(explicit["IdToken"], options={"verify_signature": False})["aud"] == other


def test_issue_tokens_errors(h: Harness) -> None:
    pool_id = h.pool()
    message = h.fails(ISSUE_TOKENS_ARN, "ResourceNotFoundException", UserPoolId=pool_id, Username="u")
    assert message == f"User pool {pool_id} has no app client."
    h.client(pool_id)
    h.fails(ISSUE_TOKENS_ARN, "UserNotFoundException", UserPoolId=pool_id, Username="u")
    h.fails(ISSUE_TOKENS_ARN, "InvalidParameterException", UserPoolId=pool_id)
    h.user(pool_id, "u")
    h.call("adminDisableUser", UserPoolId=pool_id, Username="u")
    assert (
        h.fails(ISSUE_TOKENS_ARN, "NotAuthorizedException", UserPoolId=pool_id, Username="u")
        == "User is disabled."
    )
    with pytest.raises(StatesRuntime, match='"Password"'):
        h.call(ISSUE_TOKENS_ARN, UserPoolId=pool_id, Username="u", Password="x")


# -- timestamps and determinism -------------------------------------------------------------------


def test_epoch_timestamps() -> None:
    directory = UserDirectory(seed="e", key_factory=shared_key_factory())
    registry = TaskRegistry()
    register(registry, directory, timestamps="epoch")
    h = Harness(directory, registry, VirtualClock(START + 0.25))
    pool = h.call("createUserPool", PoolName="p")["UserPool"]
    assert pool["CreationDate"] == START + 0.25
    user = h.call("adminCreateUser", UserPoolId=pool["Id"], Username="u")["User"]
    assert user["UserCreateDate"] == START + 0.25
    assert type(user["UserCreateDate"]) is float


def run_script(h: Harness) -> list[Any]:
    out: list[Any] = []
    pool_id = h.pool(AutoVerifiedAttributes=["email"])
    client_id = h.client(pool_id, GenerateSecret=True)
    out.append(h.call("describeUserPoolClient", UserPoolId=pool_id, ClientId=client_id))
    out.append(
        h.call(
            "adminCreateUser",
            UserPoolId=pool_id,
            Username="u",
            UserAttributes=[{"Name": "email", "Value": "u@example.com"}],
        )
    )
    out.append(h.directory.latest_code(pool_id, "u"))
    h.call("adminSetUserPassword", UserPoolId=pool_id, Username="u", Password=PASSWORD, Permanent=True)
    h.call(
        "adminUpdateUserAttributes",
        UserPoolId=pool_id,
        Username="u",
        UserAttributes=[{"Name": "email", "Value": "v@example.com"}],
    )
    out.append(h.directory.latest_code(pool_id, "u"))
    try:
        h.call("adminGetUser", UserPoolId=pool_id, Username="ghost")
    except TaskFailed as exc:
        out.append(exc.cause)
    return out


def test_seeded_directories_are_deterministic() -> None:
    assert run_script(make_harness(seed="same")) == run_script(make_harness(seed="same"))
    assert run_script(make_harness(seed="same")) != run_script(make_harness(seed="other"))


def test_unseeded_directories_differ() -> None:
    assert UserDirectory().new_pool_id() != UserDirectory().new_pool_id()


@pytest.mark.anyio
async def test_handler_called_directly_under_anyio() -> None:
    directory = UserDirectory(seed="direct", key_factory=shared_key_factory())
    registry = TaskRegistry()
    register(registry, directory)
    resource = parse_arn(ARN_PREFIX + "createUserPool")
    handler = registry.lookup(resource)
    assert handler is not None
    ctx = TaskContext(state_name="Create", resource=resource, context={}, clock=VirtualClock(START))
    result = await handler({"PoolName": "direct"}, ctx)
    assert result["UserPool"]["Name"] == "direct"
    assert result["UserPool"]["Id"] in directory.pools
