"""MFA: pool configuration rules, user preferences, TOTP (codes from pyotp), SMS and email codes in the outbox,
and the SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP challenges.

Sources: API reference pages SetUserPoolMfaConfig, SetUserMFAPreference, AssociateSoftwareToken,
VerifySoftwareToken, RespondToAuthChallenge; developer guide "Adding MFA to a user pool".
"""

from __future__ import annotations

import json
from typing import Any

import pyotp
import pytest
from cognito_harness import PASSWORD, Harness, make_harness

SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "x"}
SES = {"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/x.com"}


def auth(h: Harness, pool_id: str, client_id: str, username: str = "ann") -> dict[str, Any]:
    return dict(
        h.call(
            "adminInitiateAuth",
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )
    )


def answer(
    h: Harness, pool_id: str, client_id: str, step: dict[str, Any], **responses: str
) -> dict[str, Any]:
    return dict(
        h.call(
            "adminRespondToAuthChallenge",
            UserPoolId=pool_id,
            ClientId=client_id,
            ChallengeName=step["ChallengeName"],
            Session=step["Session"],
            ChallengeResponses={"USERNAME": "ann", **responses},
        )
    )


def mfa_pool(h: Harness, mode: str = "ON", **factors: Any) -> tuple[str, str]:
    pool_id = h.pool(EmailConfiguration=SES)
    h.call("setUserPoolMfaConfig", UserPoolId=pool_id, MfaConfiguration=mode, **factors)
    return pool_id, h.client(pool_id)


def totp_for(h: Harness, pool_id: str, username: str = "ann") -> pyotp.TOTP:
    """Associate and verify a software token through the access-token path; return the authenticator."""
    h.call("setUserPoolMfaConfig", UserPoolId=pool_id, MfaConfiguration="OFF")
    client_id = next(iter(h.directory.pools[pool_id].clients))
    h.call(
        "setUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    access = h.sign_in(pool_id, client_id, username)["AccessToken"]
    secret = h.call("associateSoftwareToken", AccessToken=access)["SecretCode"]
    authenticator = pyotp.TOTP(secret)
    result = h.call("verifySoftwareToken", AccessToken=access, UserCode=authenticator.at(h.clock.now()))
    assert result == {"Status": "SUCCESS"}
    h.call(
        "setUserMFAPreference",
        AccessToken=access,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    return authenticator


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"MfaConfiguration": "ON"},
            "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
        ),
        (
            {"MfaConfiguration": "OFF", "SoftwareTokenMfaConfiguration": {"Enabled": True}},
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
        ),
        ({"MfaConfiguration": "ON", "SmsMfaConfiguration": {}}, "SMS MFA needs an SmsConfiguration"),
    ],
)
def test_set_user_pool_mfa_config_rules(h: Harness, params: dict[str, Any], message: str) -> None:
    pool_id = h.pool()
    assert message in h.fails(
        "setUserPoolMfaConfig", "InvalidParameterException", UserPoolId=pool_id, **params
    )


def test_email_mfa_needs_ses(h: Harness) -> None:
    pool_id = h.pool()
    message = h.fails(
        "setUserPoolMfaConfig",
        "InvalidParameterException",
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Sign in"},
    )
    assert "EmailSendingAccount DEVELOPER" in message


def test_create_user_pool_with_mfa_on_needs_sms_and_phone_verification(h: Harness) -> None:
    message = h.fails("createUserPool", "InvalidParameterException", PoolName="p", MfaConfiguration="ON")
    assert message == (
        "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
    )
    pool = h.call(
        "createUserPool",
        PoolName="p",
        MfaConfiguration="OPTIONAL",
        SmsConfiguration=SMS_CONFIG,
        AutoVerifiedAttributes=["phone_number"],
        SmsAuthenticationMessage="Sign-in code {####}",
    )["UserPool"]
    assert pool["MfaConfiguration"] == "OPTIONAL"
    config = h.call("getUserPoolMfaConfig", UserPoolId=pool["Id"])
    assert config == {
        "SmsMfaConfiguration": {
            "SmsAuthenticationMessage": "Sign-in code {####}",
            "SmsConfiguration": SMS_CONFIG,
        },
        "SoftwareTokenMfaConfiguration": {"Enabled": False},
        "MfaConfiguration": "OPTIONAL",
    }


