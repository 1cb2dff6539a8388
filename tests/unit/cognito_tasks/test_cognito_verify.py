"""Token checks: `cognito_tasks.verify` (API Gateway's Cognito authorizer) and every action that takes a token.

Forged tokens (issue 13): alg none, HS256 signed with the public key, a changed payload, another
pool's key, an expired token, a signed-out token. Sources: "Verifying a JSON Web Token" (Cognito
developer guide) and "Control access to REST APIs using Amazon Cognito user pools as an authorizer"
(API Gateway developer guide).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cognito_harness import PASSWORD, Harness, make_harness
from cryptography.hazmat.primitives import serialization

from cognito_tasks import tokens
from cognito_tasks.verify import authorize

#: Every action that takes an access token, with the other members it needs.
TOKEN_ACTIONS: dict[str, dict[str, Any]] = {
    "getUser": {},
    "changePassword": {"PreviousPassword": PASSWORD, "ProposedPassword": "N3w-Passw0rd!"},
    "updateUserAttributes": {"UserAttributes": [{"Name": "name", "Value": "x"}]},
    "verifyUserAttribute": {"AttributeName": "email", "Code": "123456"},
    "deleteUser": {},
    "globalSignOut": {},
    "setUserMFAPreference": {"SoftwareTokenMfaSettings": {"Enabled": False}},
    "associateSoftwareToken": {},
    "verifySoftwareToken": {"UserCode": "123456"},
}


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "==")),
        json.loads(base64.urlsafe_b64decode(payload + "==")),
    )


def assemble(header: dict[str, Any], payload: dict[str, Any], signature: bytes) -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(payload).encode())
    return f"{head}.{body}.{b64(signature)}"


class World:
    """Two pools, one signed-in user; forgeries of that user's access token."""

    def __init__(self) -> None:
        self.h = make_harness()
        self.pool_id = self.h.pool()
        self.client_id = self.h.client(self.pool_id)
        self.h.user(self.pool_id, "ann", email="ann@example.com")
        self.tokens = self.h.sign_in(self.pool_id, self.client_id, "ann")
        self.other = self.h.pool()
        self.h.client(self.other)
        self.h.user(self.other, "eve")
        self.h.sign_in(self.other, next(iter(self.h.directory.pools[self.other].clients)), "eve")

    def forge(self, how: str) -> str:
        token = self.tokens["AccessToken"]
        header, payload = parts(token)
        keys = self.h.directory.keys(self.h.directory.pools[self.pool_id])
        if how == "alg none":
            return assemble({**header, "alg": "none"}, payload, b"")
        if how == "HS256 with the public key":
            public = keys.access_token.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            head = b64(json.dumps({**header, "alg": "HS256"}).encode())
            body = b64(json.dumps(payload).encode())
            mac = hmac.new(public, f"{head}.{body}".encode(), hashlib.sha256).digest()
            return f"{head}.{body}.{b64(mac)}"
        if how == "changed payload":
            _, _, signature = token.split(".")
            body = b64(json.dumps({**payload, "username": "eve", "scope": "admin"}).encode())
            return f"{token.split('.')[0]}.{body}.{signature}"
        if how == "another pool's key":
            other_keys = self.h.directory.keys(self.h.directory.pools[self.other])
            return tokens.sign(payload, other_keys.access_token)
        if how == "expired":
            self.h.clock.advance(3601)
            return token
        if how == "signed out":
            self.h.call("adminUserGlobalSignOut", UserPoolId=self.pool_id, Username="ann")
            return token
        raise AssertionError(how)


FORGERIES = [
    "alg none",
    "HS256 with the public key",
    "changed payload",
    "another pool's key",
    "expired",
    "signed out",
]


@pytest.mark.parametrize("how", FORGERIES)
def test_every_token_action_refuses_a_forged_token(how: str) -> None:
    world = World()
    forged = world.forge(how)
    expected = {"expired": "Access Token has expired", "signed out": "Access Token has been revoked"}
    for action, extra in TOKEN_ACTIONS.items():
        message = world.h.fails(action, "NotAuthorizedException", AccessToken=forged, **extra)
        assert message == expected.get(how, "Invalid Access Token"), action
    assert world.h.call("adminGetUser", UserPoolId=world.pool_id, Username="ann")["Enabled"] is True


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ("alg none", "algorithm"),
        ("HS256 with the public key", "algorithm"),
        ("changed payload", "signature"),
        ("another pool's key", "signature"),
        ("expired", "expired"),
        ("signed out", "revoked"),
    ],
)
def test_the_authorizer_refuses_a_forged_token_with_the_reason(how: str, code: str) -> None:
    world = World()
    forged = world.forge(how)
    outcome = authorize(world.h.directory, forged, now=world.h.clock.now())
    assert not outcome.allowed
    assert outcome.code == code
    assert outcome.reason


def test_the_authorizer_accepts_good_tokens_and_checks_clients_and_scopes() -> None:
    world = World()
    d, now = world.h.directory, world.h.clock.now()
    accepted = authorize(d, "Bearer " + world.tokens["IdToken"], now=now)
    assert accepted.allowed
    assert accepted.claims["cognito:username"] == "ann"
    assert authorize(d, world.tokens["AccessToken"], now=now, client_ids=[world.client_id]).allowed
    assert authorize(d, world.tokens["AccessToken"], now=now, client_ids=["someone-else"]).code == "client"
    assert authorize(d, world.tokens["AccessToken"], now=now, pool_id=world.other).code == "issuer"
    admin = authorize(d, world.tokens["AccessToken"], now=now, scopes=["aws.cognito.signin.user.admin"])
    assert admin.allowed
    assert authorize(d, world.tokens["AccessToken"], now=now, scopes=["orders/read"]).code == "scope"
    assert authorize(d, world.tokens["IdToken"], now=now, scopes=["orders/read"]).code == "token_use"
    assert authorize(d, "not-a-token", now=now).code == "malformed"


def test_id_tokens_are_not_access_tokens(h: Harness) -> None:
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "ann")
    tokens_ = h.sign_in(pool_id, client_id, "ann")
    assert (
        h.fails("getUser", "NotAuthorizedException", AccessToken=tokens_["IdToken"]) == "Invalid Access Token"
    )
