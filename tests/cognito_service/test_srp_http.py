"""SRP over HTTP: pycognito (USER_SRP_AUTH, PASSWORD_VERIFIER, then SOFTWARE_TOKEN_MFA with pyotp codes)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from pycognito import Cognito
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from tests.cognito_service.conftest import PASSWORD, client, new_client, new_pool, new_user
from tests.server.conftest import Server, running


@pytest.fixture(scope="module")
def own_issuer() -> Iterator[Server]:
    """pycognito verifies tokens against `<pool_domain_url>/<pool>`: the server issuer makes that this server."""
    with running(server_issuer=True) as started:
        yield started


def _cognito(server: Server, pool_id: str, client_id: str, username: str) -> Cognito:
    user = Cognito(
        pool_id,
        client_id,
        username=username,
        boto3_client_kwargs={
            "endpoint_url": server.url,
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
            "region_name": "us-east-1",
        },
    )
    user.pool_domain_url = server.url  # JWKS and issuer: this server
    return user


def test_pycognito_signs_in_with_srp_and_verifies_the_tokens(own_issuer: Server) -> None:
    idp = client(own_issuer)
    pool_id = new_pool(idp)
    client_id = new_client(
        idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    new_user(idp, pool_id, "sri", email="sri@example.com")
    user = _cognito(own_issuer, pool_id, client_id, "sri")
    user.authenticate(password=PASSWORD)  # verifies signatures and the issuer against the served JWKS
    assert user.id_claims["email"] == "sri@example.com"
    assert user.access_claims["username"] == "sri"
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        _cognito(own_issuer, pool_id, client_id, "sri").authenticate(password="Wrong-passw0rd!")


def test_srp_then_a_totp_code(own_issuer: Server) -> None:
    idp: Any = client(own_issuer)
    pool_id = new_pool(idp)
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    client_id = new_client(idp, pool_id)
    new_user(idp, pool_id, "tom")
    user = _cognito(own_issuer, pool_id, client_id, "tom")
    user.authenticate(password=PASSWORD)
    secret = user.associate_software_token()
    totp = pyotp.TOTP(secret)
    assert user.verify_software_token(totp.now()) is True
    user.set_user_mfa_preference(sms_mfa=False, software_token_mfa=True, preferred="SOFTWARE_TOKEN")
    again = _cognito(own_issuer, pool_id, client_id, "tom")
    with pytest.raises(SoftwareTokenMFAChallengeException) as challenge:
        again.authenticate(password=PASSWORD)
    # The current step's code was accepted once already; the next step's is within the window.
    again.respond_to_software_token_mfa_challenge(totp.at(time.time() + 30), challenge.value.get_tokens())
    assert again.access_claims["username"] == "tom"
