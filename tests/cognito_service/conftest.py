"""A real `asl serve` app, driven through boto3's cognito-idp (and cognito-identity) clients."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config as BotoConfig

from tests.server.conftest import Server, running, start_server

PASSWORD = "Passw0rd!"
ALL_FLOWS = [
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


def client(server: Server, service: str = "cognito-idp", *, signed: bool = True) -> Any:
    """A boto3 client for the server (no retries); `signed=False` sends no SigV4, as a browser."""
    settings: dict[str, Any] = {"retries": {"max_attempts": 1}}
    if not signed:
        settings["signature_version"] = UNSIGNED
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=BotoConfig(**settings),
    )


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running() as started:
        yield started


@pytest.fixture(scope="module")
def idp(server: Server) -> Any:
    return client(server)


def unique(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_pool(idp: Any, **params: Any) -> str:
    pool_id: str = idp.create_user_pool(PoolName=unique("pool"), **params)["UserPool"]["Id"]
    return pool_id


def new_client(idp: Any, pool_id: str, **params: Any) -> str:
    params.setdefault("ExplicitAuthFlows", ALL_FLOWS)
    client_id: str = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **params)[
        "UserPoolClient"
    ]["ClientId"]
    return client_id


def new_user(idp: Any, pool_id: str, username: str, password: str = PASSWORD, **attributes: str) -> None:
    """A CONFIRMED user with a permanent password."""
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)


def sign_in(
    idp: Any, pool_id: str, client_id: str, username: str, password: str = PASSWORD
) -> dict[str, Any]:
    result: dict[str, Any] = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )["AuthenticationResult"]
    return result


__all__ = ["start_server"]  # the fixture, shared with tests/server
