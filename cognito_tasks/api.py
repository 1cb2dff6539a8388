"""Calling a user-pool action by name: the one entry point the Task integration and an HTTP layer share.

    from cognito_tasks import api
    response = api.call(directory, "AdminCreateUser", request, now)        # sync, any thread
    response = await api.acall(directory, "AdminCreateUser", request, now) # from async code

`name` is the API operation (`AdminCreateUser`, as in `X-Amz-Target:
AWSCognitoIdentityProviderService.AdminCreateUser`) or the Task resource's camelCase action
(`adminCreateUser`). The request is checked against the botocore model first (InvalidParameterException
with Cognito's validation text). The response holds `wire.Timestamp` values: render them with
`wire.render(response, "epoch")` for the JSON wire protocol, or `"iso"` for a Task's output.

Errors: `CognitoError` subclasses (AWS's exception name is `exc.name`, the status code
`exc.status_code`); `NotEmulated` for a request AWS accepts that is not emulated (an HTTP layer answers
it as a 400 with the message); `UnknownAction` for a name that is no emulated action.

Every call holds `directory.lock`, so several threads (an HTTP server's) can share a directory.
An action is quick and runs to completion: `acall` runs it on the calling thread, so the branches of
a workflow see the same order of events on every run (trigger functions written as `async def` are
run to completion too, see `cognito_tasks.triggers`). A server that wants to keep its event loop
free while an action hashes a password may run `call` on a worker thread instead
(`await anyio.to_thread.run_sync(call, ...)`); async triggers are then awaited on its loop.
"""

from __future__ import annotations

from typing import Any

from cognito_tasks import validation
from cognito_tasks.actions import ACTIONS, READS, Action
from cognito_tasks.directory import UserDirectory


class UnknownAction(Exception):
    """The name is not an emulated user-pool action."""


def action_name(name: str) -> str:
    """The camelCase action name of an API operation name (`AdminCreateUser` -> `adminCreateUser`)."""
    return name[:1].lower() + name[1:]


def operation_name(name: str) -> str:
    """The API operation name of a camelCase action name (`adminCreateUser` -> `AdminCreateUser`)."""
    return name[:1].upper() + name[1:]


def find(name: str) -> Action:
    """The action for an operation or action name, or UnknownAction."""
    found = ACTIONS.get(action_name(name))
    if found is None:
        raise UnknownAction(f"{operation_name(name)} is not an emulated Cognito user-pool action")
    return found


def operations() -> list[str]:
    """Every emulated API operation name, sorted."""
    return sorted(operation_name(name) for name in ACTIONS)


def run(directory: UserDirectory, action: Action, request: dict[str, Any], now: float) -> dict[str, Any]:
    """Run an (already validated) action under the directory's guard (its lock, or a shared file's)."""
    with directory.guard(writes=action not in READS):
        return action(directory, request, now)


async def arun(
    directory: UserDirectory, action: Action, request: dict[str, Any], now: float
) -> dict[str, Any]:
    """`run` from async code (on the calling thread, to completion)."""
    return run(directory, action, request, now)


def call(directory: UserDirectory, name: str, request: dict[str, Any], now: float) -> dict[str, Any]:
    """Validate `request` and run the action under the directory's lock."""
    action = find(name)
    validation.validate(action_name(name), request)
    return run(directory, action, request, now)


async def acall(directory: UserDirectory, name: str, request: dict[str, Any], now: float) -> dict[str, Any]:
    """`call` from async code."""
    action = find(name)
    validation.validate(action_name(name), request)
    return await arun(directory, action, request, now)
