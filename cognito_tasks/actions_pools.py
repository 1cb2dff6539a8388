"""Pool, app-client and group actions: request dict -> directory -> response dict.

Every action is `(directory, request, now) -> response`; requests have passed `validation`.

Choices [belief]: a pool created through the API without `UsernameConfiguration` is
case-sensitive and DescribeUserPool omits the member; a client created without
`ExplicitAuthFlows` gets AWS's documented default (refresh, SRP, custom auth) and
`PreventUserExistenceErrors` LEGACY; access/ID token validity must lie in 5 minutes..1 day and
refresh validity in 1 hour..10 years ("Invalid range for token validity.").
"""

from __future__ import annotations

from typing import Any

from cognito_tasks import attributes as attrs
from cognito_tasks import oauth, settings, wire
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import GroupExistsException, InvalidParameterException, ResourceNotFoundException
from cognito_tasks.model import (
    AppClient,
    EventKind,
    Group,
    MfaSettings,
    PasswordPolicy,
    SchemaAttribute,
    UserPool,
)

Request = dict[str, Any]
Response = dict[str, Any]

#: CreateUserPool members held in UserPool fields; the others stay in `pool.settings` as given
#: (the message templates are read from there, and DescribeUserPool echoes them).
_POOL_FIELDS = settings.POOL_EMULATED - {
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
}
DEFAULT_AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
_LEGACY_FLOWS = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
_DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}


def _password_policy(request: Request) -> PasswordPolicy:
    given = (request.get("Policies") or {}).get("PasswordPolicy")
    if given is None:
        return PasswordPolicy()
    defaults = PasswordPolicy()
    return PasswordPolicy(
        minimum_length=given.get("MinimumLength", defaults.minimum_length),
        require_uppercase=given.get("RequireUppercase", False),
        require_lowercase=given.get("RequireLowercase", False),
        require_numbers=given.get("RequireNumbers", False),
        require_symbols=given.get("RequireSymbols", False),
        # 0 means the default [doc, PasswordPolicyType: "treats it as a null value"].
        temporary_password_validity_days=given.get("TemporaryPasswordValidityDays")
        or defaults.temporary_password_validity_days,
        history_size=given.get("PasswordHistorySize"),
    )


def _number(text: Any) -> float | None:
    return None if text is None else float(text)


def _integer(text: Any) -> int | None:
    return None if text is None else int(text)


def add_schema(pool: UserPool, entries: list[dict[str, Any]], *, custom_only: bool = False) -> None:
    """Declare schema attributes (standard overrides and `custom:` ones; `custom_only`: every name is custom)."""
    for entry in entries:
        name = str(entry.get("Name", ""))
        strings = entry.get("StringAttributeConstraints") or {}
        numbers = entry.get("NumberAttributeConstraints") or {}
        developer = bool(entry.get("DeveloperOnlyAttribute", False))
        standard = name in attrs.STANDARD and not custom_only
        full = name if standard else f"{'dev:' if developer else ''}custom:{name}"
        if full in pool.custom_attributes or full in pool.standard_attributes:
            raise InvalidParameterException(f"Existing attribute already has name {name}.")
        if not standard and entry.get("Required"):
            raise InvalidParameterException("Required custom attributes are not supported currently.")
        try:
            defined = SchemaAttribute(
                name=full,
                data_type=entry.get("AttributeDataType", "String"),
                mutable=bool(entry.get("Mutable", True)),
                required=bool(entry.get("Required", False)),
                developer_only=developer,
                min_length=_integer(strings.get("MinLength")) if standard or strings else None,
                max_length=_integer(strings.get("MaxLength")) if standard or strings else None,
                min_value=_number(numbers.get("MinValue")),
                max_value=_number(numbers.get("MaxValue")),
            )
        except ValueError as exc:
            raise InvalidParameterException(f"Invalid constraints for attribute {name}.") from exc
        if standard:
            if defined.min_length is None and defined.max_length is None:
                defined = SchemaAttribute(
                    full, defined.data_type, defined.mutable, defined.required, False, 0, 2048
                )
            pool.standard_attributes[full] = defined
        else:
            pool.custom_attributes[full] = defined


