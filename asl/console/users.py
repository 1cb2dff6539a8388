"""The Cognito pages' data: pools, users, groups and the outbox, copied from the server's user directory.

The directory is the one the server shares with its Task integration (and the Cognito API), so a
user a workflow created shows up here at once. It is read under its lock and copied into plain
dicts, so a page never sees a pool half-changed.
"""

from __future__ import annotations

from typing import Any

# The codes' purposes a person recognises, as the outbox lists them.
_PURPOSES = {
    "SignUp": "sign-up confirmation",
    "ForgotPassword": "password reset",
    "UpdateUserAttribute": "attribute verification",
    "AdminCreateUser": "invitation (temporary password)",
    "Authentication": "MFA sign-in code",
}


def pools(directory: Any) -> list[dict[str, Any]]:
    """Every pool with its counts."""
    if directory is None:
        return []
    with directory.lock:
        return [
            {
                "id": pool.id,
                "name": pool.name,
                "users": len(pool.users),
                "groups": len(pool.groups),
                "clients": [{"id": c.id, "name": c.name} for c in pool.clients.values()],
                "mfa": pool.mfa_configuration,
                "created": pool.created,
            }
            for pool in directory.pools.values()
        ]


def pool(directory: Any, pool_id: str) -> dict[str, Any] | None:
    """One pool: its users (status, attributes, groups, MFA), groups and outbox, newest messages first."""
    if directory is None:
        return None
    with directory.lock:
        found = directory.pools.get(pool_id)
        if found is None:
            return None
        return {
            "id": found.id,
            "name": found.name,
            "arn": found.arn,
            "mfa": found.mfa_configuration,
            "issuer": directory.issuer(found),
            "clients": [{"id": c.id, "name": c.name} for c in found.clients.values()],
            "users": [_user(user) for user in found.users.values()],
            "groups": [
                {
                    "name": group.name,
                    "description": group.description or "",
                    "precedence": group.precedence,
                    "members": sorted(u.username for u in found.users.values() if group.name in u.groups),
                }
                for group in found.groups.values()
            ],
            "outbox": [_message(code) for code in reversed(directory.codes) if code.pool_id == found.id],
        }


def _user(user: Any) -> dict[str, Any]:
    return {
        "username": user.username,
        "status": str(user.status),
        "enabled": user.enabled,
        "attributes": dict(sorted(user.attributes.items())),
        "groups": list(user.groups),
        "mfa": list(user.mfa.enabled()),
        "preferred_mfa": user.mfa.preferred or "",
        "created": user.created,
        "modified": user.modified,
    }


def _message(code: Any) -> dict[str, Any]:
    purpose = str(code.purpose)
    return {
        "issued": code.issued,
        "expires": code.expires,
        "username": code.username,
        "purpose": _PURPOSES.get(purpose, purpose),
        "medium": code.medium or "",
        "destination": code.destination or "",
        "code": code.code,
        "used": code.used,
        "subject": code.subject or "",
        "message": code.message or "",
    }
