"""Pools, app clients and groups."""

from __future__ import annotations

import re

import pytest
from cognito_harness import START, Harness

ISO_START = "2023-11-14T22:13:20.000Z"


# -- pools ----------------------------------------------------------------------------------------


def test_create_user_pool_defaults(h: Harness) -> None:
    pool = h.call("createUserPool", PoolName="people")["UserPool"]
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", pool["Id"])
    assert pool["Name"] == "people"
    assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool['Id']}"
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 7,
    }
    assert pool["CreationDate"] == ISO_START == pool["LastModifiedDate"]
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": False,
        "UnusedAccountValidityDays": 7,
    }
    names = [a["Name"] for a in pool["SchemaAttributes"]]
    assert names[0] == "sub"
    assert {"email", "email_verified", "phone_number", "phone_number_verified", "updated_at"} <= set(names)
    assert "UsernameConfiguration" not in pool


def test_create_user_pool_with_schema_and_settings(h: Harness) -> None:
    pool = h.call(
        "createUserPool",
        PoolName="p",
        Policies={"PasswordPolicy": {"MinimumLength": 6, "RequireNumbers": True}},
        Schema=[
            {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
            {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "0"}},
            {"Name": "email", "AttributeDataType": "String", "Required": True},
        ],
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        UserPoolTags={"team": "a"},
        EmailVerificationSubject="Your code",
    )["UserPool"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 6
    assert policy["RequireNumbers"] is True
    assert policy["RequireSymbols"] is False
    by_name = {a["Name"]: a for a in pool["SchemaAttributes"]}
    assert by_name["custom:tier"]["AttributeDataType"] == "String"
    assert by_name["custom:age"]["NumberAttributeConstraints"] == {"MinValue": "0"}
    assert by_name["email"]["Required"] is True
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["UserPoolTags"] == {"team": "a"}
    assert pool["EmailVerificationSubject"] == "Your code"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"UsernameAttributes": ["email"], "AliasAttributes": ["email"]},
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ),
        (
            {"Schema": [{"Name": "x", "AttributeDataType": "String", "Required": True}]},
            "Required custom attributes are not supported currently.",
        ),
        (
            {
                "Schema": [
                    {"Name": "x", "AttributeDataType": "String"},
                    {"Name": "x", "AttributeDataType": "String"},
                ]
            },
            "Existing attribute already has name x.",
        ),
        (
            {
                "Schema": [
                    {
                        "Name": "n",
                        "AttributeDataType": "Number",
                        "NumberAttributeConstraints": {"MinValue": "x"},
                    }
                ]
            },
            "Invalid constraints for attribute n.",
        ),
        (
            {"Policies": {"PasswordPolicy": {"MinimumLength": 5}}},
            "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to "
            "satisfy constraint: Member must have value greater than or equal to 6",
        ),
    ],
)
def test_create_user_pool_invalid(h: Harness, params: dict[str, object], message: str) -> None:
    assert h.fails("createUserPool", "InvalidParameterException", PoolName="p", **params) == message


def test_describe_and_delete_user_pool(h: Harness) -> None:
    pool_id = h.pool()
    assert h.call("describeUserPool", UserPoolId=pool_id)["UserPool"]["Id"] == pool_id
    assert h.call("deleteUserPool", UserPoolId=pool_id) == {}
    message = h.fails("describeUserPool", "ResourceNotFoundException", UserPoolId=pool_id)
    assert message == f"User pool {pool_id} does not exist."
    h.fails("deleteUserPool", "ResourceNotFoundException", UserPoolId=pool_id)


def test_deletion_protection(h: Harness) -> None:
    pool_id = h.pool(DeletionProtection="ACTIVE")
    message = h.fails("deleteUserPool", "InvalidParameterException", UserPoolId=pool_id)
    assert "deletion protection is activated" in message


