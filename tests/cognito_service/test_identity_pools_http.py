"""Identity pools through boto3's cognito-identity client: identities, roles, fake credentials, refused tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.cognito_service.conftest import client, new_client, new_pool, new_user, sign_in
from tests.server.conftest import Server

AUTH_ROLE = "arn:aws:iam::123456789012:role/signed-in"
GUEST_ROLE = "arn:aws:iam::123456789012:role/guest"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/admins"


@pytest.fixture(scope="module")
def identity(server: Server) -> Any:
    return client(server, "cognito-identity")


@pytest.fixture(scope="module")
def world(idp: Any, identity: Any) -> dict[str, str]:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    identity_pool = identity.create_identity_pool(
        IdentityPoolName="app",
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id}],
    )["IdentityPoolId"]
    identity.set_identity_pool_roles(
        IdentityPoolId=identity_pool, Roles={"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE}
    )
    return {"pool": pool_id, "client": client_id, "provider": provider, "identity_pool": identity_pool}


def test_an_unauthenticated_identity_gets_the_guest_role(
    server: Server, identity: Any, world: dict[str, str]
) -> None:
    anonymous = client(server, "cognito-identity", signed=False)
    identity_id = anonymous.get_id(IdentityPoolId=world["identity_pool"])["IdentityId"]
    assert identity_id.startswith("us-east-1:")
    answer = anonymous.get_credentials_for_identity(IdentityId=identity_id)
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIALOCAL")
    assert len(credentials["AccessKeyId"]) == 20
    assert credentials["SecretKey"].startswith("local-fake")
    assert credentials["Expiration"].timestamp() > time.time() + 3000
    session = json.loads(base64.urlsafe_b64decode(credentials["SessionToken"].split("/", 1)[1]))
    assert session == {"identity": identity_id, "role": GUEST_ROLE}


def test_a_signed_in_user_keeps_one_identity_and_gets_the_authenticated_role(
    idp: Any, identity: Any, world: dict[str, str]
) -> None:
    new_user(idp, world["pool"], "ida")
    logins = {world["provider"]: sign_in(idp, world["pool"], world["client"], "ida")["IdToken"]}
    first = identity.get_id(IdentityPoolId=world["identity_pool"], Logins=logins)["IdentityId"]
    again = {world["provider"]: sign_in(idp, world["pool"], world["client"], "ida")["IdToken"]}
    assert identity.get_id(IdentityPoolId=world["identity_pool"], Logins=again)["IdentityId"] == first
    credentials = identity.get_credentials_for_identity(IdentityId=first, Logins=again)["Credentials"]
    assert (
        json.loads(base64.urlsafe_b64decode(credentials["SessionToken"].split("/", 1)[1]))["role"]
        == AUTH_ROLE
    )
    described = identity.describe_identity(IdentityId=first)
    assert described["Logins"] == [world["provider"]]
    token = identity.get_open_id_token(IdentityId=first, Logins=again)["Token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["sub"], claims["aud"], claims["iss"]) == (
        first,
        world["identity_pool"],
        "https://cognito-identity.amazonaws.com",
    )
    with pytest.raises(identity.exceptions.NotAuthorizedException, match="Logins don't match"):
        identity.get_credentials_for_identity(IdentityId=first)


def test_the_preferred_role_and_rules_choose_the_role(idp: Any, identity: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    idp.create_group(UserPoolId=pool_id, GroupName="admins", RoleArn=ADMIN_ROLE, Precedence=1)
    new_user(idp, pool_id, "root", email="root@corp.example")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="root", GroupName="admins")
    new_user(idp, pool_id, "guest", email="guest@else.example")
    pool = identity.create_identity_pool(
        IdentityPoolName="roles",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id}],
    )["IdentityPoolId"]

    def role_of(username: str) -> str:
        logins = {provider: sign_in(idp, pool_id, client_id, username)["IdToken"]}
        identity_id = identity.get_id(IdentityPoolId=pool, Logins=logins)["IdentityId"]
        token = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"][
            "SessionToken"
        ]
        role: str = json.loads(base64.urlsafe_b64decode(token.split("/", 1)[1]))["role"]
        return role

    token_mapping = {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}
    identity.set_identity_pool_roles(
        IdentityPoolId=pool, Roles={"authenticated": AUTH_ROLE}, RoleMappings={provider: token_mapping}
    )
    assert role_of("root") == ADMIN_ROLE  # cognito:preferred_role
    assert role_of("guest") == AUTH_ROLE
    rules = {
        "Type": "Rules",
        "AmbiguousRoleResolution": "Deny",
        "RulesConfiguration": {
            "Rules": [
                {"Claim": "email", "MatchType": "Contains", "Value": "@corp.example", "RoleARN": ADMIN_ROLE}
            ]
        },
    }
    identity.set_identity_pool_roles(
        IdentityPoolId=pool, Roles={"authenticated": AUTH_ROLE}, RoleMappings={provider: rules}
    )
    assert role_of("root") == ADMIN_ROLE
    with pytest.raises(identity.exceptions.NotAuthorizedException, match="AmbiguousRoleResolution Deny"):
        role_of("guest")
    with pytest.raises(
        identity.exceptions.NotAuthorizedException, match="Unauthenticated access is not supported"
    ):
        identity.get_id(IdentityPoolId=pool)


def _forge(token: str, change: str, other_pool_token: str) -> str:
    header, payload, signature = token.split(".")

    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = jwt.decode(token, options={"verify_signature": False})
    if change == "alg none":
        return f"{b64({'alg': 'none', 'kid': jwt.get_unverified_header(token)['kid']})}.{payload}."
    if change == "changed payload":
        return f"{header}.{b64({**claims, 'sub': 'someone-else'})}.{signature}"
    if change == "another pool's key":
        other_header, _, other_signature = other_pool_token.split(".")
        return f"{other_header}.{payload}.{other_signature}"
    if change == "expired":
        return f"{header}.{b64({**claims, 'exp': 1})}.{signature}"
    raise AssertionError(change)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _hs256_with_public_key(server: Server, pool_id: str, token: str) -> str:
    """The classic confusion attack: HS256 keyed with the pool's published RSA public key."""
    with urllib.request.urlopen(f"{server.url}/{pool_id}/.well-known/jwks.json", timeout=5) as answer:
        key = json.loads(answer.read())["keys"][0]
    pem = jwt.PyJWK(key).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "kid": key["kid"]}).encode())
    body = _b64(json.dumps(jwt.decode(token, options={"verify_signature": False})).encode())
    signature = _b64(hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{signature}"


@pytest.mark.parametrize(
    "change",
    [
        "alg none",
        "changed payload",
        "another pool's key",
        "expired",
        "hs256 with the public key",
        "signed out",
    ],
)
def test_forged_expired_and_signed_out_tokens_are_refused(
    server: Server, idp: Any, identity: Any, world: dict[str, str], change: str
) -> None:
    username = f"f-{change.replace(' ', '-').replace(chr(39), '')}"
    new_user(idp, world["pool"], username)
    tokens = sign_in(idp, world["pool"], world["client"], username)
    other_pool = new_pool(idp)
    other_client = new_client(idp, other_pool)
    new_user(idp, other_pool, "other")
    other = sign_in(idp, other_pool, other_client, "other")["IdToken"]
    if change == "signed out":
        idp.global_sign_out(AccessToken=tokens["AccessToken"])
        token = tokens["IdToken"]
    elif change == "hs256 with the public key":
        token = _hs256_with_public_key(server, world["pool"], tokens["IdToken"])
    else:
        token = _forge(tokens["IdToken"], change, other)
    with pytest.raises(identity.exceptions.NotAuthorizedException, match="Invalid login token"):
        identity.get_id(IdentityPoolId=world["identity_pool"], Logins={world["provider"]: token})


def test_pools_are_listed_updated_and_deleted(identity: Any) -> None:
    pool = identity.create_identity_pool(IdentityPoolName="temp", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"
    ]
    identity.update_identity_pool(
        IdentityPoolId=pool, IdentityPoolName="renamed", AllowUnauthenticatedIdentities=False
    )
    assert identity.describe_identity_pool(IdentityPoolId=pool)["IdentityPoolName"] == "renamed"
    assert pool in [p["IdentityPoolId"] for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"]]
    assert identity.get_identity_pool_roles(IdentityPoolId=pool)["Roles"] == {}
    identity.delete_identity_pool(IdentityPoolId=pool)
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.describe_identity_pool(IdentityPoolId=pool)
    with pytest.raises(identity.exceptions.ClientError) as refused:
        identity.create_identity_pool(
            IdentityPoolName="social",
            AllowUnauthenticatedIdentities=False,
            SupportedLoginProviders={"accounts.google.com": "x"},
        )
    assert refused.value.response["Error"]["Code"] == "NotEmulatedException"


def test_identities_are_listed_and_deleted(identity: Any, world: dict[str, str]) -> None:
    made = identity.get_id(IdentityPoolId=world["identity_pool"])["IdentityId"]
    listed = identity.list_identities(IdentityPoolId=world["identity_pool"], MaxResults=60)["Identities"]
    assert made in [i["IdentityId"] for i in listed]
    answer = identity.delete_identities(
        IdentityIdsToDelete=[made, "us-east-1:00000000-0000-4000-8000-000000000000"]
    )
    assert [u["IdentityId"] for u in answer["UnprocessedIdentityIds"]] == [
        "us-east-1:00000000-0000-4000-8000-000000000000"
    ]
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.describe_identity(IdentityId=made)
