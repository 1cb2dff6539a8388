"""The management actions real setups call, through boto3 against the server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cognito_service.conftest import new_client, new_pool, new_user, sign_in, unique
from tests.server.conftest import Server

TRIGGER = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"


def test_update_user_pool_sets_what_it_is_given_and_resets_the_rest(idp: Any) -> None:
    # [doc, "Updating user pool and app client configuration"]: omitted settings get their defaults.
    pool_id = new_pool(idp, LambdaConfig={"PreSignUp": TRIGGER}, AutoVerifiedAttributes=["email"])
    idp.update_user_pool(UserPoolId=pool_id, PoolName="renamed", UserPoolTags={"team": "id"})
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "renamed"
    assert pool["LambdaConfig"] == {}
    assert "AutoVerifiedAttributes" not in pool
    assert pool["UserPoolTags"] == {"team": "id"}
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"MfaConfiguration": "ON"}, "InvalidParameterException", "SMS configuration"),
        ({"UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}}, "NotEmulatedException", "UserPoolAddOns"),
    ],
)
def test_update_user_pool_refuses_what_aws_or_the_emulation_cannot_do(
    idp: Any, params: dict[str, Any], error: str, message: str
) -> None:
    pool_id = new_pool(idp)
    with pytest.raises(idp.exceptions.ClientError) as raised:
        idp.update_user_pool(UserPoolId=pool_id, **params)
    assert raised.value.response["Error"]["Code"] == error
    assert message in raised.value.response["Error"]["Message"]


def test_update_user_pool_keeps_totp_mfa_set_by_set_user_pool_mfa_config(idp: Any) -> None:
    pool_id = new_pool(idp)
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="ON")
    config = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert config["MfaConfiguration"] == "ON"
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


def test_clients_are_listed_updated_and_deleted(idp: Any) -> None:
    pool_id = new_pool(idp)
    first = new_client(idp, pool_id, ReadAttributes=["email"])
    second = new_client(idp, pool_id)
    pages = list(
        idp.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pool_id, PaginationConfig={"PageSize": 1}
        )
    )
    assert [c["ClientId"] for p in pages for c in p["UserPoolClients"]] == [first, second]
    updated = idp.update_user_pool_client(UserPoolId=pool_id, ClientId=first, ClientName="web")[
        "UserPoolClient"
    ]
    assert updated["ClientName"] == "web"
    assert "ReadAttributes" not in updated  # reset: every attribute readable again
    assert updated["ExplicitAuthFlows"] == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_CUSTOM_AUTH",
    ]
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=second)
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=second)


def test_a_deleted_clients_refresh_tokens_stop_working(idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    new_user(idp, pool_id, "rae")
    refresh = sign_in(idp, pool_id, client_id, "rae")["RefreshToken"]
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh}
        )


def test_custom_attributes_can_be_added_and_used(idp: Any) -> None:
    pool_id = new_pool(idp)
    idp.add_custom_attributes(
        UserPoolId=pool_id,
        CustomAttributes=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
    )
    names = [a["Name"] for a in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]]
    assert "custom:tier" in names
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="tia",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "custom:tier", "Value": "gold"}],
    )
    with pytest.raises(
        idp.exceptions.InvalidParameterException, match="Existing attribute already has name tier"
    ):
        idp.add_custom_attributes(
            UserPoolId=pool_id, CustomAttributes=[{"Name": "tier", "AttributeDataType": "String"}]
        )


def test_a_user_deletes_attributes_and_verifies_a_new_code(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    new_user(idp, pool_id, "vic", email="vic@example.com", nickname="v")
    token = sign_in(idp, pool_id, client_id, "vic")["AccessToken"]
    idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["nickname"])
    sent = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")[
        "CodeDeliveryDetails"
    ]
    assert sent == {"Destination": "v***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = server.backend.runner.directory.latest_code(pool_id, "vic")
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    attributes = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=token)["UserAttributes"]}
    assert attributes["email_verified"] == "true"
    assert "nickname" not in attributes
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")


def test_legacy_user_settings_switch_sms_mfa(idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    new_user(idp, pool_id, "sam", phone_number="+14155550100")
    idp.admin_set_user_settings(
        UserPoolId=pool_id,
        Username="sam",
        MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
    )
    assert idp.admin_get_user(UserPoolId=pool_id, Username="sam")["UserMFASettingList"] == ["SMS_MFA"]
    token = sign_in(idp, pool_id, client_id, "sam")["AccessToken"]
    idp.set_user_settings(AccessToken=token, MFAOptions=[])
    assert "UserMFASettingList" not in idp.admin_get_user(UserPoolId=pool_id, Username="sam")
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.set_user_settings(
            AccessToken=token, MFAOptions=[{"DeliveryMedium": "EMAIL", "AttributeName": "email"}]
        )


def test_identity_providers_are_stored_listed_and_described(idp: Any) -> None:
    pool_id = new_pool(idp)
    details = {"client_id": "g", "client_secret": "s", "authorize_scopes": "openid email"}
    created = idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=details,
        AttributeMapping={"email": "email"},
        IdpIdentifiers=["gmail"],
    )["IdentityProvider"]
    assert created["ProviderDetails"] == details
    with pytest.raises(idp.exceptions.DuplicateProviderException):
        idp.create_identity_provider(
            UserPoolId=pool_id, ProviderName="Google", ProviderType="Google", ProviderDetails=details
        )
    found = idp.get_identity_provider_by_identifier(UserPoolId=pool_id, IdpIdentifier="gmail")[
        "IdentityProvider"
    ]
    assert found["ProviderName"] == "Google"
    idp.update_identity_provider(UserPoolId=pool_id, ProviderName="Google", AttributeMapping={"name": "name"})
    described = idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Google")["IdentityProvider"]
    assert described["AttributeMapping"] == {"name": "name"}
    listed = idp.list_identity_providers(UserPoolId=pool_id)["Providers"]
    assert [(p["ProviderName"], p["ProviderType"]) for p in listed] == [("Google", "Google")]
    client_id = new_client(idp, pool_id, SupportedIdentityProviders=["COGNITO", "Google"])
    idp.delete_identity_provider(UserPoolId=pool_id, ProviderName="Google")
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Google")


def test_resource_servers_define_scopes_clients_may_allow(idp: Any) -> None:
    pool_id = new_pool(idp)
    server = idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="Orders API",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "read orders"}],
    )["ResourceServer"]
    assert server["Scopes"] == [{"ScopeName": "read", "ScopeDescription": "read orders"}]
    machine = new_client(
        idp,
        pool_id,
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read"],
    )
    assert idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=machine)["UserPoolClient"][
        "AllowedOAuthScopes"
    ] == ["orders/read"]
    with pytest.raises(idp.exceptions.ScopeDoesNotExistException):
        new_client(idp, pool_id, AllowedOAuthScopes=["orders/write"])
    idp.update_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="Orders",
        Scopes=[{"ScopeName": "write", "ScopeDescription": "w"}],
    )
    assert (
        idp.describe_resource_server(UserPoolId=pool_id, Identifier="orders")["ResourceServer"]["Name"]
        == "Orders"
    )
    assert [
        s["Identifier"]
        for s in idp.list_resource_servers(UserPoolId=pool_id, MaxResults=10)["ResourceServers"]
    ] == ["orders"]
    idp.delete_resource_server(UserPoolId=pool_id, Identifier="orders")
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_resource_server(UserPoolId=pool_id, Identifier="orders")


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {"AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["openid"]},
            "InvalidOAuthFlowException",
        ),
        (
            {
                "GenerateSecret": True,
                "AllowedOAuthFlows": ["client_credentials", "code"],
                "CallbackURLs": ["https://a.example/cb"],
            },
            "InvalidOAuthFlowException",
        ),
        (
            {
                "AllowedOAuthFlowsUserPoolClient": True,
                "AllowedOAuthFlows": ["code"],
                "AllowedOAuthScopes": ["openid"],
            },
            "InvalidParameterException",
        ),
        ({"CallbackURLs": ["http://app.example.com/cb"]}, "InvalidParameterException"),
        (
            {"CallbackURLs": ["https://a.example/cb"], "DefaultRedirectURI": "https://b.example/cb"},
            "InvalidParameterException",
        ),
        ({"SupportedIdentityProviders": ["Okta"]}, "InvalidParameterException"),
        ({"AllowedOAuthScopes": ["nothing/here"]}, "ScopeDoesNotExistException"),
    ],
)
def test_oauth_client_settings_follow_cognitos_rules(idp: Any, params: dict[str, Any], error: str) -> None:
    pool_id = new_pool(idp)
    with pytest.raises(idp.exceptions.ClientError) as raised:
        new_client(idp, pool_id, **params)
    assert raised.value.response["Error"]["Code"] == error


def test_localhost_callbacks_and_app_schemes_are_allowed(idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(
        idp,
        pool_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=["http://localhost:3000/callback", "myapp://signed-in"],
        SupportedIdentityProviders=["COGNITO"],
    )
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["CallbackURLs"] == ["http://localhost:3000/callback", "myapp://signed-in"]


def test_a_pool_has_one_domain_that_describes_it(idp: Any) -> None:
    pool_id = new_pool(idp)
    prefix = unique("shop")
    assert idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)["ManagedLoginVersion"] == 1
    described = idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"]
    assert (described["UserPoolId"], described["Status"]) == (pool_id, "ACTIVE")
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == prefix
    with pytest.raises(idp.exceptions.InvalidParameterException, match="already has a domain"):
        idp.create_user_pool_domain(UserPoolId=pool_id, Domain=unique("other"))
    other_pool = new_pool(idp)
    with pytest.raises(idp.exceptions.InvalidParameterException, match="Domain already exists"):
        idp.create_user_pool_domain(UserPoolId=other_pool, Domain=prefix)
    with pytest.raises(idp.exceptions.InvalidParameterException, match="reserved word: cognito"):
        idp.create_user_pool_domain(UserPoolId=other_pool, Domain="my-cognito-app")
    idp.update_user_pool_domain(UserPoolId=pool_id, Domain=prefix, ManagedLoginVersion=2)
    assert idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"]["ManagedLoginVersion"] == 2
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    assert idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"] == {}


def test_a_custom_domain_keeps_its_certificate(idp: Any) -> None:
    pool_id = new_pool(idp)
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    answer = idp.create_user_pool_domain(
        UserPoolId=pool_id, Domain="auth-example-com", CustomDomainConfig={"CertificateArn": certificate}
    )
    assert answer["CloudFrontDomain"].endswith(".cloudfront.net")
    described = idp.describe_user_pool_domain(Domain="auth-example-com")["DomainDescription"]
    assert described["CustomDomainConfig"] == {"CertificateArn": certificate}
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["CustomDomain"] == "auth-example-com"


def test_mfa_configuration_over_http(idp: Any) -> None:
    pool_id = new_pool(idp)
    answer = idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    assert answer["MfaConfiguration"] == "ON"
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["SoftwareTokenMfaConfiguration"] == {
        "Enabled": True
    }
