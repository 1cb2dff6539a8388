"""Amazon Cognito over HTTP for `asl serve`: the user-pool API, keys and discovery, OAuth 2.0 and identity pools.

    from cognito_tasks import service
    services = [service.user_pools(directory)]     # JsonService, mounted with asl.server.create_app

Everything shares the one `UserDirectory` the server's Task integration uses. Needs the `serve`
extra (Starlette).
"""

from __future__ import annotations

from cognito_tasks.service.user_pools import service as user_pools

__all__ = ["user_pools"]