def test_get_and_set_user_pool_mfa_config_round_trip(h: Harness) -> None:
    pool_id = h.pool(EmailConfiguration=SES)
    assert h.call("getUserPoolMfaConfig", UserPoolId=pool_id) == {
        "SoftwareTokenMfaConfiguration": {"Enabled": False},
        "MfaConfiguration": "OFF",
    }
    result = h.call(
        "setUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code: {####}", "Subject": "Sign-in code"},
    )
    assert result == h.call("getUserPoolMfaConfig", UserPoolId=pool_id)
    assert result["EmailMfaConfiguration"] == {"Message": "Your code: {####}", "Subject": "Sign-in code"}
    assert h.call("describeUserPool", UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OPTIONAL"


def test_totp_setup_with_an_access_token_then_software_token_challenge(h: Harness) -> None:
    pool_id, client_id = mfa_pool(h, "OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True})
    h.user(pool_id, "ann")
    authenticator = totp_for(h, pool_id)
    user = h.call("adminGetUser", UserPoolId=pool_id, Username="ann")
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    h.clock.advance(60)
    step = auth(h, pool_id, client_id)
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in step
    wrong = h.fails(
        "adminRespondToAuthChallenge",
        "CodeMismatchException",
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": "000000"},
    )
    assert wrong == "Invalid code or auth state for the user."
    code = authenticator.at(h.clock.now())
    done = answer(h, pool_id, client_id, step, SOFTWARE_TOKEN_MFA_CODE=code)
    assert "AccessToken" in done["AuthenticationResult"]
    again = auth(h, pool_id, client_id)
    replay = h.fails(
        "adminRespondToAuthChallenge",
        "CodeMismatchException",
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=again["Session"],
        ChallengeResponses={"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": code},
    )
    assert replay == "Invalid code or auth state for the user."


def test_verify_software_token_with_a_wrong_code(h: Harness) -> None:
    pool_id, client_id = mfa_pool(h, "OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True})
    h.user(pool_id, "ann")
    access = h.sign_in(pool_id, client_id, "ann")["AccessToken"]
    h.fails("verifySoftwareToken", "SoftwareTokenMFANotFoundException", AccessToken=access, UserCode="123456")
    h.call("associateSoftwareToken", AccessToken=access)
    message = h.fails(
        "verifySoftwareToken", "EnableSoftwareTokenMFAException", AccessToken=access, UserCode="123456"
    )
    assert message == "Code mismatch and fail enable Software Token MFA"
    refused = h.fails(
        "setUserMFAPreference",
        "InvalidParameterException",
        AccessToken=access,
        SoftwareTokenMfaSettings={"Enabled": True},
    )
    assert refused == "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"


def test_mfa_setup_challenge_when_mfa_is_required_and_only_totp_is_allowed(h: Harness) -> None:
    pool_id, client_id = mfa_pool(h, "ON", SoftwareTokenMfaConfiguration={"Enabled": True})
    h.user(pool_id, "ann")
    step = auth(h, pool_id, client_id)
    assert step["ChallengeName"] == "MFA_SETUP"
    assert json.loads(step["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    associated = h.call("associateSoftwareToken", Session=step["Session"])
    authenticator = pyotp.TOTP(associated["SecretCode"])
    code = authenticator.at(h.clock.now())
    verified = h.call("verifySoftwareToken", Session=associated["Session"], UserCode=code)
    assert verified["Status"] == "SUCCESS"
    done = answer(h, pool_id, client_id, {"ChallengeName": "MFA_SETUP", "Session": verified["Session"]})
    assert "IdToken" in done["AuthenticationResult"]
    h.clock.advance(90)
    next_time = auth(h, pool_id, client_id)
    assert next_time["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert (
        "AccessToken"
        in answer(h, pool_id, client_id, next_time, SOFTWARE_TOKEN_MFA_CODE=authenticator.at(h.clock.now()))[
            "AuthenticationResult"
        ]
    )


def test_sms_mfa_code_goes_to_the_outbox(h: Harness) -> None:
    pool_id = h.call(
        "createUserPool",
        PoolName="p",
        MfaConfiguration="ON",
        SmsConfiguration=SMS_CONFIG,
        AutoVerifiedAttributes=["phone_number"],
    )["UserPool"]["Id"]
    client_id = h.client(pool_id)
    h.user(pool_id, "ann", phone_number="+14325551212")
    step = auth(h, pool_id, client_id)
    assert step["ChallengeName"] == "SMS_MFA"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert step["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******1212"
    sent = h.directory.codes[-1]
    assert sent.purpose == "Authentication"
    assert sent.message == f"Your authentication code is {sent.code}. "
    done = answer(h, pool_id, client_id, step, SMS_MFA_CODE=sent.code)
    assert "AccessToken" in done["AuthenticationResult"]


def test_email_otp_and_select_mfa_type(h: Harness) -> None:
    pool_id, client_id = mfa_pool(
        h,
        "OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Sign in with {####}", "Subject": "Your code"},
    )
    h.user(pool_id, "ann", email="ann@example.com")
    authenticator = totp_for(h, pool_id)
    h.call(
        "setUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Sign in with {####}", "Subject": "Your code"},
    )
    h.call(
        "adminSetUserMFAPreference",
        UserPoolId=pool_id,
        Username="ann",
        EmailMfaSettings={"Enabled": True},
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
    )
    step = auth(h, pool_id, client_id)
    assert step["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(step["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
    email_step = answer(h, pool_id, client_id, step, ANSWER="EMAIL_OTP")
    assert email_step["ChallengeName"] == "EMAIL_OTP"
    sent = h.directory.codes[-1]
    assert (sent.medium, sent.message, sent.subject) == ("EMAIL", f"Sign in with {sent.code}", "Your code")
    assert (
        "AccessToken"
        in answer(h, pool_id, client_id, email_step, EMAIL_OTP_CODE=sent.code)["AuthenticationResult"]
    )
    h.clock.advance(60)
    step = auth(h, pool_id, client_id)
    totp_step = answer(h, pool_id, client_id, step, ANSWER="SOFTWARE_TOKEN_MFA")
    assert totp_step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    code = authenticator.at(h.clock.now())
    assert (
        "AccessToken"
        in answer(h, pool_id, client_id, totp_step, SOFTWARE_TOKEN_MFA_CODE=code)["AuthenticationResult"]
    )


def test_optional_mfa_asks_only_users_with_a_factor(h: Harness) -> None:
    pool_id, client_id = mfa_pool(h, "OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True})
    h.user(pool_id, "ann")
    assert "AuthenticationResult" in auth(h, pool_id, client_id)


def test_required_mfa_without_any_usable_factor(h: Harness) -> None:
    pool_id = h.call(
        "createUserPool",
        PoolName="p",
        MfaConfiguration="ON",
        SmsConfiguration=SMS_CONFIG,
        AutoVerifiedAttributes=["phone_number"],
    )["UserPool"]["Id"]
    client_id = h.client(pool_id)
    h.user(pool_id, "ann")
    h.auth_fails(pool_id, client_id, "ann", PASSWORD, "MFAMethodNotFoundException")


def test_mfa_follows_the_new_password_challenge(h: Harness) -> None:
    pool_id, client_id = mfa_pool(h, "ON", SoftwareTokenMfaConfiguration={"Enabled": True})
    h.call("adminCreateUser", UserPoolId=pool_id, Username="ann", TemporaryPassword="Temp-Passw0rd!")
    step = h.call(
        "adminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": "Temp-Passw0rd!"},
    )
    assert step["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    after = answer(h, pool_id, client_id, step, NEW_PASSWORD=PASSWORD)
    assert after["ChallengeName"] == "MFA_SETUP"


def test_wrong_mfa_codes_lock_the_user_out(h: Harness) -> None:
    """Five wrong MFA codes start Cognito's lockout, as five wrong passwords do."""
    pool_id, client_id = mfa_pool(h, "OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True})
    h.user(pool_id, "ann")
    authenticator = totp_for(h, pool_id)
    for _ in range(5):
        step = auth(h, pool_id, client_id)
        h.fails(
            "adminRespondToAuthChallenge",
            "CodeMismatchException",
            UserPoolId=pool_id,
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=step["Session"],
            ChallengeResponses={"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": "000000"},
        )
    step_message = h.auth_fails(pool_id, client_id, "ann", PASSWORD)
    assert step_message == "Password attempts exceeded"
    h.clock.advance(2)
    step = auth(h, pool_id, client_id)
    h.clock.advance(30)
    assert (
        "AccessToken"
        in answer(h, pool_id, client_id, step, SOFTWARE_TOKEN_MFA_CODE=authenticator.at(h.clock.now()))[
            "AuthenticationResult"
        ]
    )


def test_sms_preference_needs_a_phone_number() -> None:
    h = make_harness()
    pool_id = h.pool()
    h.user(pool_id, "ann")
    message = h.fails(
        "adminSetUserMFAPreference",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="ann",
        SMSMfaSettings={"Enabled": True},
    )
    assert message == "User does not have delivery config set to turn on SMS_MFA"
