"""Admin* user actions and ListUsers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from cognito_harness import PASSWORD, Harness

from cognito_tasks import passwords
from cognito_tasks.model import CodePurpose, EventKind, UserStatus

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def attrs_of(user: dict[str, Any], key: str = "Attributes") -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user[key]}


# -- AdminCreateUser ------------------------------------------------------------------------------


def test_admin_create_user(h: Harness) -> None:
    pool_id = h.pool()
    user = h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=[
            {"Name": "email", "Value": "alice@example.com"},
            {"Name": "email_verified", "Value": "True"},
        ],
        TemporaryPassword="Temp0rary!",
        DesiredDeliveryMediums=["EMAIL"],
    )["User"]
    assert set(user) == {
        "Username",
        "Attributes",
        "UserCreateDate",
        "UserLastModifiedDate",
        "Enabled",
        "UserStatus",
    }
    assert user["Username"] == "alice"
    assert user["Enabled"] is True
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    values = attrs_of(user)
    assert UUID.fullmatch(values["sub"])
    assert user["Attributes"][0]["Name"] == "sub"
    assert values["email"] == "alice@example.com"
    assert values["email_verified"] == "true"
    invite = h.directory.codes[-1]
    assert (invite.purpose, invite.code, invite.medium, invite.destination) == (
        CodePurpose.INVITATION,
        "Temp0rary!",
        "EMAIL",
        "alice@example.com",
    )
    stored = h.directory.pools[pool_id].users["alice"]
    assert stored.password_hash is not None
    assert "Temp0rary!" not in stored.password_hash
    assert passwords.verify_password(stored.password_hash, "Temp0rary!")


def test_admin_create_user_generates_a_policy_password(h: Harness) -> None:
    pool_id = h.pool(
        Policies={"PasswordPolicy": {"MinimumLength": 20, "RequireSymbols": True, "RequireNumbers": True}}
    )
    h.call("adminCreateUser", UserPoolId=pool_id, Username="gen", MessageAction="SUPPRESS")
    code = h.directory.codes[-1]
    assert code.medium is None
    generated = h.directory.latest_code(pool_id, "gen", CodePurpose.INVITATION)
    assert generated is not None
    assert len(generated) >= 20
    assert passwords.problem(h.directory.pools[pool_id].password_policy, generated) is None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt!", "Password not long enough"),
        ("NOLOWER1!", "Password must have lowercase characters"),
        ("noupper1!", "Password must have uppercase characters"),
        ("NoNumbers!", "Password must have numeric characters"),
        ("NoSymbols1", "Password must have symbol characters"),
    ],
)
def test_admin_create_user_temporary_password_policy(h: Harness, password: str, reason: str) -> None:
    pool_id = h.pool()
    message = h.fails(
        "adminCreateUser",
        "InvalidPasswordException",
        UserPoolId=pool_id,
        Username="u",
        TemporaryPassword=password,
    )
    assert message == f"Password did not conform with policy: {reason}"
    assert h.directory.pools[pool_id].users == {}


def test_admin_create_user_exists(h: Harness) -> None:
    pool_id = h.pool()
    h.call("adminCreateUser", UserPoolId=pool_id, Username="bob")
    assert h.fails("adminCreateUser", "UsernameExistsException", UserPoolId=pool_id, Username="bob") == (
        "User account already exists"
    )


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            [{"Name": "custom:undeclared", "Value": "x"}],
            "Attributes did not conform to the schema: custom:undeclared: Attribute does not exist in the schema.\n",
        ),
        (
            [{"Name": "favorite_flavor", "Value": "x"}, {"Name": "custom:other", "Value": "y"}],
            "Attributes did not conform to the schema: favorite_flavor: Attribute does not exist in the schema.\n"
            "custom:other: Attribute does not exist in the schema.\n",
        ),
        (
            [{"Name": "sub", "Value": "x"}],
            "Attributes did not conform to the schema: sub: Attribute cannot be updated. "
            "(changing an immutable attribute)\n",
        ),
        (
            [{"Name": "email", "Value": "not-an-email"}],
            "Attributes did not conform to the schema: email: Invalid email address format.\n",
        ),
        (
            [{"Name": "phone_number", "Value": "555-1212"}],
            "Attributes did not conform to the schema: phone_number: Invalid phone number format.\n",
        ),
        ([{"Name": "email_verified", "Value": "true"}], "Email is required to verify/un-verify an email"),
        (
            [{"Name": "phone_number_verified", "Value": "true"}],
            "Phone Number is required to verify/un-verify a phone number",
        ),
        (
            [{"Name": "custom:age", "Value": "old"}],
            "Attributes did not conform to the schema: custom:age: Number could not be parsed.\n",
        ),
        (
            [{"Name": "custom:code", "Value": "toolong"}],
            "Attributes did not conform to the schema: custom:code: String must be no longer than 3 characters.\n",
        ),
    ],
)
def test_admin_create_user_attribute_rules(
    h: Harness, attributes: list[dict[str, str]], message: str
) -> None:
    pool_id = h.pool(
        Schema=[
            {"Name": "age", "AttributeDataType": "Number"},
            {"Name": "code", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "3"}},
        ]
    )
    got = h.fails(
        "adminCreateUser",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="u",
        UserAttributes=attributes,
    )
    assert got == message


def test_custom_attributes_declared_in_schema_are_accepted(h: Harness) -> None:
    pool_id = h.pool(Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": False}])
    user = h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="u",
        UserAttributes=[{"Name": "custom:tier", "Value": "gold"}],
    )["User"]
    assert attrs_of(user)["custom:tier"] == "gold"
    message = h.fails(
        "adminUpdateUserAttributes",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="u",
        UserAttributes=[{"Name": "custom:tier", "Value": "silver"}],
    )
    assert message == "user.custom:tier: Attribute cannot be updated. (changing an immutable attribute)"


def test_admin_create_user_delivery_mediums(h: Harness) -> None:
    pool_id = h.pool()
    message = h.fails(
        "adminCreateUser",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="nophone",
        UserAttributes=[{"Name": "email", "Value": "n@example.com"}],
        DesiredDeliveryMediums=["SMS"],
    )
    assert message == "User has no attribute matching desired delivery mediums"
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="p",
        UserAttributes=[{"Name": "phone_number", "Value": "+14325551212"}],
    )
    assert (h.directory.codes[-1].medium, h.directory.codes[-1].destination) == ("SMS", "+14325551212")
    h.call("adminCreateUser", UserPoolId=pool_id, Username="nothing")
    assert h.directory.codes[-1].medium is None


def test_admin_create_user_resend(h: Harness) -> None:
    pool_id = h.pool()
    h.call("adminCreateUser", UserPoolId=pool_id, Username="r", TemporaryPassword="First1!pass")
    user = h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="r",
        MessageAction="RESEND",
        TemporaryPassword="Second1!pass",
    )["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert h.directory.latest_code(pool_id, "r") == "Second1!pass"
    assert h.fails(
        "adminCreateUser",
        "UserNotFoundException",
        UserPoolId=pool_id,
        Username="ghost",
        MessageAction="RESEND",
    ) == ("User does not exist.")
    h.call("adminSetUserPassword", UserPoolId=pool_id, Username="r", Password=PASSWORD, Permanent=True)
    message = h.fails(
        "adminCreateUser",
        "UnsupportedUserStateException",
        UserPoolId=pool_id,
        Username="r",
        MessageAction="RESEND",
    )
    assert message == "Resend not possible. r status is not FORCE_CHANGE_PASSWORD."


def test_email_as_username_pool(h: Harness) -> None:
    pool_id = h.pool(UsernameAttributes=["email"])
    user = h.call("adminCreateUser", UserPoolId=pool_id, Username="Mail@Example.com")["User"]
    values = attrs_of(user)
    assert user["Username"] == values["sub"]
    assert values["email"] == "Mail@Example.com"
    for name in ("mail@example.com", values["sub"]):
        assert h.call("adminGetUser", UserPoolId=pool_id, Username=name)["Username"] == values["sub"]
    message = h.fails(
        "adminCreateUser", "InvalidParameterException", UserPoolId=pool_id, Username="plainname"
    )
    assert message == "Username should be an email."
    message = h.fails(
        "adminCreateUser", "UsernameExistsException", UserPoolId=pool_id, Username="mail@example.com"
    )
    assert message == "User account already exists"
    message = h.fails(
        "adminDeleteUserAttributes",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="mail@example.com",
        UserAttributeNames=["email"],
    )
    assert message == "user.email: The attribute is required"


def test_phone_as_username_pool(h: Harness) -> None:
    pool_id = h.pool(UsernameAttributes=["phone_number"])
    user = h.call("adminCreateUser", UserPoolId=pool_id, Username="+14325551212")["User"]
    assert attrs_of(user)["phone_number"] == "+14325551212"
    message = h.fails("adminCreateUser", "InvalidParameterException", UserPoolId=pool_id, Username="a@b.com")
    assert message == "Username should be a phone number."


def test_alias_pool(h: Harness) -> None:
    pool_id = h.pool(AliasAttributes=["email", "preferred_username"])
    message = h.fails(
        "adminCreateUser", "InvalidParameterException", UserPoolId=pool_id, Username="x@example.com"
    )
    assert message == "Username cannot be of email format, since user pool is configured for email alias."
    verified = [{"Name": "email", "Value": "a@example.com"}, {"Name": "email_verified", "Value": "true"}]
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="ann",
        UserAttributes=[*verified, {"Name": "preferred_username", "Value": "annie"}],
    )
    for alias in ("a@example.com", "annie"):
        assert h.call("adminGetUser", UserPoolId=pool_id, Username=alias)["Username"] == "ann"
    message = h.fails(
        "adminCreateUser", "AliasExistsException", UserPoolId=pool_id, Username="bob", UserAttributes=verified
    )
    assert message == "An account with the given email already exists."
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="bob",
        UserAttributes=verified,
        ForceAliasCreation=True,
    )
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="a@example.com")["Username"] == "bob"
    ann = attrs_of(h.call("adminGetUser", UserPoolId=pool_id, Username="ann"), "UserAttributes")
    assert ann["email_verified"] == "false"
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="cat",
        UserAttributes=[{"Name": "email", "Value": "c@example.com"}],
    )
    h.fails("adminGetUser", "UserNotFoundException", UserPoolId=pool_id, Username="c@example.com")


def test_case_insensitive_pool(h: Harness) -> None:
    pool_id = h.pool(UsernameConfiguration={"CaseSensitive": False})
    h.call("adminCreateUser", UserPoolId=pool_id, Username="MixedCase")
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="mixedcase")["Username"] == "MixedCase"
    h.fails("adminCreateUser", "UsernameExistsException", UserPoolId=pool_id, Username="MIXEDCASE")
    sensitive = h.pool()
    h.call("adminCreateUser", UserPoolId=sensitive, Username="MixedCase")
    h.call("adminCreateUser", UserPoolId=sensitive, Username="mixedcase")
    h.fails("adminGetUser", "UserNotFoundException", UserPoolId=sensitive, Username="MIXEDCASE")


@pytest.mark.parametrize(
    ("username", "message"),
    [
        (
            "has space",
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ),
        (
            "x" * 129,
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have "
            "length less than or equal to 128",
        ),
    ],
)
def test_username_rules(h: Harness, username: str, message: str) -> None:
    pool_id = h.pool()
    assert (
        h.fails("adminCreateUser", "InvalidParameterException", UserPoolId=pool_id, Username=username)
        == message
    )


def test_unicode_username_is_accepted(h: Harness) -> None:
    pool_id = h.pool()
    assert (
        h.call("adminCreateUser", UserPoolId=pool_id, Username="Jürgen-Ø_1")["User"]["Username"]
        == "Jürgen-Ø_1"
    )


def test_admin_create_user_missing_pool(h: Harness) -> None:
    message = h.fails(
        "adminCreateUser", "ResourceNotFoundException", UserPoolId="us-east-1_Missing99", Username="u"
    )
    assert message == "User pool us-east-1_Missing99 does not exist."


# -- AdminGetUser / attributes / delete -----------------------------------------------------------


def test_admin_get_user(h: Harness) -> None:
    pool_id = h.pool()
    h.user(pool_id, "gina", email="g@example.com")
    got = h.call("adminGetUser", UserPoolId=pool_id, Username="gina")
    assert set(got) == {
        "Username",
        "UserAttributes",
        "UserCreateDate",
        "UserLastModifiedDate",
        "Enabled",
        "UserStatus",
    }
    assert got["UserStatus"] == "CONFIRMED"
    assert attrs_of(got, "UserAttributes")["email"] == "g@example.com"
    assert h.fails("adminGetUser", "UserNotFoundException", UserPoolId=pool_id, Username="nobody") == (
        "User does not exist."
    )


def test_admin_update_user_attributes(h: Harness) -> None:
    pool_id = h.pool(AutoVerifiedAttributes=["email"])
    h.user(pool_id, "u", email="old@example.com", email_verified="true")
    h.clock.advance(10)
    assert (
        h.call(
            "adminUpdateUserAttributes",
            UserPoolId=pool_id,
            Username="u",
            UserAttributes=[
                {"Name": "email", "Value": "new@example.com"},
                {"Name": "given_name", "Value": "Uma"},
            ],
        )
        == {}
    )
    got = h.call("adminGetUser", UserPoolId=pool_id, Username="u")
    values = attrs_of(got, "UserAttributes")
    assert values["email"] == "new@example.com"
    assert values["email_verified"] == "false"
    assert values["given_name"] == "Uma"
    assert got["UserLastModifiedDate"] != got["UserCreateDate"]
    code = h.directory.codes[-1]
    assert (code.purpose, code.destination) == (CodePurpose.VERIFY_ATTRIBUTE, "new@example.com")
    h.call(
        "adminUpdateUserAttributes",
        UserPoolId=pool_id,
        Username="u",
        UserAttributes=[
            {"Name": "email", "Value": "third@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    assert (
        attrs_of(h.call("adminGetUser", UserPoolId=pool_id, Username="u"), "UserAttributes")["email_verified"]
        == "true"
    )


@pytest.mark.parametrize(
    ("attributes", "error", "message"),
    [
        (
            [{"Name": "sub", "Value": "x"}],
            "InvalidParameterException",
            "user.sub: Attribute cannot be updated. (changing an immutable attribute)",
        ),
        (
            [{"Name": "custom:nope", "Value": "x"}],
            "InvalidParameterException",
            "user.custom:nope: Attribute does not exist in the schema.",
        ),
        (
            [{"Name": "email_verified", "Value": "maybe"}, {"Name": "email", "Value": "e@example.com"}],
            "InvalidParameterException",
            "user.email_verified: Attribute value must be true or false.",
        ),
    ],
)
def test_admin_update_user_attributes_invalid(
    h: Harness, attributes: list[dict[str, str]], error: str, message: str
) -> None:
    pool_id = h.pool()
    h.user(pool_id, "u")
    assert (
        h.fails(
            "adminUpdateUserAttributes", error, UserPoolId=pool_id, Username="u", UserAttributes=attributes
        )
        == message
    )


def test_admin_update_user_attributes_errors(h: Harness) -> None:
    pool_id = h.pool(UsernameAttributes=["email"])
    h.call("adminCreateUser", UserPoolId=pool_id, Username="a@example.com")
    h.call("adminCreateUser", UserPoolId=pool_id, Username="b@example.com")
    message = h.fails(
        "adminUpdateUserAttributes",
        "AliasExistsException",
        UserPoolId=pool_id,
        Username="b@example.com",
        UserAttributes=[{"Name": "email", "Value": "A@example.com"}],
    )
    assert message == "An account with the given email already exists."
    h.fails(
        "adminUpdateUserAttributes",
        "UserNotFoundException",
        UserPoolId=pool_id,
        Username="z@example.com",
        UserAttributes=[],
    )
    h.fails(
        "adminUpdateUserAttributes", "InvalidParameterException", UserPoolId=pool_id, Username="a@example.com"
    )


def test_admin_delete_user_attributes(h: Harness) -> None:
    pool_id = h.pool()
    h.user(pool_id, "u", email="e@example.com", email_verified="true", nickname="n")
    assert (
        h.call(
            "adminDeleteUserAttributes",
            UserPoolId=pool_id,
            Username="u",
            UserAttributeNames=["email", "locale"],
        )
        == {}
    )
    values = attrs_of(h.call("adminGetUser", UserPoolId=pool_id, Username="u"), "UserAttributes")
    assert "email" not in values
    assert "email_verified" not in values
    assert values["nickname"] == "n"
    message = h.fails(
        "adminDeleteUserAttributes",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="u",
        UserAttributeNames=["sub"],
    )
    assert message == "user.sub: Attribute cannot be updated. (changing an immutable attribute)"
    h.fails(
        "adminDeleteUserAttributes",
        "UserNotFoundException",
        UserPoolId=pool_id,
        Username="x",
        UserAttributeNames=[],
    )


def test_admin_delete_user(h: Harness) -> None:
    pool_id = h.pool()
    h.user(pool_id, "d")
    assert h.call("adminDeleteUser", UserPoolId=pool_id, Username="d") == {}
    h.fails("adminGetUser", "UserNotFoundException", UserPoolId=pool_id, Username="d")
    h.fails("adminDeleteUser", "UserNotFoundException", UserPoolId=pool_id, Username="d")
    h.user(pool_id, "d")
    kinds = [e.kind for e in h.directory.events if e.subject == "d"]
    assert kinds.count(EventKind.USER_CREATED) == 2
    assert EventKind.USER_DELETED in kinds


def test_disable_and_enable(h: Harness) -> None:
    pool_id = h.pool()
    h.user(pool_id, "u")
    assert h.call("adminDisableUser", UserPoolId=pool_id, Username="u") == {}
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="u")["Enabled"] is False
    assert h.call("adminEnableUser", UserPoolId=pool_id, Username="u") == {}
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="u")["Enabled"] is True
    h.fails("adminDisableUser", "UserNotFoundException", UserPoolId=pool_id, Username="x")
    h.fails("adminEnableUser", "UserNotFoundException", UserPoolId=pool_id, Username="x")


# -- passwords and status transitions -------------------------------------------------------------


def test_admin_set_user_password(h: Harness) -> None:
    pool_id = h.pool()
    h.call("adminCreateUser", UserPoolId=pool_id, Username="u")

    def status() -> str:
        return str(h.call("adminGetUser", UserPoolId=pool_id, Username="u")["UserStatus"])

    h.call("adminSetUserPassword", UserPoolId=pool_id, Username="u", Password=PASSWORD, Permanent=True)
    assert status() == "CONFIRMED"
    h.call("adminSetUserPassword", UserPoolId=pool_id, Username="u", Password=PASSWORD)
    assert status() == "FORCE_CHANGE_PASSWORD"
    message = h.fails(
        "adminSetUserPassword", "InvalidPasswordException", UserPoolId=pool_id, Username="u", Password="weak"
    )
    assert message == "Password did not conform with policy: Password not long enough"
    h.fails(
        "adminSetUserPassword", "UserNotFoundException", UserPoolId=pool_id, Username="x", Password=PASSWORD
    )
    message = h.fails(
        "adminSetUserPassword",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="u",
        Password="has space1A!",
    )
    assert message.endswith("Member must satisfy regular expression pattern: [\\S]+")
    assert "has space" not in message


def test_admin_reset_user_password(h: Harness) -> None:
    pool_id = h.pool()
    h.user(pool_id, "u", email="u@example.com", email_verified="true")
    assert h.call("adminResetUserPassword", UserPoolId=pool_id, Username="u") == {}
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="u")["UserStatus"] == "RESET_REQUIRED"
    code = h.directory.codes[-1]
    assert (code.purpose, code.medium, code.destination) == (
        CodePurpose.FORGOT_PASSWORD,
        "EMAIL",
        "u@example.com",
    )
    assert re.fullmatch(r"\d{6}", code.code)
    h.user(pool_id, "unverified", email="x@example.com")
    message = h.fails(
        "adminResetUserPassword", "InvalidParameterException", UserPoolId=pool_id, Username="unverified"
    )
    assert (
        message
        == "Cannot reset password for the user as there is no registered/verified email or phone_number"
    )
    h.call("adminCreateUser", UserPoolId=pool_id, Username="fresh")
    message = h.fails(
        "adminResetUserPassword", "NotAuthorizedException", UserPoolId=pool_id, Username="fresh"
    )
    assert message == "User password cannot be reset in the current state."
    h.fails("adminResetUserPassword", "UserNotFoundException", UserPoolId=pool_id, Username="ghost")


def test_admin_confirm_sign_up(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.call("signUp", ClientId=client_id, Username="s", Password=PASSWORD)
    assert h.directory.pools[pool_id].users["s"].status == UserStatus.UNCONFIRMED
    assert h.call("adminConfirmSignUp", UserPoolId=pool_id, Username="s") == {}
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="s")["UserStatus"] == "CONFIRMED"
    message = h.fails("adminConfirmSignUp", "NotAuthorizedException", UserPoolId=pool_id, Username="s")
    assert message == "User cannot be confirmed. Current status is CONFIRMED"
    h.fails("adminConfirmSignUp", "UserNotFoundException", UserPoolId=pool_id, Username="x")


# -- groups ---------------------------------------------------------------------------------------


def test_group_membership(h: Harness) -> None:
    pool_id = h.pool()
    h.user(pool_id, "u")
    for name in ("readers", "writers", "admins"):
        h.call("createGroup", UserPoolId=pool_id, GroupName=name)
    for name in ("readers", "writers", "readers"):
        assert h.call("adminAddUserToGroup", UserPoolId=pool_id, Username="u", GroupName=name) == {}
    listed = h.call("adminListGroupsForUser", UserPoolId=pool_id, Username="u")
    assert [g["GroupName"] for g in listed["Groups"]] == ["readers", "writers"]
    page = h.call("adminListGroupsForUser", UserPoolId=pool_id, Username="u", Limit=1)
    assert [g["GroupName"] for g in page["Groups"]] == ["readers"]
    rest = h.call(
        "adminListGroupsForUser", UserPoolId=pool_id, Username="u", Limit=1, NextToken=page["NextToken"]
    )
    assert [g["GroupName"] for g in rest["Groups"]] == ["writers"]
    assert h.call("adminRemoveUserFromGroup", UserPoolId=pool_id, Username="u", GroupName="readers") == {}
    listed = h.call("adminListGroupsForUser", UserPoolId=pool_id, Username="u")
    assert [g["GroupName"] for g in listed["Groups"]] == ["writers"]
    h.fails(
        "adminAddUserToGroup", "ResourceNotFoundException", UserPoolId=pool_id, Username="u", GroupName="nope"
    )
    h.fails(
        "adminAddUserToGroup", "UserNotFoundException", UserPoolId=pool_id, Username="x", GroupName="readers"
    )
    h.fails(
        "adminRemoveUserFromGroup",
        "ResourceNotFoundException",
        UserPoolId=pool_id,
        Username="u",
        GroupName="nope",
    )
    h.fails("adminListGroupsForUser", "UserNotFoundException", UserPoolId=pool_id, Username="x")
    h.fails("adminListGroupsForUser", "InvalidParameterException", UserPoolId=pool_id, Username="u", Limit=61)


# -- ListUsers ------------------------------------------------------------------------------------


@pytest.fixture
def people(h: Harness) -> str:
    pool_id = h.pool(Schema=[{"Name": "team", "AttributeDataType": "String"}])
    h.user(pool_id, "alice", email="alice@example.com", given_name="Alice", family_name="Smith")
    h.user(pool_id, "albert", email="albert@example.org", given_name="Albert", phone_number="+15550001111")
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="bob",
        UserAttributes=[
            {"Name": "email", "Value": 'bob"q@example.com'},
            {"Name": "custom:team", "Value": "x"},
        ],
    )
    h.call("adminDisableUser", UserPoolId=pool_id, Username="albert")
    return pool_id


@pytest.mark.parametrize(
    ("filter_text", "expected"),
    [
        ("", ["alice", "albert", "bob"]),
        ('username = "alice"', ["alice"]),
        ('username="alice"', ["alice"]),
        ('username = "Alice"', []),
        ('username ^= "al"', ["alice", "albert"]),
        ('email ^= "alice@"', ["alice"]),
        ('email = "bob\\"q@example.com"', ["bob"]),
        ('given_name = "Albert"', ["albert"]),
        ('family_name ^= "Sm"', ["alice"]),
        ('phone_number = "+15550001111"', ["albert"]),
        ('status = "Disabled"', ["albert"]),
        ('status = "Enabled"', ["alice", "bob"]),
        ('status = "enabled"', []),
        ('cognito:user_status = "force_change_password"', ["bob"]),
        ('cognito:user_status = "CONFIRMED"', ["alice", "albert"]),
        ('name = "nobody"', []),
    ],
)
def test_list_users_filter(h: Harness, people: str, filter_text: str, expected: list[str]) -> None:
    users = h.call("listUsers", UserPoolId=people, Filter=filter_text)["Users"]
    assert [u["Username"] for u in users] == expected


def test_list_users_filter_by_sub(h: Harness, people: str) -> None:
    sub = h.directory.pools[people].users["bob"].sub
    users = h.call("listUsers", UserPoolId=people, Filter=f'sub = "{sub}"')["Users"]
    assert [u["Username"] for u in users] == ["bob"]


@pytest.mark.parametrize(
    ("filter_text", "message"),
    [
        ('custom:team = "x"', "Invalid search attribute: custom:team"),
        ('locale = "en"', "Invalid search attribute: locale"),
        ("username = alice", "Error while parsing filter."),
        ('username != "alice"', "Error while parsing filter."),
        ('username = "alice" and', "Error while parsing filter."),
    ],
)
def test_list_users_bad_filter(h: Harness, people: str, filter_text: str, message: str) -> None:
    assert h.fails("listUsers", "InvalidParameterException", UserPoolId=people, Filter=filter_text) == message


def test_list_users_pagination_and_attributes(h: Harness, people: str) -> None:
    first = h.call("listUsers", UserPoolId=people, Limit=2, AttributesToGet=["email"])
    assert [u["Username"] for u in first["Users"]] == ["alice", "albert"]
    assert first["Users"][0]["Attributes"] == [{"Name": "email", "Value": "alice@example.com"}]
    second = h.call("listUsers", UserPoolId=people, Limit=2, PaginationToken=first["PaginationToken"])
    assert [u["Username"] for u in second["Users"]] == ["bob"]
    assert "PaginationToken" not in second
    h.fails("listUsers", "InvalidParameterException", UserPoolId=people, PaginationToken="zzz")
    h.fails("listUsers", "InvalidParameterException", UserPoolId=people, Limit=61)
    h.fails("listUsers", "InvalidParameterException", UserPoolId=people, Filter="x" * 257)
    h.fails("listUsers", "ResourceNotFoundException", UserPoolId="us-east-1_Nope")
    message = h.fails("listUsers", "InvalidParameterException", UserPoolId=people, AttributesToGet=["nope"])
    assert message == "One or more requested attributes do not exist."
