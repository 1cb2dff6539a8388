"""Domain objects -> the API's response members (PascalCase), timestamps, masks and page tokens.

Timestamps: the actions return `Timestamp` values and the registered handler renders them once,
at the edge, in the style chosen at `register(..., timestamps=...)`:

* `"iso"` (default): `2024-05-01T12:00:00.000Z`. Step Functions' AWS SDK integrations hand dates
  to the state output as ISO-8601 strings with milliseconds and `Z` [obs: a CloudFormation
  `describeStacks` Task returned `"CreationTime": "2013-08-23T01:02:15.422Z"`]; the Cognito
  wire format (epoch seconds) is what the JSON API itself sends, not what a state sees.
* `"epoch"`: the awsJson epoch-seconds number (`1714564800.0`), as boto3 users see on the wire.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from cognito_tasks import attributes as attrs
from cognito_tasks import oauth
from cognito_tasks.errors import InvalidParameterException
from cognito_tasks.model import AppClient, Group, IssuedCode, SchemaAttribute, User, UserPool

TimestampStyle = Literal["iso", "epoch"]
T = TypeVar("T")


class Timestamp(float):
    """An instant (epoch seconds) in a response, rendered by `render`."""

    __slots__ = ()


def render(value: Any, style: TimestampStyle) -> Any:
    """`value` with every `Timestamp` rendered in `style` (a new structure; the input is not changed)."""
    if isinstance(value, Timestamp):
        if style == "epoch":
            return round(float(value), 3)
        moment = datetime.fromtimestamp(float(value), UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if isinstance(value, dict):
        return {k: render(v, style) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, style) for v in value]
    return value


def attribute_list(attributes: dict[str, str], only: Sequence[str] | None = None) -> list[dict[str, str]]:
    """`[{"Name", "Value"}]`, `sub` first (restricted to `only` when given)."""
    names = sorted(attributes, key=lambda n: n != "sub")
    if only is not None:
        names = [n for n in names if n in only]
    return [{"Name": n, "Value": attributes[n]} for n in names]


def user_type(user: User, only: Sequence[str] | None = None) -> dict[str, Any]:
    """UserType (ListUsers, AdminCreateUser): `Attributes`, dates, `Enabled`, `UserStatus`."""
    return {
        "Username": user.username,
        "Attributes": attribute_list(user.attributes, only),
        "UserCreateDate": Timestamp(user.created),
        "UserLastModifiedDate": Timestamp(user.modified),
        "Enabled": user.enabled,
        "UserStatus": str(user.status),
    }


def mfa_members(user: User) -> dict[str, Any]:
    """`MFAOptions`, `PreferredMfaSetting` and `UserMFASettingList` of GetUser/AdminGetUser, when set."""
    out: dict[str, Any] = {}
    if user.mfa.sms_enabled:
        out["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    if user.mfa.preferred:
        out["PreferredMfaSetting"] = user.mfa.preferred
    if user.mfa.enabled():
        out["UserMFASettingList"] = user.mfa.enabled()
    return out


def admin_get_user(user: User) -> dict[str, Any]:
    """AdminGetUser's response: `UserAttributes`, dates, `Enabled`, `UserStatus`, MFA settings."""
    return {
        "Username": user.username,
        "UserAttributes": attribute_list(user.attributes),
        "UserCreateDate": Timestamp(user.created),
        "UserLastModifiedDate": Timestamp(user.modified),
        "Enabled": user.enabled,
        "UserStatus": str(user.status),
        **mfa_members(user),
    }


def group_type(group: Group) -> dict[str, Any]:
    """GroupType."""
    out: dict[str, Any] = {"GroupName": group.name, "UserPoolId": group.pool_id}
    if group.description is not None:
        out["Description"] = group.description
    if group.role_arn is not None:
        out["RoleArn"] = group.role_arn
    if group.precedence is not None:
        out["Precedence"] = group.precedence
    out["LastModifiedDate"] = Timestamp(group.modified)
    out["CreationDate"] = Timestamp(group.created)
    return out


def schema_attribute(entry: SchemaAttribute) -> dict[str, Any]:
    """SchemaAttributeType."""
    out: dict[str, Any] = {
        "Name": entry.name,
        "AttributeDataType": entry.data_type,
        "DeveloperOnlyAttribute": entry.developer_only,
        "Mutable": entry.mutable,
        "Required": entry.required,
    }
    if entry.data_type == "String" and (entry.min_length is not None or entry.max_length is not None):
        out["StringAttributeConstraints"] = {
            k: str(v)
            for k, v in (("MinLength", entry.min_length), ("MaxLength", entry.max_length))
            if v is not None
        }
    if entry.data_type == "Number" and (entry.min_value is not None or entry.max_value is not None):
        out["NumberAttributeConstraints"] = {
            k: f"{v:g}"
            for k, v in (("MinValue", entry.min_value), ("MaxValue", entry.max_value))
            if v is not None
        }
    return out


