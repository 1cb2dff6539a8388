"""Amazon Cognito over HTTP for `asl serve`: the user-pool API, keys and discovery, OAuth 2.0 and identity pools.

    from cognito_tasks import service
    app = create_app(
        [..., service.user_pools(directory), service.identity_pools(directory)],
        routes=service.routes(directory, host),
    )

Everything shares the one `UserDirectory` the server's Task integration uses. Needs the `serve`
extra (Starlette).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from cognito_tasks.directory import UserDirectory
from cognito_tasks.service import discovery, hosted, oauth2, outbox
from cognito_tasks.service.grants import Grants
from cognito_tasks.service.identity import service as identity_pools
from cognito_tasks.service.user_pools import service as user_pools

__all__ = ["identity_pools", "routes", "user_pools"]


def routes(directory: UserDirectory, bind_host: str = "127.0.0.1") -> list[BaseRoute]:
    """The Cognito routes besides the JSON API: keys and discovery, OAuth 2.0 and the hosted sign-in, the outbox."""
    grants = Grants()
    return [
        *discovery.routes(directory),
        *oauth2.routes(directory, grants),
        *hosted.routes(directory, grants),
        *outbox.routes(directory, bind_host),
    ]
