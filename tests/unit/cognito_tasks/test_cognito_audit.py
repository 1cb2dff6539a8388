"""The discrepancies the audit of the directory found against AWS's API reference (issue 13, part 9),
the issuer setting, and brute-force limits (issue 17)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from cognito_harness import PASSWORD, Harness, make_harness

from cognito_tasks import ACTIONS, UserDirectory
from cognito_tasks.model import Group
from cognito_tasks.sessions import preferred_role

ROOT = Path(__file__).resolve().parents[3]


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


# -- PreventUserExistenceErrors [doc, "Managing user existence error responses"] -----------------------


def test_prevent_user_existence_errors_covers_recovery_and_resend(h: Harness) -> None:
    pool_id = h.pool()
    hidden = h.client(pool_id, PreventUserExistenceErrors="ENABLED")
    legacy = h.client(pool_id)
    forgot = h.call("forgotPassword", ClientId=hidden, Username="nobody@example.com")
    assert forgot["CodeDeliveryDetails"] == {
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
        "Destination": "n***@e***",
    }
    resent = h.call("resendConfirmationCode", ClientId=hidden, Username="nobody")
    assert resent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    h.fails(
        "confirmForgotPassword",
        "CodeMismatchException",
        ClientId=hidden,
        Username="nobody",
        ConfirmationCode="123456",
        Password=PASSWORD,
    )
    for action, extra in (
        ("forgotPassword", {}),
        ("resendConfirmationCode", {}),
        ("confirmForgotPassword", {"ConfirmationCode": "123456", "Password": PASSWORD}),
    ):
        h.fails(action, "UserNotFoundException", ClientId=legacy, Username="nobody", **extra)


# -- PasswordHistorySize [doc, PasswordPolicyType] -------------------------------------------------


def test_password_history_is_enforced(h: Harness) -> None:
    pool_id = h.pool(Policies={"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 2}})
    h.user(pool_id, "u")
    for reused in (PASSWORD,):
        message = h.fails(
            "adminSetUserPassword",
            "PasswordHistoryPolicyViolationException",
            UserPoolId=pool_id,
            Username="u",
            Password=reused,
            Permanent=True,
        )
        assert "used recently" in message
    h.call(
        "adminSetUserPassword", UserPoolId=pool_id, Username="u", Password="Second-Passw0rd", Permanent=True
    )
    h.fails(
        "adminSetUserPassword",
        "PasswordHistoryPolicyViolationException",
        UserPoolId=pool_id,
        Username="u",
        Password=PASSWORD,
        Permanent=True,
    )
    h.call(
        "adminSetUserPassword", UserPoolId=pool_id, Username="u", Password="Third-Passw0rd", Permanent=True
    )
    h.call("adminSetUserPassword", UserPoolId=pool_id, Username="u", Password=PASSWORD, Permanent=True)


def test_without_history_a_password_may_be_reused(h: Harness) -> None:
    pool_id = h.pool()
    h.user(pool_id, "u")
    h.call("adminSetUserPassword", UserPoolId=pool_id, Username="u", Password=PASSWORD, Permanent=True)


# -- TemporaryPasswordValidityDays 0 [doc: "treats it as a null value and sets ... default"] -----


def test_temporary_password_validity_zero_means_the_default(h: Harness) -> None:
    pool_id = h.pool(Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 0}})
    policy = h.call("describeUserPool", UserPoolId=pool_id)["UserPool"]["Policies"]["PasswordPolicy"]
    assert policy["TemporaryPasswordValidityDays"] == 7
    client_id = h.client(pool_id)
    h.call("adminCreateUser", UserPoolId=pool_id, Username="u", TemporaryPassword="Temp-Passw0rd!")
    h.clock.advance(8 * 86400)
    message = h.auth_fails(pool_id, client_id, "u", "Temp-Passw0rd!")
    assert message == "Temporary password has expired and must be reset by an administrator."


# -- cognito:preferred_role [doc, GroupType.Precedence] ----------------------------------------------


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ([(1, "arn:a"), (2, "arn:b")], "arn:a"),
        ([(1, "arn:a"), (1, "arn:b")], None),
        ([(1, "arn:a"), (1, "arn:a")], "arn:a"),
        ([(None, "arn:a"), (3, "arn:b")], "arn:b"),
        ([(None, "arn:a"), (None, "arn:b")], None),
        ([(0, None), (5, "arn:b")], "arn:b"),
    ],
)
def test_preferred_role(groups: list[tuple[int | None, str | None]], expected: str | None) -> None:
    made = [Group(f"g{i}", "p", 0, 0, role_arn=role, precedence=p) for i, (p, role) in enumerate(groups)]
    assert preferred_role(made) == expected


def test_tied_groups_leave_out_the_preferred_role_in_the_token(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "u")
    for name, role in (("a", "arn:aws:iam::1:role/a"), ("b", "arn:aws:iam::1:role/b")):
        h.call("createGroup", UserPoolId=pool_id, GroupName=name, RoleArn=role, Precedence=1)
        h.call("adminAddUserToGroup", UserPoolId=pool_id, Username="u", GroupName=name)
    identity = claims(h.sign_in(pool_id, client_id, "u")["IdToken"])
    assert identity["cognito:roles"] == ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"]
    assert "cognito:preferred_role" not in identity


# -- ListUsers AttributesToGet [doc, ListUsers] ------------------------------------------------------


def test_attributes_to_get_needs_every_user_to_have_the_attribute(h: Harness) -> None:
    pool_id = h.pool()
    h.user(pool_id, "a", email="a@example.com")
    h.user(pool_id, "b")
    message = h.fails("listUsers", "InvalidParameterException", UserPoolId=pool_id, AttributesToGet=["email"])
    assert "no value for the requested attribute email" in message
    only = h.call("listUsers", UserPoolId=pool_id, AttributesToGet=["email"], Filter='username = "a"')
    assert only["Users"][0]["Attributes"] == [{"Name": "email", "Value": "a@example.com"}]


# -- standard attribute lengths [doc, user pool attributes: 2048 characters] -------------------------


def test_standard_attributes_have_length_limits(h: Harness) -> None:
    pool_id = h.pool(
        Schema=[
            {"Name": "name", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "5"}}
        ]
    )
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="u",
        UserAttributes=[{"Name": "nickname", "Value": "n" * 2048}],
    )
    too_long = h.fails(
        "adminCreateUser",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="v",
        UserAttributes=[{"Name": "nickname", "Value": "n" * 2049}],
    )
    assert "Member must have length less than or equal to 2048" in too_long
    birthdate = h.fails(
        "adminCreateUser",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="w",
        UserAttributes=[{"Name": "birthdate", "Value": "1990"}],
    )
    assert "birthdate: String must be at least 10 characters long." in birthdate
    configured = h.fails(
        "adminUpdateUserAttributes",
        "InvalidParameterException",
        UserPoolId=pool_id,
        Username="u",
        UserAttributes=[{"Name": "name", "Value": "Annabel"}],
    )
    assert "name: String must be no longer than 5 characters." in configured


# -- GenerateSecret with ClientSecret [doc, CreateUserPoolClient.ClientSecret] ------------------------


def test_generate_secret_and_client_secret_together_are_refused(h: Harness) -> None:
    pool_id = h.pool()
    message = h.fails(
        "createUserPoolClient",
        "InvalidParameterException",
        UserPoolId=pool_id,
        ClientName="c",
        GenerateSecret=True,
        ClientSecret="s" * 32,
    )
    assert message == "You cannot specify both GenerateSecret as true and provide a ClientSecret value."


# -- email aliases and case [doc, UsernameConfigurationType] -----------------------------------------


@pytest.mark.parametrize(
    ("config", "found"), [({}, False), ({"UsernameConfiguration": {"CaseSensitive": False}}, True)]
)
def test_email_alias_case(h: Harness, config: dict[str, Any], found: bool) -> None:
    pool_id = h.pool(AliasAttributes=["email"], **config)
    client_id = h.client(pool_id)
    h.user(pool_id, "ann", email="Ann@Example.com", email_verified="true")
    if found:
        assert "AccessToken" in h.sign_in(pool_id, client_id, "ann@example.com")
    else:
        h.auth_fails(pool_id, client_id, "ann@example.com", PASSWORD, "UserNotFoundException")
        assert "AccessToken" in h.sign_in(pool_id, client_id, "Ann@Example.com")


# -- tokens: header, jti/origin_jti [doc, "Revoking tokens"] -----------------------------------------


@pytest.mark.parametrize("revocation", [True, False])
def test_header_and_revocation_claims(h: Harness, revocation: bool) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id, EnableTokenRevocation=revocation)
    h.user(pool_id, "u")
    tokens = h.sign_in(pool_id, client_id, "u")
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        assert set(header) == {"kid", "alg"}
        body = claims(token)
        assert ("jti" in body) is revocation
        assert ("origin_jti" in body) is revocation
    h.call("adminUserGlobalSignOut", UserPoolId=pool_id, Username="u")
    assert h.fails("getUser", "NotAuthorizedException", AccessToken=tokens["AccessToken"]) == (
        "Access Token has been revoked"
    )


# -- invitations [doc, AdminCreateUser.DesiredDeliveryMediums: "The default value is SMS"] ---------


def test_invitation_defaults_to_sms(h: Harness) -> None:
    pool_id = h.pool()
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="a",
        UserAttributes=[
            {"Name": "email", "Value": "a@example.com"},
            {"Name": "phone_number", "Value": "+14325551212"},
        ],
    )
    assert [(c.medium, c.destination) for c in h.directory.codes] == [("SMS", "+14325551212")]
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="b",
        UserAttributes=[{"Name": "email", "Value": "b@example.com"}],
    )
    assert h.directory.codes[-1].medium is None
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="c",
        UserAttributes=[
            {"Name": "email", "Value": "c@example.com"},
            {"Name": "phone_number", "Value": "+14325551213"},
        ],
        DesiredDeliveryMediums=["EMAIL", "SMS"],
    )
    assert [c.medium for c in h.directory.codes[-2:]] == ["EMAIL", "SMS"]


# -- README ------------------------------------------------------------------------------------------


def test_readme_counts_the_actions() -> None:
    text = (ROOT / "README.md").read_text()
    assert f"{len(ACTIONS)} actions" in text


# -- issuer setting ----------------------------------------------------------------------------------


def test_issuer_is_aws_by_default_and_can_be_overridden() -> None:
    h = make_harness()
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "u")
    assert claims(h.sign_in(pool_id, client_id, "u")["IdToken"])["iss"] == (
        f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    )
    h.directory.issuer_base = "http://localhost:9229/"
    tokens = h.sign_in(pool_id, client_id, "u")
    assert claims(tokens["AccessToken"])["iss"] == f"http://localhost:9229/{pool_id}"
    assert h.call("getUser", AccessToken=tokens["AccessToken"])["Username"] == "u"
    assert UserDirectory(issuer_base="http://x").issuer_base == "http://x"


# -- brute force [doc, authentication lockout; recovering accounts] ---------------------------------


def test_wrong_passwords_lock_the_user_out_exponentially(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "u")

    def attempt(password: str) -> str:
        return h.auth_fails(pool_id, client_id, "u", password)

    for _ in range(5):
        assert attempt("Wrong-1") == "Incorrect username or password."
    assert attempt(PASSWORD) == "Password attempts exceeded"
    h.clock.advance(1)
    assert attempt("Wrong-1") == "Incorrect username or password."
    assert attempt("Wrong-1") == "Password attempts exceeded"
    h.clock.advance(2)
    assert attempt("Wrong-1") == "Incorrect username or password."
    h.clock.advance(4)
    assert "AccessToken" in h.sign_in(pool_id, client_id, "u")
    assert attempt("Wrong-1") == "Incorrect username or password."


def test_two_thousand_guesses_never_sign_in(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "u")
    outcomes = set()
    for i in range(2000):
        h.clock.advance(0.002)
        outcomes.add(
            h.fails(
                "adminInitiateAuth",
                "NotAuthorizedException",
                UserPoolId=pool_id,
                ClientId=client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "u", "PASSWORD": f"Guess-{i}"},
            )
        )
    assert outcomes == {"Incorrect username or password.", "Password attempts exceeded"}
    h.auth_fails(pool_id, client_id, "u", PASSWORD)


def test_reset_codes_are_limited_per_hour(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "u", email="u@example.com", email_verified="true")
    h.call("forgotPassword", ClientId=client_id, Username="u")
    guesses = [
        h.fails(
            "confirmForgotPassword",
            "CodeMismatchException",
            ClientId=client_id,
            Username="u",
            ConfirmationCode=f"{i:06d}",
            Password="N3w-Passw0rd!",
        )
        for i in range(4)
        if f"{i:06d}" != h.directory.latest_code(pool_id, "u", "ForgotPassword")
    ]
    assert len(guesses) >= 3
    code = h.directory.latest_code(pool_id, "u", "ForgotPassword")
    message = h.fails(
        "confirmForgotPassword",
        "LimitExceededException",
        ClientId=client_id,
        Username="u",
        ConfirmationCode=code,
        Password="N3w-Passw0rd!",
    )
    assert message == "Attempt limit exceeded, please try after some time."
    h.clock.advance(3601)
    h.call("forgotPassword", ClientId=client_id, Username="u")
    code = h.directory.latest_code(pool_id, "u", "ForgotPassword")
    h.call(
        "confirmForgotPassword",
        ClientId=client_id,
        Username="u",
        ConfirmationCode=code,
        Password="N3w-Passw0rd!",
    )


def test_wrong_previous_passwords_are_limited(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "u")
    access = h.sign_in(pool_id, client_id, "u")["AccessToken"]
    for _ in range(5):
        h.fails(
            "changePassword",
            "NotAuthorizedException",
            AccessToken=access,
            PreviousPassword="x",
            ProposedPassword="N3w-Passw0rd!",
        )
    h.fails(
        "changePassword",
        "LimitExceededException",
        AccessToken=access,
        PreviousPassword=PASSWORD,
        ProposedPassword="N3w-Passw0rd!",
    )