def _creation_mfa(request: Request) -> MfaSettings:
    """CreateUserPool's MFA: ON or OPTIONAL means SMS MFA, which needs SNS and phone verification [obs]."""
    message = request.get("SmsAuthenticationMessage")
    if request.get("MfaConfiguration", "OFF") == "OFF":
        return MfaSettings(sms_message=message)
    if not request.get("SmsConfiguration") or "phone_number" not in (
        request.get("AutoVerifiedAttributes") or []
    ):
        raise InvalidParameterException(
            "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
        )
    return MfaSettings(sms_enabled=True, sms_message=message)


def configure(pool: UserPool, request: Request, now: float) -> None:
    """Apply the settings CreateUserPool and UpdateUserPool share; those not given get their defaults."""
    admin = request.get("AdminCreateUserConfig") or {}
    pool.password_policy = _password_policy(request)
    pool.auto_verified_attributes = list(request.get("AutoVerifiedAttributes") or [])
    pool.mfa_configuration = request.get("MfaConfiguration", "OFF")
    pool.deletion_protection = request.get("DeletionProtection", "INACTIVE")
    pool.allow_admin_create_user_only = bool(admin.get("AllowAdminCreateUserOnly", False))
    pool.unused_account_validity_days = admin.get("UnusedAccountValidityDays", 7)
    pool.tags = dict(request.get("UserPoolTags") or {})
    pool.settings = {k: v for k, v in request.items() if k not in _POOL_FIELDS and k != "UserPoolId"}
    if "InviteMessageTemplate" in admin:
        pool.settings["AdminCreateUserConfig"] = {
            "AllowAdminCreateUserOnly": pool.allow_admin_create_user_only,
            "UnusedAccountValidityDays": pool.unused_account_validity_days,
            "InviteMessageTemplate": admin["InviteMessageTemplate"],
        }
    pool.lambda_config = dict(request.get("LambdaConfig") or {})
    pool.modified = now


def create_user_pool(d: UserDirectory, request: Request, now: float) -> Response:
    """CreateUserPool."""
    settings.check_pool(request)
    if request.get("UsernameAttributes") and request.get("AliasAttributes"):
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )
    pool_id = d.new_pool_id()
    username_config = request.get("UsernameConfiguration")
    pool = UserPool(
        id=pool_id,
        name=request["PoolName"],
        arn=f"arn:aws:cognito-idp:{d.region}:{d.account_id}:userpool/{pool_id}",
        created=now,
        modified=now,
        username_attributes=list(request.get("UsernameAttributes") or []),
        alias_attributes=list(request.get("AliasAttributes") or []),
        case_sensitive=None if username_config is None else bool(username_config["CaseSensitive"]),
    )
    configure(pool, request, now)
    add_schema(pool, list(request.get("Schema") or []))
    pool.mfa = _creation_mfa(request)
    d.pools[pool_id] = pool
    d.record(EventKind.POOL_CREATED, pool_id, pool.name, now)
    return {"UserPool": wire.pool_type(pool)}


def describe_user_pool(d: UserDirectory, request: Request, now: float) -> Response:
    """DescribeUserPool."""
    return {"UserPool": wire.pool_type(d.pool(request["UserPoolId"]))}


