"""Built-in Amazon Cognito user-pool tasks against an in-memory user directory, with real signed tokens.

Python API::

    from asl import StateMachine
    from asl.resources import TaskRegistry
    from cognito_tasks import UserDirectory, register

    directory = UserDirectory(seed="demo")          # deterministic ids; region="us-east-1" by default
    registry = TaskRegistry()
    register(registry, directory)                    # binds every supported action; nothing at import
    machine = StateMachine(definition, registry=registry)

A Task state then uses the real resource, e.g.
`"Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminCreateUser"` with
PascalCase `Parameters` (`UserPoolId`, `Username`, `UserAttributes`, ...). The result is the API's
response body (`{}` for void actions); errors are `TaskFailed` with
`CognitoIdentityProvider.<Exception>` and a cause ending in
`(Service: CognitoIdentityProvider, Status Code: 400, Request ID: <uuid>)`, so `States.TaskFailed`
and `States.ALL` catch them. `...:<action>.waitForTaskToken` resolves to the same handler;
`.sync` is refused (see `check_resource`). Dates are ISO-8601 strings by default
(`register(..., timestamps="epoch")` gives epoch seconds; see `cognito_tasks.wire`).

Local-only convenience task, under a resource that can never be an AWS ARN (partition
`asl-runner`): `arn:asl-runner:cognito:::issueTokens` (`ISSUE_TOKENS_ARN`), Parameters
`{"UserPoolId", "Username", "ClientId"?}`, result `{"AuthenticationResult": {...}}`: tokens for an
existing enabled user without knowing the password.

Reading state from Python: `directory.pools[pool_id].users`, `directory.latest_code(pool_id,
username)` (the outbox: confirmation, reset and MFA codes, temporary passwords),
`directory.events` (what changed), `directory.jwks(pool_id)` (the JWKS a verifier needs; issuer
`https://cognito-idp.<region>.amazonaws.com/<pool_id>`, or `UserDirectory(issuer_base=...)`).
`cognito_tasks.persist` loads, locks and saves a directory as JSON (signing keys included, so
tokens verify across runs); `cognito_tasks.csv_import` imports Cognito's user-import CSV.

Other entry points: `cognito_tasks.api.call(directory, "AdminCreateUser", request, now)` runs any
action by its API name (what an HTTP layer serves); `cognito_tasks.verify.authorize(directory,
token)` checks a token as API Gateway's Cognito authorizer does; a pool's Lambda triggers run the
Python functions `UserDirectory(functions=...)` resolves (`cognito_tasks.triggers`).
"""

from __future__ import annotations

import copy
from typing import Any, Literal

import anyio
import anyio.to_thread

from asl.errors import StatesRuntime
from asl.resources import ArnError, Handler, TaskContext, TaskRegistry, parse_arn
from asl.sdk_models import operation
from cognito_tasks import api, validation, wire
from cognito_tasks.actions import ACTIONS, Action
from cognito_tasks.actions_auth import issue_tokens
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import CognitoError, InvalidParameterException, NotEmulated, task_failed

__all__ = [
    "ACTIONS",
    "ARN_PREFIX",
    "ISSUE_TOKENS_ARN",
    "UserDirectory",
    "check_parameters",
    "check_resource",
    "register",
]

#: Resource of every emulated action: ARN_PREFIX + camelCase action name.
ARN_PREFIX = "arn:aws:states:::aws-sdk:cognitoidentityprovider:"
#: Resource of the local-only token task.
ISSUE_TOKENS_ARN = "arn:asl-runner:cognito:::issueTokens"
_ISSUE_TOKENS_MEMBERS = ("UserPoolId", "Username", "ClientId")


