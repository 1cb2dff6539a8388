"""Test helpers for the Cognito tasks: shared RSA keys, and a harness that calls registered handlers."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import pytest

from asl.clock import VirtualClock
from asl.errors import TaskFailed
from asl.resources import TaskContext, TaskRegistry, parse_arn
from cognito_tasks import ARN_PREFIX, UserDirectory, passwords, register, tokens

START = 1_700_000_000.0
PASSWORD = "Passw0rd!"
ALL_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
_PEMS = [tokens.generate_private_pem() for _ in range(4)]


def shared_key_factory() -> Callable[[], str]:
    """Hands out four pre-made RSA keys in turn (consecutive keys always differ)."""
    pems = itertools.cycle(_PEMS)
    return lambda: next(pems)


@dataclass
class Harness:
    """A directory registered in a TaskRegistry, called the way the interpreter calls a Task."""

    directory: UserDirectory
    registry: TaskRegistry
    clock: VirtualClock

    def call(self, action: str, **params: Any) -> Any:
        return self.call_with(action, params)

    def call_with(self, action: str, payload: Any) -> Any:
        arn = action if action.startswith("arn:") else ARN_PREFIX + action
        resource = parse_arn(arn)
        handler = self.registry.lookup(resource)
        assert handler is not None, arn
        ctx = TaskContext(state_name="Test", resource=resource, context={}, clock=self.clock)
        return anyio.run(handler, payload, ctx)

    def fails(self, action: str, error: str, **params: Any) -> str:
        """Call, expect `CognitoIdentityProvider.<error>`, return the message (the cause without the SDK tail)."""
        with pytest.raises(TaskFailed) as info:
            self.call(action, **params)
        assert info.value.error == f"CognitoIdentityProvider.{error}", info.value.cause
        cause = info.value.cause or ""
        assert cause.endswith(")")
        assert "(Service: CognitoIdentityProvider, Status Code: 400, Request ID: " in cause
        return cause.split(" (Service: ")[0]

    # -- set-up helpers -------------------------------------------------------------------------

    def pool(self, **params: Any) -> str:
        return str(self.call("createUserPool", PoolName="test", **params)["UserPool"]["Id"])

    def client(self, pool_id: str, **params: Any) -> str:
        params.setdefault("ExplicitAuthFlows", ALL_FLOWS)
        result = self.call("createUserPoolClient", UserPoolId=pool_id, ClientName="app", **params)
        return str(result["UserPoolClient"]["ClientId"])

    def user(
        self, pool_id: str, username: str, password: str = PASSWORD, **attributes: str
    ) -> dict[str, Any]:
        """A CONFIRMED user with a permanent password."""
        user_attributes = [{"Name": k, "Value": v} for k, v in attributes.items()]
        created = self.call(
            "adminCreateUser",
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=user_attributes,
            MessageAction="SUPPRESS",
        )
        self.call(
            "adminSetUserPassword", UserPoolId=pool_id, Username=username, Password=password, Permanent=True
        )
        return dict(created["User"])

    def auth_fails(
        self,
        pool_id: str,
        client_id: str,
        username: str,
        password: str,
        error: str = "NotAuthorizedException",
    ) -> str:
        """AdminInitiateAuth with a password, expected to fail with `error`; the message."""
        return self.fails(
            "adminInitiateAuth",
            error,
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    def sign_in(
        self, pool_id: str, client_id: str, username: str, password: str = PASSWORD
    ) -> dict[str, Any]:
        result = self.call(
            "adminInitiateAuth",
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return dict(result["AuthenticationResult"])


def make_harness(start: float | None = START, seed: str = "tests", **options: Any) -> Harness:
    options.setdefault("hasher", passwords.FAST_HASHER)
    directory = UserDirectory(seed=seed, key_factory=shared_key_factory(), **options)
    registry = TaskRegistry()
    register(registry, directory)
    return Harness(directory, registry, VirtualClock(start))
