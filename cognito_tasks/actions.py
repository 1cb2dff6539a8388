"""Every emulated action, by the camelCase name its Task resource uses (`...:cognitoidentityprovider:<name>`).

An action is a plain function `(directory, request, now) -> response`: `request` is the Task's
Parameters (already checked against the botocore model), `now` the execution clock's time, and
the response the API's response members, with `wire.Timestamp` for dates. The modules group them:
`actions_pools` (pools, clients, groups), `actions_admin` (Admin* user actions, ListUsers),
`actions_users` (sign-up, codes, passwords, access-token actions), `actions_auth` (sign-in,
challenges, sign-out, RevokeToken), `actions_mfa` (MFA configuration, preferences, TOTP),
`actions_manage` (UpdateUserPool, client updates, custom attributes), `actions_profile` (a user's own
attributes and legacy MFA settings) and `actions_hosted` (domains, resource servers, identity providers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cognito_tasks import (
    actions_admin,
    actions_auth,
    actions_hosted,
    actions_manage,
    actions_mfa,
    actions_pools,
    actions_profile,
    actions_users,
)
from cognito_tasks.directory import UserDirectory

Action = Callable[[UserDirectory, dict[str, Any], float], dict[str, Any]]

ACTIONS: dict[str, Action] = {
    **actions_pools.ACTIONS,
    **actions_admin.ACTIONS,
    **actions_users.ACTIONS,
    **actions_auth.ACTIONS,
    **actions_mfa.ACTIONS,
    **actions_manage.ACTIONS,
    **actions_profile.ACTIONS,
    **actions_hosted.ACTIONS,
}

#: Actions that never change the directory: they need not be saved (`cognito_tasks.shared`).
READS: frozenset[Action] = frozenset(
    ACTIONS[name]
    for name in (
        "describeUserPool",
        "listUserPools",
        "describeUserPoolClient",
        "listUserPoolClients",
        "getGroup",
        "listGroups",
        "listUsersInGroup",
        "adminGetUser",
        "adminListGroupsForUser",
        "listUsers",
        "getUser",
        "getUserPoolMfaConfig",
        "describeUserPoolDomain",
        "describeResourceServer",
        "listResourceServers",
        "describeIdentityProvider",
        "getIdentityProviderByIdentifier",
        "listIdentityProviders",
    )
)