def delete_user_pool(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteUserPool (refused while DeletionProtection is ACTIVE)."""
    pool = d.pool(request["UserPoolId"])
    if pool.deletion_protection == "ACTIVE":
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    del d.pools[pool.id]
    d.record(EventKind.POOL_DELETED, pool.id, pool.name, now)
    return {}


def list_user_pools(d: UserDirectory, request: Request, now: float) -> Response:
    """ListUserPools."""
    pools, token = wire.page(list(d.pools.values()), request["MaxResults"], request.get("NextToken"), "pools")
    out: Response = {"UserPools": [wire.pool_description(p) for p in pools]}
    if token:
        out["NextToken"] = token
    return out


def _validity(request: Request, key: str, unit: str, default: int, low: int, high: int) -> int:
    value = request.get(f"{key}Validity")
    if value is None or (key == "RefreshToken" and value == 0):
        return default
    seconds = int(value) * wire.UNIT_SECONDS[unit]
    if not low <= seconds <= high:
        raise InvalidParameterException("Invalid range for token validity.")
    return seconds


def build_client(
    d: UserDirectory,
    pool: UserPool,
    request: Request,
    now: float,
    *,
    client_id: str,
    secret: str | None,
    created: float,
    name: str,
) -> AppClient:
    """An app client from a CreateUserPoolClient/UpdateUserPoolClient request (checked); defaults for the rest."""
    settings.check_client(
        request, "UpdateUserPoolClient" if "ClientId" in request else "CreateUserPoolClient"
    )
    flows = list(request["ExplicitAuthFlows"]) if "ExplicitAuthFlows" in request else list(DEFAULT_AUTH_FLOWS)
    legacy = [f for f in flows if f in _LEGACY_FLOWS]
    if legacy and len(legacy) != len(flows):
        raise InvalidParameterException("Legacy and ALLOW_ ExplicitAuthFlows values cannot be mixed.")
    for key in ("ReadAttributes", "WriteAttributes"):
        if key in request and not attrs.check_names(pool, request[key]):
            word = "read" if key == "ReadAttributes" else "write"
            raise InvalidParameterException(f"Invalid {word} attributes specified while creating a client")
    units = {**_DEFAULT_UNITS, **(request.get("TokenValidityUnits") or {})}
    return AppClient(
        id=client_id,
        pool_id=pool.id,
        name=name,
        created=created,
        modified=now,
        secret=secret,
        explicit_auth_flows=flows,
        read_attributes=list(request["ReadAttributes"]) if "ReadAttributes" in request else None,
        write_attributes=list(request["WriteAttributes"]) if "WriteAttributes" in request else None,
        access_token_validity=_validity(request, "AccessToken", units["AccessToken"], 3600, 300, 86400),
        id_token_validity=_validity(request, "IdToken", units["IdToken"], 3600, 300, 86400),
        refresh_token_validity=_validity(
            request, "RefreshToken", units["RefreshToken"], 30 * 86400, 3600, 3650 * 86400
        ),
        validity_units=units,
        validity_given=[k for k in ("AccessToken", "IdToken") if f"{k}Validity" in request],
        prevent_user_existence_errors=request.get("PreventUserExistenceErrors", "LEGACY"),
        enable_token_revocation=bool(request.get("EnableTokenRevocation", True)),
        auth_session_validity=request.get("AuthSessionValidity", 3),
        oauth=oauth.settings(pool, request, secret is not None),
        settings={k: v for k, v in request.items() if k not in settings.CLIENT_EMULATED and k != "ClientId"},
    )


def create_user_pool_client(d: UserDirectory, request: Request, now: float) -> Response:
    """CreateUserPoolClient."""
    pool = d.pool(request["UserPoolId"])
    secret = request.get("ClientSecret")
    if secret is not None and request.get("GenerateSecret"):
        raise InvalidParameterException(
            "You cannot specify both GenerateSecret as true and provide a ClientSecret value."
        )
    if secret is None and request.get("GenerateSecret"):
        secret = d.random_string(51, "abcdefghijklmnopqrstuvwxyz0123456789")
    client = build_client(
        d,
        pool,
        request,
        now,
        client_id=d.new_client_id(),
        secret=secret,
        created=now,
        name=request["ClientName"],
    )
    pool.clients[client.id] = client
    d.record(EventKind.CLIENT_CREATED, pool.id, client.id, now, client.name)
    return {"UserPoolClient": wire.client_type(client)}


def describe_user_pool_client(d: UserDirectory, request: Request, now: float) -> Response:
    """DescribeUserPoolClient."""
    pool = d.pool(request["UserPoolId"])
    _, client = d.client(request["ClientId"], pool)
    return {"UserPoolClient": wire.client_type(client)}


def group(pool: UserPool, name: str) -> Group:
    """The group, or ResourceNotFoundException "Group not found."."""
    found = pool.groups.get(name)
    if found is None:
        raise ResourceNotFoundException("Group not found.")
    return found


def create_group(d: UserDirectory, request: Request, now: float) -> Response:
    """CreateGroup."""
    pool = d.pool(request["UserPoolId"])
    name = request["GroupName"]
    if name in pool.groups:
        raise GroupExistsException(f"A group with the name {name} already exists.")
    created = Group(
        name=name,
        pool_id=pool.id,
        created=now,
        modified=now,
        description=request.get("Description"),
        role_arn=request.get("RoleArn"),
        precedence=request.get("Precedence"),
    )
    pool.groups[name] = created
    d.record(EventKind.GROUP_CREATED, pool.id, name, now)
    return {"Group": wire.group_type(created)}


def get_group(d: UserDirectory, request: Request, now: float) -> Response:
    """GetGroup."""
    return {"Group": wire.group_type(group(d.pool(request["UserPoolId"]), request["GroupName"]))}


def update_group(d: UserDirectory, request: Request, now: float) -> Response:
    """UpdateGroup: only the members given change."""
    pool = d.pool(request["UserPoolId"])
    found = group(pool, request["GroupName"])
    if "Description" in request:
        found.description = request["Description"]
    if "RoleArn" in request:
        found.role_arn = request["RoleArn"]
    if "Precedence" in request:
        found.precedence = request["Precedence"]
    found.modified = now
    d.record(EventKind.GROUP_CHANGED, pool.id, found.name, now)
    return {"Group": wire.group_type(found)}


def delete_group(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteGroup: members lose the group."""
    pool = d.pool(request["UserPoolId"])
    found = group(pool, request["GroupName"])
    del pool.groups[found.name]
    for user in pool.users.values():
        if found.name in user.groups:
            user.groups.remove(found.name)
    d.record(EventKind.GROUP_DELETED, pool.id, found.name, now)
    return {}


def list_groups(d: UserDirectory, request: Request, now: float) -> Response:
    """ListGroups."""
    pool = d.pool(request["UserPoolId"])
    groups, token = wire.page(
        list(pool.groups.values()), request.get("Limit"), request.get("NextToken"), "groups"
    )
    out: Response = {"Groups": [wire.group_type(g) for g in groups]}
    if token:
        out["NextToken"] = token
    return out


def list_users_in_group(d: UserDirectory, request: Request, now: float) -> Response:
    """ListUsersInGroup."""
    pool = d.pool(request["UserPoolId"])
    found = group(pool, request["GroupName"])
    members = [u for u in pool.users.values() if found.name in u.groups]
    users, token = wire.page(members, request.get("Limit"), request.get("NextToken"), f"members:{found.name}")
    out: Response = {"Users": [wire.user_type(u) for u in users]}
    if token:
        out["NextToken"] = token
    return out


ACTIONS = {
    "createUserPool": create_user_pool,
    "describeUserPool": describe_user_pool,
    "deleteUserPool": delete_user_pool,
    "listUserPools": list_user_pools,
    "createUserPoolClient": create_user_pool_client,
    "describeUserPoolClient": describe_user_pool_client,
    "createGroup": create_group,
    "getGroup": get_group,
    "updateGroup": update_group,
    "deleteGroup": delete_group,
    "listGroups": list_groups,
    "listUsersInGroup": list_users_in_group,
}
