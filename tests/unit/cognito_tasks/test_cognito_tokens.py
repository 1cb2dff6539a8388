"""Tokens: RS256 signatures verified with PyJWT against the pool's JWKS, and every Cognito claim."""

from __future__ import annotations

import base64
import re
from typing import Any

import jwt
import pytest
from cognito_harness import PASSWORD, Harness, make_harness

from cognito_tasks import tokens


@pytest.fixture
def live() -> Harness:
    """A harness whose clock starts now, so PyJWT's own `exp`/`iat` checks apply."""
    return make_harness(start=None)


def setup(h: Harness, **client: Any) -> tuple[str, str]:
    pool_id = h.pool(Schema=[{"Name": "tier", "AttributeDataType": "String"}])
    client_id = h.client(pool_id, **client)
    h.user(
        pool_id,
        "tess",
        email="tess@example.com",
        email_verified="true",
        phone_number="+14325551212",
        phone_number_verified="false",
        given_name="Tess",
        updated_at="1700000000",
        **{"custom:tier": "gold"},
    )
    return pool_id, client_id


def verify(h: Harness, pool_id: str, token: str, **kwargs: Any) -> dict[str, Any]:
    jwks = h.directory.jwks(pool_id)
    kid = jwt.get_unverified_header(token)["kid"]
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == kid]
    key = jwt.PyJWK(jwk)
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    return dict(jwt.decode(token, key=key, algorithms=["RS256"], issuer=issuer, **kwargs))


def test_jwks_has_two_rsa_keys(h: Harness) -> None:
    pool_id = h.pool()
    jwks = h.directory.jwks(pool_id)
    assert len(jwks["keys"]) == 2
    first, second = jwks["keys"]
    assert first["kid"] != second["kid"]
    for key in jwks["keys"]:
        assert set(key) == {"alg", "e", "kid", "kty", "n", "use"}
        assert (key["alg"], key["kty"], key["use"], key["e"]) == ("RS256", "RSA", "sig", "AQAB")
        assert len(base64.b64decode(key["kid"])) == 32
        assert len(base64.urlsafe_b64decode(key["n"] + "==")) == 256
    assert h.directory.jwks(pool_id) == jwks


def test_pools_have_their_own_keys_and_keys_are_lazy(h: Harness) -> None:
    one, two = h.pool(), h.pool()
    assert h.directory.pools[one].keys is None
    assert h.directory.jwks(one) != h.directory.jwks(two)


def test_id_token_claims(live: Harness) -> None:
    pool_id, client_id = setup(live)
    live.call(
        "createGroup",
        UserPoolId=pool_id,
        GroupName="admins",
        Precedence=2,
        RoleArn="arn:aws:iam::123456789012:role/admin",
    )
    live.call(
        "createGroup",
        UserPoolId=pool_id,
        GroupName="staff",
        Precedence=1,
        RoleArn="arn:aws:iam::123456789012:role/staff",
    )
    live.call("createGroup", UserPoolId=pool_id, GroupName="plain")
    for group in ("admins", "staff", "plain"):
        live.call("adminAddUserToGroup", UserPoolId=pool_id, Username="tess", GroupName=group)
    tokens_ = live.sign_in(pool_id, client_id, "tess")
    header = jwt.get_unverified_header(tokens_["IdToken"])
    assert header["alg"] == "RS256"
    claims = verify(live, pool_id, tokens_["IdToken"], audience=client_id)
    sub = live.directory.pools[pool_id].users["tess"].sub
    now = int(live.clock.now())
    assert claims == {
        "sub": sub,
        "cognito:groups": ["admins", "staff", "plain"],
        "cognito:roles": ["arn:aws:iam::123456789012:role/admin", "arn:aws:iam::123456789012:role/staff"],
        "cognito:preferred_role": "arn:aws:iam::123456789012:role/staff",
        "email": "tess@example.com",
        "email_verified": True,
        "phone_number": "+14325551212",
        "phone_number_verified": False,
        "given_name": "Tess",
        "updated_at": 1700000000,
        "custom:tier": "gold",
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
        "cognito:username": "tess",
        "origin_jti": claims["origin_jti"],
        "aud": client_id,
        "event_id": claims["event_id"],
        "token_use": "id",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": claims["jti"],
    }
    for name in ("origin_jti", "event_id", "jti"):
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", claims[name]
        )


