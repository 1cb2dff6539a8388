"""Identity pools over HTTP: `X-Amz-Target: AWSCognitoIdentityService.<Action>` (AWS JSON 1.1).

Requests are checked against the botocore model first; each action runs under the directory's guard
on a worker thread, like the user-pool API. GetId, GetCredentialsForIdentity and GetOpenIdToken are
unauthenticated on AWS (browsers call them), so they answer any origin.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from asl.server.protocol import JsonService
from cognito_tasks import identity_pools
from cognito_tasks.directory import UserDirectory
from cognito_tasks.service.user_pools import answer

TARGET_PREFIX = "AWSCognitoIdentityService"


def _run(directory: UserDirectory, action: identity_pools.Action, request: dict[str, Any]) -> dict[str, Any]:
    with directory.guard(writes=action not in identity_pools.READS):
        return action(directory, request, time.time())


async def call(
    directory: UserDirectory, action: identity_pools.Action, request: dict[str, Any]
) -> dict[str, Any]:
    """Run one identity-pool action for an HTTP client."""
    return await answer(lambda: _run(directory, action, request))


def service(directory: UserDirectory) -> JsonService:
    """The cognito-identity JSON service over `directory`."""
    actions = {name: partial(call, directory, action) for name, action in identity_pools.ACTIONS.items()}
    return JsonService(TARGET_PREFIX, "cognito-identity", actions)
