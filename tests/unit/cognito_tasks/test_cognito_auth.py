"""(Admin)InitiateAuth, challenges, refresh, sign-out and RevokeToken."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from cognito_harness import PASSWORD, Harness

from asl.errors import StatesRuntime
from cognito_tasks.users import secret_hash


def admin_auth(h: Harness, pool_id: str, client_id: str, username: str, password: str = PASSWORD) -> Any:
    return h.call(
        "adminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


@pytest.fixture
def pool(h: Harness) -> tuple[str, str]:
    pool_id = h.pool()
    return pool_id, h.client(pool_id)


def test_admin_initiate_auth_confirmed_user(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.user(pool_id, "u")
    result = admin_auth(h, pool_id, client_id, "u")
    assert set(result) == {"ChallengeParameters", "AuthenticationResult"}
    assert result["ChallengeParameters"] == {}
    auth = result["AuthenticationResult"]
    assert set(auth) == {"AccessToken", "ExpiresIn", "TokenType", "RefreshToken", "IdToken"}
    assert auth["ExpiresIn"] == 3600
    assert auth["TokenType"] == "Bearer"
    assert len(auth["RefreshToken"].split(".")) == 5
    assert claims(auth["IdToken"])["cognito:username"] == "u"


def test_user_password_auth(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.user(pool_id, "u")
    result = h.call(
        "initiateAuth",
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "u", "PASSWORD": PASSWORD},
    )
    assert "AccessToken" in result["AuthenticationResult"]


@pytest.mark.parametrize(
    ("action", "flow"),
    [
        ("adminInitiateAuth", "USER_PASSWORD_AUTH"),
        ("initiateAuth", "ADMIN_USER_PASSWORD_AUTH"),
        ("initiateAuth", "ADMIN_NO_SRP_AUTH"),
    ],
)
def test_flow_and_call_pairing(h: Harness, pool: tuple[str, str], action: str, flow: str) -> None:
    pool_id, client_id = pool
    extra = {"UserPoolId": pool_id} if action == "adminInitiateAuth" else {}
    message = h.fails(
        action, "InvalidParameterException", ClientId=client_id, AuthFlow=flow, AuthParameters={}, **extra
    )
    assert message == "Initiate Auth method not supported."


@pytest.mark.parametrize(
    ("flows", "action", "flow"),
    [
        (["ALLOW_USER_PASSWORD_AUTH"], "adminInitiateAuth", "ADMIN_USER_PASSWORD_AUTH"),
        (["ALLOW_ADMIN_USER_PASSWORD_AUTH"], "initiateAuth", "USER_PASSWORD_AUTH"),
        (["ALLOW_ADMIN_USER_PASSWORD_AUTH"], "initiateAuth", "REFRESH_TOKEN_AUTH"),
        (None, "adminInitiateAuth", "ADMIN_USER_PASSWORD_AUTH"),
    ],
)
def test_flow_must_be_enabled_on_the_client(
    h: Harness, flows: list[str] | None, action: str, flow: str
) -> None:
    pool_id = h.pool()
    params: dict[str, Any] = {"UserPoolId": pool_id, "ClientName": "c"}
    if flows is not None:
        params["ExplicitAuthFlows"] = flows
    client_id = h.call("createUserPoolClient", **params)["UserPoolClient"]["ClientId"]
    extra = {"UserPoolId": pool_id} if action == "adminInitiateAuth" else {}
    message = h.fails(
        action,
        "InvalidParameterException",
        ClientId=client_id,
        AuthFlow=flow,
        AuthParameters={"USERNAME": "u", "PASSWORD": PASSWORD, "REFRESH_TOKEN": "x"},
        **extra,
    )
    assert message == "Auth flow not enabled for this client"


def test_legacy_flows(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id, ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"])
    h.user(pool_id, "u")
    tokens = admin_auth(h, pool_id, client_id, "u")["AuthenticationResult"]
    refreshed = h.call(
        "adminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )
    assert "IdToken" in refreshed["AuthenticationResult"]


def test_unsupported_flows_fail_with_states_runtime(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id, ExplicitAuthFlows=["ALLOW_USER_AUTH"])
    with pytest.raises(StatesRuntime, match="USER_AUTH is not emulated"):
        h.call("initiateAuth", ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "u"})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"PASSWORD": PASSWORD}, "Missing required parameter USERNAME"),
        ({"USERNAME": "u"}, "Missing required parameter PASSWORD"),
    ],
)
def test_missing_auth_parameters(
    h: Harness, pool: tuple[str, str], params: dict[str, str], message: str
) -> None:
    pool_id, client_id = pool
    got = h.fails(
        "adminInitiateAuth",
        "InvalidParameterException",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters=params,
    )
    assert got == message


def test_wrong_password_unknown_and_disabled_users(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.user(pool_id, "u")

    def fail(error: str, username: str, password: str, client: str = client_id) -> str:
        return h.fails(
            "adminInitiateAuth",
            error,
            UserPoolId=pool_id,
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    assert fail("NotAuthorizedException", "u", "Wr0ng!pass") == "Incorrect username or password."
    assert fail("UserNotFoundException", "ghost", PASSWORD) == "User does not exist."
    hidden = h.client(pool_id, PreventUserExistenceErrors="ENABLED")
    assert fail("NotAuthorizedException", "ghost", PASSWORD, hidden) == "Incorrect username or password."
    h.call("adminDisableUser", UserPoolId=pool_id, Username="u")
    assert fail("NotAuthorizedException", "u", PASSWORD) == "User is disabled."
    h.call("adminEnableUser", UserPoolId=pool_id, Username="u")
    admin_auth(h, pool_id, client_id, "u")
    h.fails(
        "adminInitiateAuth",
        "ResourceNotFoundException",
        UserPoolId=pool_id,
        ClientId="nope",
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
    )
    h.fails("initiateAuth", "ResourceNotFoundException", ClientId="nope", AuthFlow="USER_PASSWORD_AUTH")
    h.fails(
        "adminInitiateAuth",
        "InvalidParameterException",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="NOT_A_FLOW",
    )


def test_unconfirmed_user(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.call("signUp", ClientId=client_id, Username="s", Password=PASSWORD)
    message = h.fails(
        "adminInitiateAuth",
        "UserNotConfirmedException",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "s", "PASSWORD": PASSWORD},
    )
    assert message == "User is not confirmed."
    h.fails(
        "adminInitiateAuth",
        "NotAuthorizedException",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "s", "PASSWORD": "Wr0ng!pass"},
    )


# -- NEW_PASSWORD_REQUIRED ------------------------------------------------------------------------


def new_user(h: Harness, pool_id: str, username: str = "n", **extra: Any) -> str:
    h.call("adminCreateUser", UserPoolId=pool_id, Username=username, TemporaryPassword="Temp0rary!", **extra)
    return "Temp0rary!"


@pytest.mark.parametrize("admin", [True, False])
def test_new_password_required(h: Harness, pool: tuple[str, str], admin: bool) -> None:
    pool_id, client_id = pool
    new_user(h, pool_id, UserAttributes=[{"Name": "email", "Value": "n@example.com"}])
    if admin:
        challenge = admin_auth(h, pool_id, client_id, "n", "Temp0rary!")
    else:
        challenge = h.call(
            "initiateAuth",
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "n", "PASSWORD": "Temp0rary!"},
        )
    assert "AuthenticationResult" not in challenge
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert 20 <= len(challenge["Session"]) <= 4096
    parameters = challenge["ChallengeParameters"]
    assert parameters["USER_ID_FOR_SRP"] == "n"
    assert json.loads(parameters["requiredAttributes"]) == []
    assert json.loads(parameters["userAttributes"]) == {"email": "n@example.com"}
    responses = {"USERNAME": "n", "NEW_PASSWORD": "Brand!new1", "userAttributes.given_name": "Nia"}
    if admin:
        result = h.call(
            "adminRespondToAuthChallenge",
            UserPoolId=pool_id,
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses=responses,
        )
    else:
        result = h.call(
            "respondToAuthChallenge",
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses=responses,
        )
    assert result["ChallengeParameters"] == {}
    assert {"AccessToken", "IdToken", "RefreshToken"} <= set(result["AuthenticationResult"])
    got = h.call("adminGetUser", UserPoolId=pool_id, Username="n")
    assert got["UserStatus"] == "CONFIRMED"
    assert {"Name": "given_name", "Value": "Nia"} in got["UserAttributes"]
    h.sign_in(pool_id, client_id, "n", "Brand!new1")
    message = h.fails(
        "adminRespondToAuthChallenge",
        "NotAuthorizedException",
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses=responses,
    )
    assert message == "Invalid session for the user, session is expired."


def test_new_password_challenge_errors(h: Harness) -> None:
    pool_id = h.pool(Schema=[{"Name": "given_name", "AttributeDataType": "String", "Required": True}])
    client_id = h.client(pool_id)
    new_user(h, pool_id)
    challenge = admin_auth(h, pool_id, client_id, "n", "Temp0rary!")
    assert json.loads(challenge["ChallengeParameters"]["requiredAttributes"]) == ["userAttributes.given_name"]
    session = challenge["Session"]

    def respond(error: str, responses: dict[str, str], session: str = session) -> str:
        return h.fails(
            "adminRespondToAuthChallenge",
            error,
            UserPoolId=pool_id,
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses=responses,
        )

    assert (
        respond("InvalidParameterException", {"NEW_PASSWORD": "Brand!new1"})
        == "Missing required parameter USERNAME"
    )
    assert (
        respond("InvalidParameterException", {"USERNAME": "n"}) == "Missing required parameter NEW_PASSWORD"
    )
    assert respond("InvalidParameterException", {"USERNAME": "n", "NEW_PASSWORD": "Brand!new1"}) == (
        "Invalid attributes given, given_name is missing"
    )
    full = {"USERNAME": "n", "NEW_PASSWORD": "Brand!new1", "userAttributes.given_name": "N"}
    assert respond("InvalidPasswordException", {**full, "NEW_PASSWORD": "short"}).startswith(
        "Password did not conform"
    )
    assert respond("NotAuthorizedException", {**full, "USERNAME": "other"}) == "Invalid session for the user."
    message = h.fails(
        "adminRespondToAuthChallenge",
        "InvalidParameterException",
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="SMS_MFA",
        Session=session,
        ChallengeResponses=full,
    )
    assert message == "Invalid challenge name SMS_MFA for this session."
    other_client = h.client(pool_id)
    message = h.fails(
        "respondToAuthChallenge",
        "NotAuthorizedException",
        ClientId=other_client,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=session,
        ChallengeResponses=full,
    )
    assert message == "Invalid session for the user, session is expired."
    assert (
        respond("NotAuthorizedException", full, session="x" * 40)
        == "Invalid session for the user, session is expired."
    )
    h.clock.advance(181)
    assert respond("NotAuthorizedException", full) == "Invalid session for the user, session is expired."


def test_temporary_password_expiry(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    new_user(h, pool_id)
    h.clock.advance(7 * 86400 + 1)
    message = h.fails(
        "adminInitiateAuth",
        "NotAuthorizedException",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "n", "PASSWORD": "Temp0rary!"},
    )
    assert message == "Temporary password has expired and must be reset by an administrator."


# -- refresh, sign-out, revocation ----------------------------------------------------------------


def refresh(h: Harness, client_id: str, token: str) -> Any:
    return h.call(
        "initiateAuth",
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": token},
    )


def test_refresh_keeps_origin_and_auth_time(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.user(pool_id, "u")
    first = h.sign_in(pool_id, client_id, "u")
    h.clock.advance(600)
    again = refresh(h, client_id, first["RefreshToken"])["AuthenticationResult"]
    assert "RefreshToken" not in again
    before, after = claims(first["AccessToken"]), claims(again["AccessToken"])
    assert after["origin_jti"] == before["origin_jti"]
    assert after["auth_time"] == before["auth_time"]
    assert after["iat"] == before["iat"] + 600
    assert after["jti"] != before["jti"]
    assert after["event_id"] != before["event_id"]
    assert claims(again["IdToken"])["origin_jti"] == before["origin_jti"]
    admin = h.call(
        "adminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )
    assert "AccessToken" in admin["AuthenticationResult"]


def test_refresh_errors(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.user(pool_id, "u")
    token = h.sign_in(pool_id, client_id, "u")["RefreshToken"]
    other_client = h.client(pool_id)
    assert (
        h.fails(
            "initiateAuth",
            "NotAuthorizedException",
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": "bogus"},
        )
        == "Invalid Refresh Token"
    )
    assert (
        h.fails(
            "initiateAuth",
            "NotAuthorizedException",
            ClientId=other_client,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": token},
        )
        == "Invalid Refresh Token"
    )
    assert (
        h.fails(
            "initiateAuth",
            "InvalidParameterException",
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={},
        )
        == "Missing required parameter REFRESH_TOKEN"
    )
    h.clock.advance(30 * 86400 + 1)
    assert (
        h.fails(
            "initiateAuth",
            "NotAuthorizedException",
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": token},
        )
        == "Refresh Token has expired"
    )


def test_refresh_with_client_secret(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id, GenerateSecret=True)
    client = h.directory.pools[pool_id].clients[client_id]
    h.user(pool_id, "u")
    first = h.call(
        "adminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "u", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(client, "u")},
    )["AuthenticationResult"]
    h.fails(
        "initiateAuth",
        "NotAuthorizedException",
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )
    sub = claims(first["IdToken"])["sub"]
    again = h.call(
        "initiateAuth",
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"], "SECRET_HASH": secret_hash(client, sub)},
    )
    assert "AccessToken" in again["AuthenticationResult"]


def test_global_sign_out(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.user(pool_id, "u")
    one = h.sign_in(pool_id, client_id, "u")
    two = h.sign_in(pool_id, client_id, "u")
    assert h.call("globalSignOut", AccessToken=one["AccessToken"]) == {}
    for session in (one, two):
        assert (
            h.fails("getUser", "NotAuthorizedException", AccessToken=session["AccessToken"])
            == "Access Token has been revoked"
        )
        message = h.fails(
            "initiateAuth",
            "NotAuthorizedException",
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": session["RefreshToken"]},
        )
        assert message == "Refresh Token has been revoked"
    h.fails("globalSignOut", "NotAuthorizedException", AccessToken=one["AccessToken"])
    three = h.sign_in(pool_id, client_id, "u")
    assert h.call("getUser", AccessToken=three["AccessToken"])["Username"] == "u"


def test_admin_user_global_sign_out_and_disable(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.user(pool_id, "u")
    session = h.sign_in(pool_id, client_id, "u")
    assert h.call("adminUserGlobalSignOut", UserPoolId=pool_id, Username="u") == {}
    h.fails("getUser", "NotAuthorizedException", AccessToken=session["AccessToken"])
    h.fails("adminUserGlobalSignOut", "UserNotFoundException", UserPoolId=pool_id, Username="ghost")
    session = h.sign_in(pool_id, client_id, "u")
    h.call("adminDisableUser", UserPoolId=pool_id, Username="u")
    h.call("adminEnableUser", UserPoolId=pool_id, Username="u")
    assert (
        h.fails("getUser", "NotAuthorizedException", AccessToken=session["AccessToken"])
        == "Access Token has been revoked"
    )


def test_revoke_token(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.user(pool_id, "u")
    keep = h.sign_in(pool_id, client_id, "u")
    gone = h.sign_in(pool_id, client_id, "u")
    assert h.call("revokeToken", Token=gone["RefreshToken"], ClientId=client_id) == {}
    assert (
        h.fails("getUser", "NotAuthorizedException", AccessToken=gone["AccessToken"])
        == "Access Token has been revoked"
    )
    message = h.fails(
        "initiateAuth",
        "NotAuthorizedException",
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": gone["RefreshToken"]},
    )
    assert message == "Refresh Token has been revoked"
    assert h.call("getUser", AccessToken=keep["AccessToken"])["Username"] == "u"
    refresh(h, client_id, keep["RefreshToken"])
    assert h.call("revokeToken", Token=gone["RefreshToken"], ClientId=client_id) == {}
    assert h.call("revokeToken", Token="unknown-token", ClientId=client_id) == {}


def test_revoke_token_errors(h: Harness, pool: tuple[str, str]) -> None:
    pool_id, client_id = pool
    h.user(pool_id, "u")
    session = h.sign_in(pool_id, client_id, "u")
    assert h.fails(
        "revokeToken", "UnsupportedTokenTypeException", Token=session["AccessToken"], ClientId=client_id
    ) == ("Unsupported token type.")
    other = h.client(pool_id)
    h.fails("revokeToken", "UnauthorizedException", Token=session["RefreshToken"], ClientId=other)
    h.fails("revokeToken", "UnauthorizedException", Token=session["RefreshToken"], ClientId="nosuchclient")
    off = h.client(pool_id, EnableTokenRevocation=False)
    h.fails("revokeToken", "UnsupportedOperationException", Token=session["RefreshToken"], ClientId=off)
    secret_client = h.client(pool_id, GenerateSecret=True)
    h.fails("revokeToken", "UnauthorizedException", Token="t", ClientId=secret_client)
    secret = h.directory.pools[pool_id].clients[secret_client].secret
    assert h.call("revokeToken", Token="t", ClientId=secret_client, ClientSecret=secret) == {}