def test_malformed_pool_id(h: Harness) -> None:
    message = h.fails("describeUserPool", "InvalidParameterException", UserPoolId="nope")
    assert message == (
        "1 validation error detected: Value 'nope' at 'userPoolId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    )


def test_list_user_pools_pagination(h: Harness) -> None:
    ids = [h.pool() for _ in range(5)]
    first = h.call("listUserPools", MaxResults=2)
    assert [p["Id"] for p in first["UserPools"]] == ids[:2]
    assert set(first["UserPools"][0]) == {"Id", "Name", "LambdaConfig", "LastModifiedDate", "CreationDate"}
    second = h.call("listUserPools", MaxResults=2, NextToken=first["NextToken"])
    third = h.call("listUserPools", MaxResults=2, NextToken=second["NextToken"])
    assert [p["Id"] for p in second["UserPools"] + third["UserPools"]] == ids[2:]
    assert "NextToken" not in third
    h.fails("listUserPools", "InvalidParameterException", MaxResults=2, NextToken="garbage")
    h.fails("listUserPools", "InvalidParameterException")


# -- clients --------------------------------------------------------------------------------------


def test_create_user_pool_client_defaults(h: Harness) -> None:
    pool_id = h.pool()
    client = h.call("createUserPoolClient", UserPoolId=pool_id, ClientName="web")["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{26}", client["ClientId"])
    assert client["UserPoolId"] == pool_id
    assert client["ClientName"] == "web"
    assert "ClientSecret" not in client
    assert client["ExplicitAuthFlows"] == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_CUSTOM_AUTH",
    ]
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"] == {
        "AccessToken": "hours",
        "IdToken": "hours",
        "RefreshToken": "days",
    }
    assert client["EnableTokenRevocation"] is True
    assert client["AuthSessionValidity"] == 3
    assert client["CreationDate"] == ISO_START
    described = h.call("describeUserPoolClient", UserPoolId=pool_id, ClientId=client["ClientId"])
    assert described["UserPoolClient"] == client


def test_create_user_pool_client_options(h: Harness) -> None:
    pool_id = h.pool()
    client = h.call(
        "createUserPoolClient",
        UserPoolId=pool_id,
        ClientName="server",
        GenerateSecret=True,
        AccessTokenValidity=30,
        IdTokenValidity=2,
        RefreshTokenValidity=7,
        TokenValidityUnits={"AccessToken": "minutes"},
        ReadAttributes=["email", "email_verified"],
        CallbackURLs=["https://example.com/cb"],
    )["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{51}", client["ClientSecret"])
    assert client["AccessTokenValidity"] == 30
    assert client["IdTokenValidity"] == 2
    assert client["RefreshTokenValidity"] == 7
    assert client["ReadAttributes"] == ["email", "email_verified"]
    assert client["CallbackURLs"] == ["https://example.com/cb"]
    stored = h.directory.pools[pool_id].clients[client["ClientId"]]
    assert (stored.access_token_validity, stored.id_token_validity) == (1800, 7200)
    assert stored.refresh_token_validity == 7 * 86400


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}},
            "Invalid range for token validity.",
        ),
        (
            {"IdTokenValidity": 1, "TokenValidityUnits": {"IdToken": "minutes"}},
            "Invalid range for token validity.",
        ),
        ({"ReadAttributes": ["custom:nope"]}, "Invalid read attributes specified while creating a client"),
        (
            {"AuthSessionValidity": 16},
            "1 validation error detected: Value '16' at 'authSessionValidity' failed to satisfy constraint: "
            "Member must have value less than or equal to 15",
        ),
        ({"WriteAttributes": ["bogus"]}, "Invalid write attributes specified while creating a client"),
        (
            {"ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            "Legacy and ALLOW_ ExplicitAuthFlows values cannot be mixed.",
        ),
    ],
)
def test_create_user_pool_client_invalid(h: Harness, params: dict[str, object], message: str) -> None:
    pool_id = h.pool()
    got = h.fails(
        "createUserPoolClient", "InvalidParameterException", UserPoolId=pool_id, ClientName="c", **params
    )
    assert got == message


def test_client_in_missing_pool_or_unknown_client(h: Harness) -> None:
    h.fails(
        "createUserPoolClient", "ResourceNotFoundException", UserPoolId="us-east-1_missing", ClientName="c"
    )
    pool_id = h.pool()
    message = h.fails(
        "describeUserPoolClient", "ResourceNotFoundException", UserPoolId=pool_id, ClientId="abc"
    )
    assert message == "User pool client abc does not exist."


