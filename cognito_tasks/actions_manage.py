"""Pool and app-client management: UpdateUserPool, DeleteUserPool's siblings for clients, AddCustomAttributes.

UpdateUserPool and UpdateUserPoolClient replace the whole configuration [doc, "Updating user pool
and app client configuration": "If you don't provide a value for an attribute, Amazon Cognito sets it
to its default value"]: a member left out gets its default (Lambda triggers, policies, OAuth
settings...), as on AWS, so a script that works here does not depend on settings AWS would reset.
What cannot change after creation stays (username attributes and aliases, case sensitivity, the
schema; a client's id and secret). UpdateUserPool keeps the MFA factors only
SetUserPoolMfaConfig sets (TOTP, email); SMS MFA follows SmsConfiguration, and MfaConfiguration ON or
OPTIONAL with no factor left is refused as on creation.

AddCustomAttributes adds `custom:<Name>` attributes (a standard name too becomes `custom:<name>`),
at most 50 custom attributes per pool [doc, quotas], never Required.
"""

from __future__ import annotations

from cognito_tasks import settings, wire
from cognito_tasks.actions_pools import Request, Response, add_schema, build_client, configure
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import InvalidParameterException, NotEmulated
from cognito_tasks.model import EventKind

#: CreateUserPool's message when MFA is ON/OPTIONAL without a factor [obs].
_MFA_NEEDS_FACTOR = (
    "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
)
_MAX_CUSTOM = 50


def update_user_pool(d: UserDirectory, request: Request, now: float) -> Response:
    """UpdateUserPool: the pool's settings become the request's (defaults for what it leaves out)."""
    pool = d.pool(request["UserPoolId"])
    settings.check_pool(request, "UpdateUserPool")
    mode = request.get("MfaConfiguration", "OFF")
    sms = mode != "OFF" and bool(request.get("SmsConfiguration"))
    if sms and "phone_number" not in (request.get("AutoVerifiedAttributes") or []):
        raise InvalidParameterException(_MFA_NEEDS_FACTOR)
    if mode != "OFF" and not (sms or pool.mfa.totp_enabled or pool.mfa.email_enabled):
        raise InvalidParameterException(_MFA_NEEDS_FACTOR)
    configure(pool, request, now)
    pool.name = request.get("PoolName", pool.name)
    pool.mfa.sms_enabled = sms
    pool.mfa.sms_message = request.get("SmsAuthenticationMessage")
    d.record(EventKind.POOL_CHANGED, pool.id, pool.name, now)
    return {}


def list_user_pool_clients(d: UserDirectory, request: Request, now: float) -> Response:
    """ListUserPoolClients."""
    pool = d.pool(request["UserPoolId"])
    if request.get("ClientType", "REGULAR") != "REGULAR":
        raise NotEmulated("ListUserPoolClients: ClientType DCR (dynamic client registration) is not emulated")
    clients, token = wire.page(
        list(pool.clients.values()), request.get("MaxResults"), request.get("NextToken"), "clients"
    )
    out: Response = {
        "UserPoolClients": [{"ClientId": c.id, "UserPoolId": pool.id, "ClientName": c.name} for c in clients]
    }
    if token:
        out["NextToken"] = token
    return out


def update_user_pool_client(d: UserDirectory, request: Request, now: float) -> Response:
    """UpdateUserPoolClient: the client's settings become the request's; id, secret and dates stay."""
    pool = d.pool(request["UserPoolId"])
    _, old = d.client(request["ClientId"], pool)
    client = build_client(
        d,
        pool,
        request,
        now,
        client_id=old.id,
        secret=old.secret,
        created=old.created,
        name=request.get("ClientName", old.name),
    )
    pool.clients[client.id] = client
    d.record(EventKind.CLIENT_CHANGED, pool.id, client.id, now, client.name)
    return {"UserPoolClient": wire.client_type(client)}


def delete_user_pool_client(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteUserPoolClient: the client's refresh tokens stop working with it."""
    pool = d.pool(request["UserPoolId"])
    _, client = d.client(request["ClientId"], pool)
    del pool.clients[client.id]
    for session in d.sessions.values():
        if session.client_id == client.id:
            session.revoked = True
    d.record(EventKind.CLIENT_DELETED, pool.id, client.id, now, client.name)
    return {}


def add_custom_attributes(d: UserDirectory, request: Request, now: float) -> Response:
    """AddCustomAttributes."""
    pool = d.pool(request["UserPoolId"])
    entries = list(request["CustomAttributes"])
    if len(pool.custom_attributes) + len(entries) > _MAX_CUSTOM:
        raise InvalidParameterException(f"A user pool can have at most {_MAX_CUSTOM} custom attributes.")
    add_schema(pool, entries, custom_only=True)
    pool.modified = now
    d.record(EventKind.POOL_CHANGED, pool.id, pool.name, now, "custom attributes added")
    return {}


ACTIONS = {
    "updateUserPool": update_user_pool,
    "listUserPoolClients": list_user_pool_clients,
    "updateUserPoolClient": update_user_pool_client,
    "deleteUserPoolClient": delete_user_pool_client,
    "addCustomAttributes": add_custom_attributes,
}
