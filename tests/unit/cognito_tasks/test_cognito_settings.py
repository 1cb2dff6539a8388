"""Settings we do not emulate are refused loudly, never stored and ignored (issue 13, "must end first")."""

from __future__ import annotations

from typing import Any

import pytest
from cognito_harness import Harness

from asl.errors import StatesRuntime
from asl.sdk_models import operation
from cognito_tasks import settings


@pytest.mark.parametrize(
    ("params", "named"),
    [
        (
            {
                "LambdaConfig": {
                    "CustomEmailSender": {
                        "LambdaVersion": "V1_0",
                        "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    }
                }
            },
            "LambdaConfig.CustomEmailSender",
        ),
        ({"LambdaConfig": {"KMSKeyID": "arn:aws:kms:us-east-1:123456789012:key/k"}}, "LambdaConfig.KMSKeyID"),
        ({"DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True}}, "DeviceConfiguration"),
        ({"UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}}, "UserPoolAddOns"),
        (
            {"UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]}},
            "UserAttributeUpdateSettings",
        ),
        (
            {"VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_LINK"}},
            "CONFIRM_WITH_LINK",
        ),
        (
            {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}},
            "AllowedFirstAuthFactors",
        ),
    ],
)
def test_pool_settings_not_emulated_are_refused(h: Harness, params: dict[str, Any], named: str) -> None:
    with pytest.raises(StatesRuntime) as info:
        h.call("createUserPool", PoolName="p", **params)
    assert named in str(info.value)
    assert "not supported locally" in str(info.value)
    assert not h.directory.pools


@pytest.mark.parametrize(
    "params",
    [
        {"DeviceConfiguration": {"ChallengeRequiredOnNewDevice": False}},
        {"UserPoolAddOns": {"AdvancedSecurityMode": "OFF"}},
        {"EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"}},
        {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}}},
        {"UserPoolTier": "ESSENTIALS"},
    ],
)
def test_pool_settings_that_are_off_or_inert_are_accepted(h: Harness, params: dict[str, Any]) -> None:
    pool = h.call("createUserPool", PoolName="p", **params)["UserPool"]
    assert pool["Name"] == "p"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"RefreshTokenRotation": {"Feature": "ENABLED"}}, "RefreshTokenRotation"),
        ({"EnablePropagateAdditionalUserContextData": True}, "EnablePropagateAdditionalUserContextData"),
    ],
)
def test_client_settings_not_emulated_are_refused(h: Harness, params: dict[str, Any], named: str) -> None:
    pool_id = h.pool()
    with pytest.raises(StatesRuntime) as info:
        h.call("createUserPoolClient", UserPoolId=pool_id, ClientName="c", **params)
    assert named in str(info.value)
    assert not h.directory.pools[pool_id].clients


@pytest.mark.parametrize(
    ("action", "known"),
    [
        ("createUserPool", settings.POOL_EMULATED | set(settings.POOL_INERT)),
        ("createUserPoolClient", settings.CLIENT_EMULATED | set(settings.CLIENT_INERT)),
    ],
)
def test_every_model_member_is_classified_or_refused(action: str, known: set[str]) -> None:
    """A member of the botocore model that is neither emulated nor inert must be refused."""
    op = operation("cognitoidentityprovider", action)
    assert op is not None
    check = settings.check_pool if action == "createUserPool" else settings.check_client
    for member in set(op.members) - known:
        with pytest.raises(settings.NotEmulated):
            check({member: {"Something": "on"}})


def test_message_templates_shape_the_outbox(h: Harness) -> None:
    """VerificationMessageTemplate and InviteMessageTemplate are emulated: they are the outbox's text."""
    pool_id = h.pool(
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate={"EmailMessage": "Hi! Code {####}", "EmailSubject": "Confirm"},
        AdminCreateUserConfig={"InviteMessageTemplate": {"SMSMessage": "{username}: {####}"}},
    )
    client_id = h.client(pool_id)
    h.call(
        "signUp",
        ClientId=client_id,
        Username="ann",
        Password="Passw0rd!",
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
    )
    sent = h.directory.codes[-1]
    assert (sent.message, sent.subject) == (f"Hi! Code {sent.code}", "Confirm")
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="ben",
        TemporaryPassword="Temp-Passw0rd!",
        UserAttributes=[{"Name": "phone_number", "Value": "+14325551212"}],
    )
    assert h.directory.codes[-1].message == "ben: Temp-Passw0rd!"
    pool = h.call("describeUserPool", UserPoolId=pool_id)["UserPool"]
    assert pool["VerificationMessageTemplate"]["EmailSubject"] == "Confirm"
