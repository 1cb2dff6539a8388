"""SignUp, confirmation codes, forgotten and changed passwords, and access-token actions."""

from __future__ import annotations

import re

import pytest
from cognito_harness import PASSWORD, Harness

from cognito_tasks.model import CodePurpose
from cognito_tasks.users import secret_hash


@pytest.fixture
def app(h: Harness) -> tuple[str, str]:
    pool_id = h.pool(
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}],
    )
    return pool_id, h.client(pool_id)


def sign_up(
    h: Harness, client_id: str, username: str = "sam", email: str = "sam@example.com"
) -> dict[str, object]:
    return dict(
        h.call(
            "signUp",
            ClientId=client_id,
            Username=username,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
    )


def test_sign_up_and_confirm(h: Harness, app: tuple[str, str]) -> None:
    pool_id, client_id = app
    result = sign_up(h, client_id)
    assert result["UserConfirmed"] is False
    assert re.fullmatch(r"[0-9a-f-]{36}", str(result["UserSub"]))
    assert result["CodeDeliveryDetails"] == {
        "Destination": "s***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="sam")["UserStatus"] == "UNCONFIRMED"
    code = h.directory.latest_code(pool_id, "sam", CodePurpose.SIGN_UP)
    assert code is not None
    assert re.fullmatch(r"\d{6}", code)
    wrong = "000000" if code != "000000" else "111111"
    message = h.fails(
        "confirmSignUp", "CodeMismatchException", ClientId=client_id, Username="sam", ConfirmationCode=wrong
    )
    assert message == "Invalid verification code provided, please try again."
    assert h.call("confirmSignUp", ClientId=client_id, Username="sam", ConfirmationCode=code) == {}
    got = h.call("adminGetUser", UserPoolId=pool_id, Username="sam")
    assert got["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in got["UserAttributes"]
    message = h.fails(
        "confirmSignUp", "NotAuthorizedException", ClientId=client_id, Username="sam", ConfirmationCode=code
    )
    assert message == "User cannot be confirmed. Current status is CONFIRMED"
    h.sign_in(pool_id, client_id, "sam")


def test_sign_up_errors(h: Harness, app: tuple[str, str]) -> None:
    _, client_id = app
    sign_up(h, client_id)
    assert (
        h.fails(
            "signUp",
            "UsernameExistsException",
            ClientId=client_id,
            Username="sam",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "x@example.com"}],
        )
        == "User already exists"
    )
    message = h.fails(
        "signUp",
        "InvalidPasswordException",
        ClientId=client_id,
        Username="new",
        Password="password",
        UserAttributes=[{"Name": "email", "Value": "x@example.com"}],
    )
    assert message == "Password did not conform with policy: Password must have uppercase characters"
    message = h.fails(
        "signUp", "InvalidParameterException", ClientId=client_id, Username="new", Password=PASSWORD
    )
    assert message == "Attributes did not conform to the schema: email: The attribute is required\n"
    message = h.fails("signUp", "InvalidParameterException", ClientId=client_id, Username="new")
    assert message.endswith("Value null at 'password' failed to satisfy constraint: Member must not be null")
    message = h.fails(
        "signUp",
        "NotAuthorizedException",
        ClientId=client_id,
        Username="new",
        Password=PASSWORD,
        UserAttributes=[
            {"Name": "email", "Value": "x@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    assert message == "A client attempted to write unauthorized attribute"
    message = h.fails(
        "signUp", "ResourceNotFoundException", ClientId="nosuchclient", Username="n", Password=PASSWORD
    )
    assert message == "User pool client nosuchclient does not exist."


def test_sign_up_write_attributes_and_admin_only(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id, WriteAttributes=["email"])
    message = h.fails(
        "signUp",
        "NotAuthorizedException",
        ClientId=client_id,
        Username="n",
        Password=PASSWORD,
        UserAttributes=[{"Name": "nickname", "Value": "nick"}],
    )
    assert message == "A client attempted to write unauthorized attribute"
    closed = h.pool(AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    closed_client = h.client(closed)
    message = h.fails(
        "signUp", "NotAuthorizedException", ClientId=closed_client, Username="n", Password=PASSWORD
    )
    assert message == "SignUp is not permitted for this user pool"


def test_sign_up_without_auto_verification(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    result = h.call("signUp", ClientId=client_id, Username="quiet", Password=PASSWORD)
    assert "CodeDeliveryDetails" not in result
    message = h.fails(
        "resendConfirmationCode", "InvalidParameterException", ClientId=client_id, Username="quiet"
    )
    assert message == "Cannot resend codes. Auto verification not turned on."


def test_sign_up_email_username_pool(h: Harness) -> None:
    pool_id = h.pool(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = h.client(pool_id)
    result = h.call("signUp", ClientId=client_id, Username="e@example.com", Password=PASSWORD)
    sub = result["UserSub"]
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="e@example.com")["Username"] == sub
    message = h.fails(
        "signUp", "UsernameExistsException", ClientId=client_id, Username="E@example.com", Password=PASSWORD
    )
    assert message == "An account with the given email already exists."
    code = h.directory.latest_code(pool_id, sub)
    assert code is not None
    h.call("confirmSignUp", ClientId=client_id, Username="e@example.com", ConfirmationCode=code)
    tokens = h.sign_in(pool_id, client_id, "e@example.com")
    assert "IdToken" in tokens


def test_resend_and_expired_codes(h: Harness, app: tuple[str, str]) -> None:
    pool_id, client_id = app
    sign_up(h, client_id)
    first = h.directory.latest_code(pool_id, "sam")
    resent = h.call("resendConfirmationCode", ClientId=client_id, Username="sam")
    assert resent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    second = h.directory.latest_code(pool_id, "sam")
    assert first is not None
    assert second is not None
    if first != second:
        message = h.fails(
            "confirmSignUp",
            "ExpiredCodeException",
            ClientId=client_id,
            Username="sam",
            ConfirmationCode=first,
        )
        assert message == "Invalid code provided, please request a code again."
    h.clock.advance(86401)
    h.fails(
        "confirmSignUp", "ExpiredCodeException", ClientId=client_id, Username="sam", ConfirmationCode=second
    )
    h.call("resendConfirmationCode", ClientId=client_id, Username="sam")
    third = h.directory.latest_code(pool_id, "sam")
    h.call("confirmSignUp", ClientId=client_id, Username="sam", ConfirmationCode=third)
    message = h.fails(
        "resendConfirmationCode", "InvalidParameterException", ClientId=client_id, Username="sam"
    )
    assert message == "User is already confirmed."
    message = h.fails("resendConfirmationCode", "UserNotFoundException", ClientId=client_id, Username="ghost")
    assert message == "Username/client id combination not found."
    h.fails(
        "confirmSignUp",
        "UserNotFoundException",
        ClientId=client_id,
        Username="ghost",
        ConfirmationCode="123456",
    )


def test_fixed_code() -> None:
    from cognito_harness import make_harness

    h = make_harness(fixed_code="123456")
    pool_id = h.pool(AutoVerifiedAttributes=["email"])
    client_id = h.client(pool_id)
    sign_up(h, client_id)
    assert h.call("confirmSignUp", ClientId=client_id, Username="sam", ConfirmationCode="123456") == {}


def test_forgot_password_flow(h: Harness, app: tuple[str, str]) -> None:
    pool_id, client_id = app
    h.user(pool_id, "f", email="f@example.com", email_verified="true")
    delivered = h.call("forgotPassword", ClientId=client_id, Username="f")
    assert delivered == {
        "CodeDeliveryDetails": {
            "Destination": "f***@e***",
            "DeliveryMedium": "EMAIL",
            "AttributeName": "email",
        }
    }
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="f")["UserStatus"] == "CONFIRMED"
    code = h.directory.latest_code(pool_id, "f", CodePurpose.FORGOT_PASSWORD)
    assert code is not None
    message = h.fails(
        "confirmForgotPassword",
        "InvalidPasswordException",
        ClientId=client_id,
        Username="f",
        ConfirmationCode=code,
        Password="weakpass",
    )
    assert message.startswith("Password did not conform with policy")
    wrong = "999999" if code != "999999" else "888888"
    h.fails(
        "confirmForgotPassword",
        "CodeMismatchException",
        ClientId=client_id,
        Username="f",
        ConfirmationCode=wrong,
        Password="N3w!passw",
    )
    assert (
        h.call(
            "confirmForgotPassword",
            ClientId=client_id,
            Username="f",
            ConfirmationCode=code,
            Password="N3w!passw",
        )
        == {}
    )
    h.sign_in(pool_id, client_id, "f", "N3w!passw")
    h.fails(
        "confirmForgotPassword",
        "ExpiredCodeException",
        ClientId=client_id,
        Username="f",
        ConfirmationCode=code,
        Password="N3w!passw2",
    )


def test_forgot_password_after_admin_reset(h: Harness, app: tuple[str, str]) -> None:
    pool_id, client_id = app
    h.user(pool_id, "r", email="r@example.com", email_verified="true")
    h.call("adminResetUserPassword", UserPoolId=pool_id, Username="r")
    message = h.fails(
        "adminInitiateAuth",
        "PasswordResetRequiredException",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "r", "PASSWORD": PASSWORD},
    )
    assert message == "Password reset required for the user"
    code = h.directory.latest_code(pool_id, "r", CodePurpose.FORGOT_PASSWORD)
    h.call(
        "confirmForgotPassword",
        ClientId=client_id,
        Username="r",
        ConfirmationCode=code,
        Password="Reset!2345",
    )
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="r")["UserStatus"] == "CONFIRMED"
    h.sign_in(pool_id, client_id, "r", "Reset!2345")


def test_forgot_password_errors(h: Harness, app: tuple[str, str]) -> None:
    pool_id, client_id = app
    h.user(pool_id, "nv", email="nv@example.com")
    message = h.fails("forgotPassword", "InvalidParameterException", ClientId=client_id, Username="nv")
    assert (
        message
        == "Cannot reset password for the user as there is no registered/verified email or phone_number"
    )
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="fc",
        UserAttributes=[
            {"Name": "email", "Value": "fc@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    message = h.fails("forgotPassword", "NotAuthorizedException", ClientId=client_id, Username="fc")
    assert message == "User password cannot be reset in the current state."
    h.user(pool_id, "dis", email="d@example.com", email_verified="true")
    h.call("adminDisableUser", UserPoolId=pool_id, Username="dis")
    assert (
        h.fails("forgotPassword", "NotAuthorizedException", ClientId=client_id, Username="dis")
        == "User is disabled."
    )
    h.fails("forgotPassword", "UserNotFoundException", ClientId=client_id, Username="ghost")
    h.fails(
        "confirmForgotPassword",
        "UserNotFoundException",
        ClientId=client_id,
        Username="ghost",
        ConfirmationCode="1",
        Password=PASSWORD,
    )


def test_secret_hash_required_for_clients_with_a_secret(h: Harness) -> None:
    pool_id = h.pool(AutoVerifiedAttributes=["email"])
    client_id = h.client(pool_id, GenerateSecret=True)
    client = h.directory.pools[pool_id].clients[client_id]
    args = {
        "ClientId": client_id,
        "Username": "s",
        "Password": PASSWORD,
        "UserAttributes": [{"Name": "email", "Value": "s@example.com"}],
    }
    message = h.fails("signUp", "NotAuthorizedException", **args)
    assert message == f"Client {client_id} is configured for secret but secret was not received"
    message = h.fails("signUp", "NotAuthorizedException", SecretHash="bm9wZQ==", **args)
    assert message == f"Unable to verify secret hash for client {client_id}"
    assert h.call("signUp", SecretHash=secret_hash(client, "s"), **args)["UserConfirmed"] is False
    params = {"USERNAME": "s", "PASSWORD": PASSWORD}
    h.call("adminConfirmSignUp", UserPoolId=pool_id, Username="s")
    h.fails(
        "initiateAuth",
        "NotAuthorizedException",
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters=params,
    )
    result = h.call(
        "initiateAuth",
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={**params, "SECRET_HASH": secret_hash(client, "s")},
    )
    assert "AccessToken" in result["AuthenticationResult"]


# -- access-token actions -------------------------------------------------------------------------


def test_get_user_and_change_password(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "g", email="g@example.com")
    access = h.sign_in(pool_id, client_id, "g")["AccessToken"]
    got = h.call("getUser", AccessToken=access)
    assert set(got) == {"Username", "UserAttributes"}
    assert got["Username"] == "g"
    assert {"Name": "email", "Value": "g@example.com"} in got["UserAttributes"]
    message = h.fails(
        "changePassword",
        "NotAuthorizedException",
        AccessToken=access,
        PreviousPassword="Wr0ng!pass",
        ProposedPassword="N3w!passw",
    )
    assert message == "Incorrect username or password."
    h.fails(
        "changePassword",
        "InvalidPasswordException",
        AccessToken=access,
        PreviousPassword=PASSWORD,
        ProposedPassword="weakweak",
    )
    assert (
        h.call("changePassword", AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword="N3w!passw")
        == {}
    )
    h.sign_in(pool_id, client_id, "g", "N3w!passw")
    h.fails(
        "adminInitiateAuth",
        "NotAuthorizedException",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "g", "PASSWORD": PASSWORD},
    )


@pytest.mark.parametrize(
    "token",
    ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."],
)
def test_get_user_invalid_tokens(h: Harness, token: str) -> None:
    assert h.fails("getUser", "NotAuthorizedException", AccessToken=token) == "Invalid Access Token"


def test_get_user_rejects_id_tokens_expired_and_deleted(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "t")
    tokens = h.sign_in(pool_id, client_id, "t")
    assert (
        h.fails("getUser", "NotAuthorizedException", AccessToken=tokens["IdToken"]) == "Invalid Access Token"
    )
    h.clock.advance(3600)
    assert (
        h.fails("getUser", "NotAuthorizedException", AccessToken=tokens["AccessToken"])
        == "Access Token has expired"
    )
    fresh = h.sign_in(pool_id, client_id, "t")["AccessToken"]
    h.call("adminDeleteUser", UserPoolId=pool_id, Username="t")
    assert h.fails("getUser", "UserNotFoundException", AccessToken=fresh) == "User does not exist."


def test_update_and_verify_user_attributes(h: Harness) -> None:
    pool_id = h.pool(AutoVerifiedAttributes=["email"])
    client_id = h.client(pool_id)
    h.user(pool_id, "v", email="v@example.com", email_verified="true")
    access = h.sign_in(pool_id, client_id, "v")["AccessToken"]
    result = h.call(
        "updateUserAttributes",
        AccessToken=access,
        UserAttributes=[{"Name": "email", "Value": "v2@example.com"}],
    )
    assert result == {
        "CodeDeliveryDetailsList": [
            {"Destination": "v***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
        ]
    }
    code = h.directory.latest_code(pool_id, "v", CodePurpose.VERIFY_ATTRIBUTE)
    h.fails(
        "verifyUserAttribute", "CodeMismatchException", AccessToken=access, AttributeName="email", Code="x"
    )
    assert h.call("verifyUserAttribute", AccessToken=access, AttributeName="email", Code=code) == {}
    assert {"Name": "email_verified", "Value": "true"} in h.call("getUser", AccessToken=access)[
        "UserAttributes"
    ]
    assert (
        h.call(
            "updateUserAttributes", AccessToken=access, UserAttributes=[{"Name": "nickname", "Value": "vee"}]
        )
        == {}
    )


def test_delete_user(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "gone")
    access = h.sign_in(pool_id, client_id, "gone")["AccessToken"]
    assert h.call("deleteUser", AccessToken=access) == {}
    h.fails("adminGetUser", "UserNotFoundException", UserPoolId=pool_id, Username="gone")


def test_access_token_actions_refuse_reset_required_users(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "r", email="r@example.com", email_verified="true")
    access = h.sign_in(pool_id, client_id, "r")["AccessToken"]
    h.call("adminResetUserPassword", UserPoolId=pool_id, Username="r")
    message = h.fails("getUser", "PasswordResetRequiredException", AccessToken=access)
    assert message == "Password reset required for the user"
    h.fails(
        "changePassword",
        "PasswordResetRequiredException",
        AccessToken=access,
        PreviousPassword=PASSWORD,
        ProposedPassword="N3w!passw",
    )
