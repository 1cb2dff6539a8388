"""Keys, discovery and the outbox over HTTP, checked with the libraries verifiers use (PyJWT, authlib)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt as joserfc_jwt
from joserfc.jwk import KeySet

from tests.cli.test_serve_cli import serving
from tests.cognito_service.conftest import PASSWORD, client, new_client, new_pool, new_user, sign_in
from tests.server.conftest import Server, running


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as failed:
        return failed.code, json.loads(failed.read())


def test_pyjwt_verifies_tokens_with_the_served_jwks_and_aws_issuer(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    new_user(idp, pool_id, "jo", email="jo@example.com")
    tokens = sign_in(idp, pool_id, client_id, "jo")
    keys = jwt.PyJWKClient(f"{server.url}/{pool_id}/.well-known/jwks.json")
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    identity = jwt.decode(
        tokens["IdToken"],
        keys.get_signing_key_from_jwt(tokens["IdToken"]).key,
        algorithms=["RS256"],
        audience=client_id,
        issuer=issuer,
    )
    assert (identity["email"], identity["token_use"]) == ("jo@example.com", "id")
    access = jwt.decode(
        tokens["AccessToken"],
        keys.get_signing_key_from_jwt(tokens["AccessToken"]).key,
        algorithms=["RS256"],
        issuer=issuer,
    )
    assert (access["client_id"], access["token_use"]) == (client_id, "access")
    status, body = get(f"{server.url}/{pool_id}/.well-known/jwks.json")
    assert status == 200
    assert len({k["kid"] for k in body["keys"]}) == 2


def test_the_discovery_document_names_the_endpoints_and_the_tokens_issuer(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    status, document = get(f"{server.url}/{pool_id}/.well-known/openid-configuration")
    assert status == 200
    OpenIDProviderMetadata(document).validate()
    assert document["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert document["jwks_uri"] == f"{server.url}/{pool_id}/.well-known/jwks.json"
    for member, path in [
        ("token_endpoint", "/oauth2/token"),
        ("authorization_endpoint", "/oauth2/authorize"),
        ("userinfo_endpoint", "/oauth2/userInfo"),
        ("revocation_endpoint", "/oauth2/revoke"),
    ]:
        assert document[member] == server.url + path


@pytest.mark.parametrize("path", ["jwks.json", "openid-configuration"])
def test_an_unknown_pool_has_no_well_known_documents(server: Server, path: str) -> None:
    status, body = get(f"{server.url}/us-east-1_nothere00/.well-known/{path}")
    assert status == 404
    assert "does not exist" in body["message"]


@pytest.fixture(scope="module")
def own_issuer() -> Iterator[Server]:
    with running(server_issuer=True) as started:
        yield started


def test_with_the_server_issuer_an_oidc_client_discovers_from_the_issuer(own_issuer: Server) -> None:
    idp = client(own_issuer)
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)
    new_user(idp, pool_id, "oi")
    id_token = sign_in(idp, pool_id, client_id, "oi")["IdToken"]
    issuer = jwt.decode(id_token, options={"verify_signature": False})["iss"]
    assert issuer == f"{own_issuer.url}/{pool_id}"
    _, document = get(f"{issuer}/.well-known/openid-configuration")  # discovery from the issuer
    metadata = OpenIDProviderMetadata(document)
    metadata.validate()
    assert metadata["issuer"] == issuer
    _, key_set = get(metadata["jwks_uri"])
    token = joserfc_jwt.decode(id_token, KeySet.import_key_set(key_set), algorithms=["RS256"])
    joserfc_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id}
    ).validate(token.claims)
    assert token.claims["cognito:username"] == "oi"


def test_asl_serve_cognito_issuer_option(tmp_path: Path) -> None:
    with serving("--port", "0", "--db", ":memory:", "--cognito-issuer", "server", cwd=tmp_path) as (_, first):
        url = first.rsplit(" ", 1)[-1]
        idp = client(Server(url, None))
        pool_id = new_pool(idp)
        _, document = get(f"{url}/{pool_id}/.well-known/openid-configuration")
        assert document["issuer"] == f"{url}/{pool_id}"


def test_the_outbox_answers_local_requests_with_the_codes_sent(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp, AutoVerifiedAttributes=["email"])
    client_id = new_client(idp, pool_id)
    client(server, signed=False).sign_up(
        ClientId=client_id,
        Username="oz",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "oz@example.com"}],
    )
    status, sent = get(f"{server.url}/cognito/outbox?pool={pool_id}&username=oz")
    assert status == 200
    assert [(m["Purpose"], m["DeliveryMedium"], m["Destination"]) for m in sent] == [
        ("SignUp", "EMAIL", "oz@example.com")
    ]
    assert sent[0]["Code"] in sent[0]["Message"]
    idp.confirm_sign_up(ClientId=client_id, Username="oz", ConfirmationCode=sent[0]["Code"])
    assert idp.admin_get_user(UserPoolId=pool_id, Username="oz")["UserStatus"] == "CONFIRMED"
    assert get(f"{server.url}/cognito/outbox?pool=us-east-1_nothere00")[0] == 404
    assert get(f"{server.url}/cognito/outbox", {"Host": "attacker.example"})[0] == 403
    assert get(f"{server.url}/cognito/outbox", {"Origin": "http://attacker.example"})[0] == 403