def check_resource(arn: str) -> str | None:
    """Why a Cognito Task resource cannot run locally, or None (also for resources that are not Cognito's).

    A loader calls this for every Task `Resource` before running: `.sync` is not an integration
    pattern AWS SDK tasks support, and actions outside `ACTIONS` are not emulated.
    """
    try:
        parsed = parse_arn(arn)
    except ArnError:
        return None
    if parsed.sdk_service != "cognitoidentityprovider":
        return None
    if parsed.pattern in ("sync", "sync:2"):
        return (
            f"{arn}: AWS SDK integrations support request-response and .waitForTaskToken only, "
            f"not .{parsed.pattern}"
        )
    action = parsed.action.rsplit(":", 1)[-1]
    if action in ACTIONS:
        return None
    if operation("cognitoidentityprovider", action) is not None:
        return f"{arn}: the Cognito action {action} is not emulated locally; mock it or register a handler"
    return f"{arn}: cognitoidentityprovider has no action {action!r} (actions are camelCase, e.g. adminCreateUser)"


def check_parameters(arn: str, names: list[str]) -> list[str]:
    """Messages for Parameters members the action does not take (`Key.$` counts as `Key`)."""
    try:
        parsed = parse_arn(arn)
    except ArnError:
        return []
    plain = [n[:-2] if n.endswith(".$") else n for n in names]
    if parsed.raw == ISSUE_TOKENS_ARN:
        unknown = sorted(n for n in plain if n not in _ISSUE_TOKENS_MEMBERS)
    elif parsed.sdk_service == "cognitoidentityprovider":
        unknown = validation.unknown_members(parsed.action.rsplit(":", 1)[-1], plain)
    else:
        return []
    return [f'The field "{n}" is not supported by Step Functions' for n in unknown]


def _request(payload: Any, arn: str) -> dict[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise StatesRuntime(f"{arn}: the task input must be a JSON object, not {type(payload).__name__}")
    return payload


def _handler(
    name: str,
    action: Action,
    directory: UserDirectory,
    style: wire.TimestampStyle,
    *,
    local: bool = False,
    offload: bool = False,
) -> Handler:
    async def handler(payload: Any, ctx: TaskContext) -> Any:
        problem = check_resource(ctx.resource.raw)
        if problem is not None:
            raise StatesRuntime(problem)
        arn = ctx.resource.raw
        request = copy.deepcopy(_request(payload, arn))
        unknown = check_parameters(ISSUE_TOKENS_ARN if local else ARN_PREFIX + name, list(request))
        if unknown:
            raise StatesRuntime(f"{arn}: " + "; ".join(unknown))
        try:
            if local:
                missing = [m for m in ("UserPoolId", "Username") if not isinstance(request.get(m), str)]
                if missing:
                    raise InvalidParameterException(f"{', '.join(missing)} must be a string")
            else:
                validation.validate(name, request)
            if offload:
                result = await anyio.to_thread.run_sync(api.run, directory, action, request, ctx.clock.now())
            else:
                result = await api.arun(directory, action, request, ctx.clock.now())
        except CognitoError as exc:
            raise task_failed(exc, directory.new_uuid()) from None
        except NotEmulated as exc:
            raise StatesRuntime(f"{arn}: {exc}") from None
        return wire.render(result, style)

    handler.__name__ = handler.__qualname__ = f"cognito_{name}"
    return handler


def register(
    registry: TaskRegistry,
    directory: UserDirectory,
    *,
    timestamps: Literal["iso", "epoch"] = "iso",
    offload: bool = False,
) -> None:
    """Bind every emulated Cognito action, and `ISSUE_TOKENS_ARN`, to handlers over `directory`.

    `offload=True` runs each action on a worker thread (a server, whose event loop must stay free
    while an action waits for the directory or its users file); by default it runs on the calling
    thread, so a workflow's branches see the same order of events on every run.
    """
    for name, action in ACTIONS.items():
        registry.register(ARN_PREFIX + name, _handler(name, action, directory, timestamps, offload=offload))
    registry.register(
        ISSUE_TOKENS_ARN,
        _handler("issueTokens", issue_tokens, directory, timestamps, local=True, offload=offload),
    )