# -- groups ---------------------------------------------------------------------------------------


def test_group_lifecycle(h: Harness) -> None:
    pool_id = h.pool()
    role = "arn:aws:iam::123456789012:role/admins"
    group = h.call(
        "createGroup",
        UserPoolId=pool_id,
        GroupName="admins",
        Description="Admins",
        RoleArn=role,
        Precedence=1,
    )["Group"]
    assert group == {
        "GroupName": "admins",
        "UserPoolId": pool_id,
        "Description": "Admins",
        "RoleArn": role,
        "Precedence": 1,
        "LastModifiedDate": ISO_START,
        "CreationDate": ISO_START,
    }
    assert h.call("getGroup", UserPoolId=pool_id, GroupName="admins")["Group"] == group
    h.clock.advance(60)
    updated = h.call("updateGroup", UserPoolId=pool_id, GroupName="admins", Precedence=5)["Group"]
    assert updated["Precedence"] == 5
    assert updated["Description"] == "Admins"
    assert updated["LastModifiedDate"] == "2023-11-14T22:14:20.000Z"
    assert h.call("deleteGroup", UserPoolId=pool_id, GroupName="admins") == {}
    assert (
        h.fails("getGroup", "ResourceNotFoundException", UserPoolId=pool_id, GroupName="admins")
        == "Group not found."
    )
    h.fails("updateGroup", "ResourceNotFoundException", UserPoolId=pool_id, GroupName="admins")
    h.fails("deleteGroup", "ResourceNotFoundException", UserPoolId=pool_id, GroupName="admins")


def test_create_group_errors(h: Harness) -> None:
    pool_id = h.pool()
    h.call("createGroup", UserPoolId=pool_id, GroupName="g")
    message = h.fails("createGroup", "GroupExistsException", UserPoolId=pool_id, GroupName="g")
    assert message == "A group with the name g already exists."
    h.fails("createGroup", "ResourceNotFoundException", UserPoolId="us-east-1_nothere", GroupName="g")
    h.fails("createGroup", "InvalidParameterException", UserPoolId=pool_id, GroupName="n", Precedence=-1)
    h.fails(
        "createGroup",
        "InvalidParameterException",
        UserPoolId=pool_id,
        GroupName="r",
        RoleArn="not-an-arn-at-all",
    )


def test_list_groups_and_members(h: Harness) -> None:
    pool_id = h.pool()
    for name in ("a", "b", "c"):
        h.call("createGroup", UserPoolId=pool_id, GroupName=name)
    page = h.call("listGroups", UserPoolId=pool_id, Limit=2)
    assert [g["GroupName"] for g in page["Groups"]] == ["a", "b"]
    rest = h.call("listGroups", UserPoolId=pool_id, Limit=2, NextToken=page["NextToken"])
    assert [g["GroupName"] for g in rest["Groups"]] == ["c"]
    assert "NextToken" not in rest
    for name in ("ann", "bob"):
        h.user(pool_id, name)
        h.call("adminAddUserToGroup", UserPoolId=pool_id, Username=name, GroupName="a")
    members = h.call("listUsersInGroup", UserPoolId=pool_id, GroupName="a")
    assert [u["Username"] for u in members["Users"]] == ["ann", "bob"]
    assert "Attributes" in members["Users"][0]
    assert h.call("listUsersInGroup", UserPoolId=pool_id, GroupName="b") == {"Users": []}
    h.fails("listUsersInGroup", "ResourceNotFoundException", UserPoolId=pool_id, GroupName="zzz")
    h.call("deleteGroup", UserPoolId=pool_id, GroupName="a")
    assert h.directory.pools[pool_id].users["ann"].groups == []


def test_dates_follow_the_clock(h: Harness) -> None:
    h.clock.advance(3600.5)
    pool = h.call("createUserPool", PoolName="later")["UserPool"]
    assert pool["CreationDate"] == "2023-11-14T23:13:20.500Z"
    assert h.directory.pools[pool["Id"]].created == START + 3600.5
