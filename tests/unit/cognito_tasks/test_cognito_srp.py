"""USER_SRP_AUTH and PASSWORD_VERIFIER, checked against pycognito's real SRP client (AWSSRP).

pycognito's `AWSSRP` talks to a boto3-like client; here its `initiate_auth` and
`respond_to_auth_challenge` call our actions in-process (`cognito_tasks.api`). The fixed vector
below was computed by pycognito's client math, an implementation independent of ours.
"""

from __future__ import annotations

from typing import Any

import pytest
from cognito_harness import PASSWORD, Harness
from pycognito import aws_srp
from pycognito.exceptions import ForceChangePasswordException

from cognito_tasks import api, errors, srp, wire

POOL = "us-east-1_AbCdEf123"


class InProcessClient:
    """The two boto3 `cognito-idp` methods AWSSRP calls, answered by our actions."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.calls: list[str] = []

    def _call(self, name: str, request: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(name)
        response = api.call(self.h.directory, name, request, self.h.clock.now())
        return dict(wire.render(response, "epoch"))

    def initiate_auth(self, **request: Any) -> dict[str, Any]:
        return self._call("InitiateAuth", request)

    def respond_to_auth_challenge(self, **request: Any) -> dict[str, Any]:
        return self._call("RespondToAuthChallenge", request)


def test_fixed_vector_matches_pycognito_math() -> None:
    salt = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    a = int("1234567890abcdef" * 8, 16)
    b = int("fedcba0987654321" * 8, 16)
    verifier = srp.verifier(POOL, "alice", "Passw0rd!", salt)
    assert verifier.startswith("cc15075c25ae97db0f3e495added3c8c")
    big_a = pow(srp.G, a, srp.N)
    assert format(big_a, "x").startswith("43d2d516d47d976aed28d722e636337f")
    assert format(srp.server_public(verifier, b), "x").startswith("397d110acdf305a9e71115811e64fd2e")
    key = srp.server_key(big_a, b, verifier)
    assert key is not None
    assert key.hex() == "160a87cb8c2696190737993565fc7083"
    block = "c2VjcmV0LWJsb2Nr"
    stamp = "Tue Sep 5 08:09:40 UTC 2023"
    assert srp.signature(key, POOL, "alice", block, stamp) == "v6lRsFsf27j/X5DkGw2EIhuz4/XKU1Vw6x5r3fncNwU="


@pytest.mark.parametrize("value", [0, 1, 0x80, 0xFF00, srp.N])
def test_pad_hex_is_cognitos(value: int) -> None:
    assert srp.pad_hex(value) == aws_srp.pad_hex(value)


@pytest.mark.parametrize(
    ("stamp", "ok"),
    [
        ("Tue Sep 5 08:09:40 UTC 2023", True),
        ("Tue Sep 15 08:09:40 UTC 2023", True),
        ("Tue Sep 05 08:09:40 UTC 2023", False),
        ("2023-09-05T08:09:40Z", False),
    ],
)
def test_timestamp_format(stamp: str, ok: bool) -> None:
    assert srp.valid_timestamp(stamp) is ok


@pytest.fixture
def srp_pool(h: Harness) -> tuple[str, str]:
    pool_id = h.pool()
    client_id = h.client(pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    return pool_id, client_id


def test_pycognito_signs_in_with_srp(h: Harness, srp_pool: tuple[str, str]) -> None:
    pool_id, client_id = srp_pool
    h.user(pool_id, "alice")
    client = InProcessClient(h)
    result = aws_srp.AWSSRP("alice", PASSWORD, pool_id, client_id, client=client).authenticate_user()
    assert client.calls == ["InitiateAuth", "RespondToAuthChallenge"]
    tokens = result["AuthenticationResult"]
    assert h.call("getUser", AccessToken=tokens["AccessToken"])["Username"] == "alice"


def test_pycognito_with_a_client_secret(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(
        pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], GenerateSecret=True
    )
    secret = h.directory.pools[pool_id].clients[client_id].secret
    h.user(pool_id, "alice")
    srp_client = aws_srp.AWSSRP(
        "alice", PASSWORD, pool_id, client_id, client=InProcessClient(h), client_secret=secret
    )
    assert "IdToken" in srp_client.authenticate_user()["AuthenticationResult"]


def test_wrong_password_is_refused(h: Harness, srp_pool: tuple[str, str]) -> None:
    pool_id, client_id = srp_pool
    h.user(pool_id, "alice")
    with pytest.raises(errors.NotAuthorizedException, match="Incorrect username or password"):
        aws_srp.AWSSRP(
            "alice", "Wrong-Passw0rd!", pool_id, client_id, client=InProcessClient(h)
        ).authenticate_user()


def test_email_username_pool_uses_the_internal_username(h: Harness) -> None:
    pool_id = h.pool(UsernameAttributes=["email"])
    client_id = h.client(pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    created = h.user(pool_id, "ann@example.com")
    client = InProcessClient(h)
    first = client.initiate_auth(
        AuthFlow="USER_SRP_AUTH",
        ClientId=client_id,
        AuthParameters={"USERNAME": "ann@example.com", "SRP_A": "ab"},
    )
    assert first["ChallengeParameters"]["USER_ID_FOR_SRP"] == created["Username"]
    result = aws_srp.AWSSRP(
        "ann@example.com", PASSWORD, pool_id, client_id, client=client
    ).authenticate_user()
    assert "AccessToken" in result["AuthenticationResult"]


def test_new_password_required_through_srp(h: Harness, srp_pool: tuple[str, str]) -> None:
    pool_id, client_id = srp_pool
    h.call("adminCreateUser", UserPoolId=pool_id, Username="alice", TemporaryPassword="Temp-Passw0rd!")
    srp_client = aws_srp.AWSSRP("alice", "Temp-Passw0rd!", pool_id, client_id, client=InProcessClient(h))
    with pytest.raises(ForceChangePasswordException):
        srp_client.authenticate_user()
    srp_client = aws_srp.AWSSRP("alice", "Temp-Passw0rd!", pool_id, client_id, client=InProcessClient(h))
    result = srp_client.set_new_password_challenge(PASSWORD)
    assert "AccessToken" in result["AuthenticationResult"]
    again = aws_srp.AWSSRP(
        "alice", PASSWORD, pool_id, client_id, client=InProcessClient(h)
    ).authenticate_user()
    assert "AccessToken" in again["AuthenticationResult"]


def test_unknown_user_with_prevent_user_existence_errors_looks_like_a_wrong_password(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(
        pool_id,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )
    with pytest.raises(errors.NotAuthorizedException, match="Incorrect username or password"):
        aws_srp.AWSSRP("nobody", PASSWORD, pool_id, client_id, client=InProcessClient(h)).authenticate_user()
    legacy = h.client(pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(errors.UserNotFoundException):
        aws_srp.AWSSRP("nobody", PASSWORD, pool_id, legacy, client=InProcessClient(h)).authenticate_user()


def test_a_proof_cannot_be_replayed_or_forged(h: Harness, srp_pool: tuple[str, str]) -> None:
    pool_id, client_id = srp_pool
    h.user(pool_id, "alice")
    client = InProcessClient(h)
    helper = aws_srp.AWSSRP("alice", PASSWORD, pool_id, client_id, client=client)
    params = helper.get_auth_params()
    challenge = client.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client_id, AuthParameters=params)
    responses = helper.process_challenge(challenge["ChallengeParameters"], params)
    forged = dict(responses, PASSWORD_CLAIM_SIGNATURE="A" * 44)
    with pytest.raises(errors.NotAuthorizedException, match="Incorrect username or password"):
        client.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=forged
        )
    with pytest.raises(errors.NotAuthorizedException, match="Invalid session"):
        client.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
        )


def test_srp_as_a_workflow_task(h: Harness, srp_pool: tuple[str, str]) -> None:
    """The same exchange through the Task integration (what a state machine would do)."""
    pool_id, client_id = srp_pool
    h.user(pool_id, "alice")
    helper = aws_srp.AWSSRP("alice", PASSWORD, pool_id, client_id, client=InProcessClient(h))
    params = helper.get_auth_params()
    challenge = h.call("initiateAuth", ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(challenge["ChallengeParameters"]) == {
        "SALT",
        "SECRET_BLOCK",
        "SRP_B",
        "USERNAME",
        "USER_ID_FOR_SRP",
    }
    responses = helper.process_challenge(challenge["ChallengeParameters"], params)
    done = h.call(
        "respondToAuthChallenge",
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=responses,
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_srp_then_software_token_mfa(h: Harness) -> None:
    import pyotp
    from pycognito.exceptions import SoftwareTokenMFAChallengeException

    pool_id = h.pool()
    client_id = h.client(pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    h.call(
        "setUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    h.user(pool_id, "alice")
    user = h.directory.pools[pool_id].users["alice"]
    user.mfa.totp_secret = pyotp.random_base32()
    user.mfa.totp_enabled = True
    client = InProcessClient(h)
    with pytest.raises(SoftwareTokenMFAChallengeException) as info:
        aws_srp.AWSSRP("alice", PASSWORD, pool_id, client_id, client=client).authenticate_user()
    step = info.value.get_tokens()
    done = client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=step["Session"],
        ChallengeResponses={
            "USERNAME": "alice",
            "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(user.mfa.totp_secret).at(h.clock.now()),
        },
    )
    assert "AccessToken" in done["AuthenticationResult"]