def pool_type(pool: UserPool) -> dict[str, Any]:
    """UserPoolType (CreateUserPool, DescribeUserPool)."""
    policy = pool.password_policy
    password_policy: dict[str, Any] = {
        "MinimumLength": policy.minimum_length,
        "RequireUppercase": policy.require_uppercase,
        "RequireLowercase": policy.require_lowercase,
        "RequireNumbers": policy.require_numbers,
        "RequireSymbols": policy.require_symbols,
        "TemporaryPasswordValidityDays": policy.temporary_password_validity_days,
    }
    if policy.history_size is not None:
        password_policy["PasswordHistorySize"] = policy.history_size
    out: dict[str, Any] = {
        "Id": pool.id,
        "Name": pool.name,
        "Policies": {
            "PasswordPolicy": password_policy,
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
        },
        "DeletionProtection": pool.deletion_protection,
        "LambdaConfig": dict(pool.lambda_config),
        "LastModifiedDate": Timestamp(pool.modified),
        "CreationDate": Timestamp(pool.created),
        "SchemaAttributes": [schema_attribute(e) for e in attrs.schema(pool)],
    }
    for key, value in (
        ("AutoVerifiedAttributes", pool.auto_verified_attributes),
        ("AliasAttributes", pool.alias_attributes),
        ("UsernameAttributes", pool.username_attributes),
    ):
        if value:
            out[key] = list(value)
    out["VerificationMessageTemplate"] = {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    if pool.mfa.sms_message:
        out["SmsAuthenticationMessage"] = pool.mfa.sms_message
    out["MfaConfiguration"] = pool.mfa_configuration
    out["EstimatedNumberOfUsers"] = len(pool.users)
    out["EmailConfiguration"] = {"EmailSendingAccount": "COGNITO_DEFAULT"}
    out["UserPoolTags"] = dict(pool.tags)
    out["AdminCreateUserConfig"] = {
        "AllowAdminCreateUserOnly": pool.allow_admin_create_user_only,
        "UnusedAccountValidityDays": pool.unused_account_validity_days,
    }
    if pool.case_sensitive is not None:
        out["UsernameConfiguration"] = {"CaseSensitive": pool.case_sensitive}
    if pool.domain is not None:
        out["CustomDomain" if pool.domain.certificate_arn else "Domain"] = pool.domain.name
    out["Arn"] = pool.arn
    out["UserPoolTier"] = "ESSENTIALS"
    out.update(pool.settings)
    return out


def pool_description(pool: UserPool) -> dict[str, Any]:
    """UserPoolDescriptionType (ListUserPools)."""
    return {
        "Id": pool.id,
        "Name": pool.name,
        "LambdaConfig": dict(pool.lambda_config),
        "LastModifiedDate": Timestamp(pool.modified),
        "CreationDate": Timestamp(pool.created),
    }


#: Seconds in each TimeUnitsType value.
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def client_type(client: AppClient) -> dict[str, Any]:
    """UserPoolClientType (CreateUserPoolClient, DescribeUserPoolClient)."""
    units = client.validity_units
    out: dict[str, Any] = {
        "UserPoolId": client.pool_id,
        "ClientName": client.name,
        "ClientId": client.id,
    }
    if client.secret is not None:
        out["ClientSecret"] = client.secret
    out["LastModifiedDate"] = Timestamp(client.modified)
    out["CreationDate"] = Timestamp(client.created)
    out["RefreshTokenValidity"] = client.refresh_token_validity // UNIT_SECONDS[units["RefreshToken"]]
    if "AccessToken" in client.validity_given:
        out["AccessTokenValidity"] = client.access_token_validity // UNIT_SECONDS[units["AccessToken"]]
    if "IdToken" in client.validity_given:
        out["IdTokenValidity"] = client.id_token_validity // UNIT_SECONDS[units["IdToken"]]
    out["TokenValidityUnits"] = dict(units)
    if client.read_attributes is not None:
        out["ReadAttributes"] = list(client.read_attributes)
    if client.write_attributes is not None:
        out["WriteAttributes"] = list(client.write_attributes)
    out["ExplicitAuthFlows"] = list(client.explicit_auth_flows)
    out.update(oauth.members(client.oauth))
    out["PreventUserExistenceErrors"] = client.prevent_user_existence_errors
    out["EnableTokenRevocation"] = client.enable_token_revocation
    out["EnablePropagateAdditionalUserContextData"] = False
    out["AuthSessionValidity"] = client.auth_session_validity
    out.update(client.settings)
    return out


def mask(value: str) -> str:
    """How CodeDeliveryDetails shows a destination: `j***@e***` or `+*******1212`."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return value[:1] + "*" * max(len(value) - 5, 0) + value[-4:]


def code_delivery(code: IssuedCode) -> dict[str, str]:
    """CodeDeliveryDetailsType for a sent code."""
    return {
        "Destination": mask(code.destination or ""),
        "DeliveryMedium": code.medium or "EMAIL",
        "AttributeName": code.attribute or "email",
    }


def outbox_entry(code: IssuedCode) -> dict[str, Any]:
    """One message of the outbox as `asl cognito codes --json` and `GET /cognito/outbox` show it."""
    return {
        "UserPoolId": code.pool_id,
        "Username": code.username,
        "Purpose": str(code.purpose),
        "Code": code.code,
        "DeliveryMedium": code.medium,
        "Destination": code.destination,
        "Message": code.message,
        "Subject": code.subject,
        "Used": code.used,
    }


def page(
    items: Sequence[T], limit: int | None, token: str | None, kind: str
) -> tuple[Sequence[T], str | None]:
    """One page of `items` and the token for the next (None on the last page)."""
    start = 0
    if token is not None:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            if data.get("k") != kind:
                raise ValueError(token)
            start = int(data["o"])
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidParameterException("Invalid pagination token.") from exc
    size = limit if limit else 60
    chunk = items[start : start + size]
    if start + size >= len(items):
        return chunk, None
    next_token = base64.urlsafe_b64encode(json.dumps({"k": kind, "o": start + size}).encode()).decode()
    return chunk, next_token