def test_access_token_claims(live: Harness) -> None:
    pool_id, client_id = setup(live)
    live.call("createGroup", UserPoolId=pool_id, GroupName="admins")
    live.call("adminAddUserToGroup", UserPoolId=pool_id, Username="tess", GroupName="admins")
    result = live.sign_in(pool_id, client_id, "tess")
    access = verify(live, pool_id, result["AccessToken"])
    id_claims = verify(live, pool_id, result["IdToken"], audience=client_id)
    now = int(live.clock.now())
    assert access == {
        "sub": id_claims["sub"],
        "cognito:groups": ["admins"],
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
        "client_id": client_id,
        "origin_jti": id_claims["origin_jti"],
        "event_id": id_claims["event_id"],
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": access["jti"],
        "username": "tess",
    }
    assert access["jti"] != id_claims["jti"]
    assert "aud" not in access
    assert (
        jwt.get_unverified_header(result["AccessToken"])["kid"]
        != jwt.get_unverified_header(result["IdToken"])["kid"]
    )


def test_token_signed_with_the_other_key_does_not_verify(live: Harness) -> None:
    pool_id, client_id = setup(live)
    result = live.sign_in(pool_id, client_id, "tess")
    keys = live.directory.jwks(pool_id)["keys"]
    access_kid = jwt.get_unverified_header(result["AccessToken"])["kid"]
    (id_jwk,) = [k for k in keys if k["kid"] != access_kid]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(result["AccessToken"], key=jwt.PyJWK(id_jwk), algorithms=["RS256"])


def test_no_groups_claim_without_groups_and_read_attributes(live: Harness) -> None:
    pool_id, client_id = setup(
        live,
        ReadAttributes=["email", "custom:tier"],
        AccessTokenValidity=10,
        IdTokenValidity=20,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes"},
    )
    result = live.sign_in(pool_id, client_id, "tess")
    assert result["ExpiresIn"] == 600
    id_claims = verify(live, pool_id, result["IdToken"], audience=client_id)
    access = verify(live, pool_id, result["AccessToken"])
    assert "cognito:groups" not in id_claims
    assert "cognito:groups" not in access
    assert {
        k for k in id_claims if k in ("email", "email_verified", "custom:tier", "given_name", "phone_number")
    } == {"email", "custom:tier"}
    assert id_claims["exp"] - id_claims["iat"] == 1200
    assert access["exp"] - access["iat"] == 600


def test_email_username_pool_tokens(live: Harness) -> None:
    pool_id = live.pool(UsernameAttributes=["email"])
    client_id = live.client(pool_id)
    live.call("adminCreateUser", UserPoolId=pool_id, Username="e@example.com", MessageAction="SUPPRESS")
    live.call(
        "adminSetUserPassword",
        UserPoolId=pool_id,
        Username="e@example.com",
        Password=PASSWORD,
        Permanent=True,
    )
    result = live.sign_in(pool_id, client_id, "e@example.com")
    id_claims = verify(live, pool_id, result["IdToken"], audience=client_id)
    assert id_claims["cognito:username"] == id_claims["sub"]
    assert id_claims["email"] == "e@example.com"
    assert verify(live, pool_id, result["AccessToken"])["username"] == id_claims["sub"]


def test_region_in_issuer() -> None:
    h = make_harness(region="eu-west-2")
    pool_id = h.pool()
    assert pool_id.startswith("eu-west-2_")
    client_id = h.client(pool_id)
    h.user(pool_id, "u")
    token = h.sign_in(pool_id, client_id, "u")["AccessToken"]
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == (
        f"https://cognito-idp.eu-west-2.amazonaws.com/{pool_id}"
    )


def test_signing_key_pem_round_trip() -> None:
    key = tokens.SigningKey(tokens.generate_private_pem())
    again = tokens.SigningKey(key.private_pem)
    assert again.kid == key.kid
    assert again.jwk() == key.jwk()
    signed = tokens.sign({"a": 1}, key)
    assert tokens.verify(signed, again) == {"a": 1}
    assert tokens.verify(signed + "x", again) is None
    assert tokens.unverified_claims("not a token") is None
