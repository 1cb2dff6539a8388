"""Identity pools (`AWSCognitoIdentityService`): pools, identities, and credentials for user-pool sign-ins.

Actions are `(directory, request, now) -> response` like the user-pool ones. Emulated:
CreateIdentityPool, DescribeIdentityPool, UpdateIdentityPool (the whole configuration, as AWS),
DeleteIdentityPool, ListIdentityPools, SetIdentityPoolRoles, GetIdentityPoolRoles, GetId,
GetCredentialsForIdentity, GetOpenIdToken, DescribeIdentity, ListIdentities, DeleteIdentities.

Logins are user-pool ID tokens, keyed by the pool's provider name
(`cognito-idp.<region>.amazonaws.com/<user pool id>`) among the identity pool's
CognitoIdentityProviders. Each is checked as `cognito_tasks.verify` checks a token (RS256 signature
by the user pool's ID-token key, issuer, expiry, token use `id`, audience = the provider's ClientId,
not signed out or revoked); a token that fails is NotAuthorizedException "Invalid login token. <why>".
Social, OpenID Connect, SAML and developer providers are not emulated and are refused when configured.

Roles [doc, "Role-based access control"]: an unauthenticated identity gets the pool's
`unauthenticated` role (InvalidIdentityPoolConfigurationException without one). An authenticated one
gets, through the provider's RoleMapping: `Token`: the token's `cognito:preferred_role`, or with
CustomRoleArn one of its `cognito:roles`; `Rules`: the first rule whose claim matches (Equals,
Contains, StartsWith, NotEqual); when nothing decides, AmbiguousRoleResolution `AuthenticatedRole`
(the pool's authenticated role) or `Deny` (NotAuthorizedException). Without a mapping, the
authenticated role.

Credentials are well-formed and plainly fake: AccessKeyId `ASIA` + `LOCAL...`, a SecretKey and a
SessionToken that start with `local-fake`, valid one hour. Nothing calls STS; no AWS service accepts
them. GetOpenIdToken answers a token signed by the directory's identity key (issuer
`https://cognito-identity.amazonaws.com`, audience the identity pool, subject the identity, 10 minutes).
"""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Callable
from typing import Any

from cognito_tasks import tokens, verify, wire
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    CognitoError,
    InvalidParameterException,
    NotAuthorizedException,
    NotEmulated,
    ResourceNotFoundException,
)
from cognito_tasks.model import Identity, IdentityPool

Request = dict[str, Any]
Response = dict[str, Any]
Action = Callable[[UserDirectory, Request, float], Response]

ISSUER = "https://cognito-identity.amazonaws.com"
_UNAUTHENTICATED = "Unauthenticated access is not supported for this identity pool."
_NOT_EMULATED = {
    "SupportedLoginProviders": "sign-in through social providers (Facebook, Google, Amazon, Apple)",
    "DeveloperProviderName": "developer-authenticated identities",
    "OpenIdConnectProviderARNs": "OpenID Connect providers",
    "SamlProviderARNs": "SAML providers",
}


class InvalidIdentityPoolConfigurationException(CognitoError):
    """The identity pool lacks what the request needs (a role)."""


class ResourceConflictException(CognitoError):
    """The identity is linked to other logins."""


def _pool(d: UserDirectory, pool_id: str) -> IdentityPool:
    found = d.identity_pools.get(pool_id)
    if found is None:
        raise ResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")
    return found


def _identity(d: UserDirectory, identity_id: str) -> Identity:
    found = d.identities.get(identity_id)
    if found is None:
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    return found


def _configure(pool: IdentityPool, request: Request) -> None:
    for member, what in _NOT_EMULATED.items():
        if request.get(member):
            raise NotEmulated(
                f"{member}: {what} are not emulated locally; use CognitoIdentityProviders (user pools)"
            )
    for provider in request.get("CognitoIdentityProviders") or []:
        name = str(provider.get("ProviderName", ""))
        if not name.startswith("cognito-idp.") or "/" not in name or not provider.get("ClientId"):
            raise InvalidParameterException(
                f"CognitoIdentityProvider {name!r} must be named cognito-idp.<region>.amazonaws.com/<user pool id> "
                "and have a ClientId"
            )
    pool.name = request["IdentityPoolName"]
    pool.allow_unauthenticated = bool(request["AllowUnauthenticatedIdentities"])
    pool.allow_classic_flow = bool(request.get("AllowClassicFlow", False))
    pool.providers = [dict(p) for p in request.get("CognitoIdentityProviders") or []]
    pool.tags = dict(request.get("IdentityPoolTags") or {})


def _pool_type(pool: IdentityPool) -> Response:
    return {
        "IdentityPoolId": pool.id,
        "IdentityPoolName": pool.name,
        "AllowUnauthenticatedIdentities": pool.allow_unauthenticated,
        "AllowClassicFlow": pool.allow_classic_flow,
        "SupportedLoginProviders": {},
        "CognitoIdentityProviders": [dict(p) for p in pool.providers],
        "IdentityPoolTags": dict(pool.tags),
    }


def create_identity_pool(d: UserDirectory, request: Request, now: float) -> Response:
    """CreateIdentityPool."""
    pool = IdentityPool(id=f"{d.region}:{d.new_uuid()}", name="", created=now)
    _configure(pool, request)
    d.identity_pools[pool.id] = pool
    return _pool_type(pool)


def describe_identity_pool(d: UserDirectory, request: Request, now: float) -> Response:
    """DescribeIdentityPool."""
    return _pool_type(_pool(d, request["IdentityPoolId"]))


def update_identity_pool(d: UserDirectory, request: Request, now: float) -> Response:
    """UpdateIdentityPool: the configuration becomes the request's."""
    pool = _pool(d, request["IdentityPoolId"])
    _configure(pool, request)
    return _pool_type(pool)


def delete_identity_pool(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteIdentityPool (with its identities)."""
    pool = _pool(d, request["IdentityPoolId"])
    del d.identity_pools[pool.id]
    for identity_id in [i.id for i in d.identities.values() if i.pool_id == pool.id]:
        del d.identities[identity_id]
    return {}


def list_identity_pools(d: UserDirectory, request: Request, now: float) -> Response:
    """ListIdentityPools."""
    pools, token = wire.page(
        list(d.identity_pools.values()), request["MaxResults"], request.get("NextToken"), "ipools"
    )
    out: Response = {"IdentityPools": [{"IdentityPoolId": p.id, "IdentityPoolName": p.name} for p in pools]}
    if token:
        out["NextToken"] = token
    return out


def set_identity_pool_roles(d: UserDirectory, request: Request, now: float) -> Response:
    """SetIdentityPoolRoles."""
    pool = _pool(d, request["IdentityPoolId"])
    roles = dict(request["Roles"])
    unknown = sorted(set(roles) - {"authenticated", "unauthenticated"})
    if unknown:
        raise InvalidParameterException(f"Roles may be authenticated and unauthenticated, not {unknown[0]}")
    mappings = dict(request.get("RoleMappings") or {})
    providers = {p["ProviderName"] for p in pool.providers}
    for name, mapping in mappings.items():
        if name not in providers:
            raise InvalidParameterException(f"RoleMappings names {name}, which is not a provider of the pool")
        if mapping.get("Type") == "Rules" and not (mapping.get("RulesConfiguration") or {}).get("Rules"):
            raise InvalidParameterException("A Rules role mapping needs RulesConfiguration.Rules")
    pool.roles = roles
    pool.role_mappings = mappings
    return {}


def get_identity_pool_roles(d: UserDirectory, request: Request, now: float) -> Response:
    """GetIdentityPoolRoles."""
    pool = _pool(d, request["IdentityPoolId"])
    out: Response = {"IdentityPoolId": pool.id, "Roles": dict(pool.roles)}
    if pool.role_mappings:
        out["RoleMappings"] = dict(pool.role_mappings)
    return out


def _logins(
    d: UserDirectory, pool: IdentityPool, logins: dict[str, str], now: float
) -> dict[str, dict[str, Any]]:
    """The verified claims of each login token, by provider name; NotAuthorizedException for a bad one."""
    checked: dict[str, dict[str, Any]] = {}
    for name, token in logins.items():
        provider = next((p for p in pool.providers if p["ProviderName"] == name), None)
        if provider is None:
            raise NotAuthorizedException(
                f"Invalid login token. {name} is not a provider of this identity pool."
            )
        user_pool = name.rsplit("/", 1)[-1]
        outcome = verify.check(
            d, token, now, token_use="id", pool_id=user_pool, client_ids=[str(provider["ClientId"])]
        )
        if not outcome.allowed:
            raise NotAuthorizedException(f"Invalid login token. {outcome.reason}.")
        checked[name] = outcome.claims
    return checked


def get_id(d: UserDirectory, request: Request, now: float) -> Response:
    """GetId: the identity of these logins (the same one every time), or a new unauthenticated one."""
    pool = _pool(d, request["IdentityPoolId"])
    logins = dict(request.get("Logins") or {})
    if not logins:
        if not pool.allow_unauthenticated:
            raise NotAuthorizedException(_UNAUTHENTICATED)
        identity = Identity(f"{d.region}:{d.new_uuid()}", pool.id, now, now)
        d.identities[identity.id] = identity
        return {"IdentityId": identity.id}
    keys = [f"{name}:{claims['sub']}" for name, claims in _logins(d, pool, logins, now).items()]
    for identity in d.identities.values():
        if identity.pool_id == pool.id and set(keys) & set(identity.logins):
            identity.logins = sorted(set(identity.logins) | set(keys))
            identity.modified = now
            return {"IdentityId": identity.id}
    identity = Identity(f"{d.region}:{d.new_uuid()}", pool.id, now, now, sorted(keys))
    d.identities[identity.id] = identity
    return {"IdentityId": identity.id}


def _authorized(
    d: UserDirectory, request: Request, now: float
) -> tuple[IdentityPool, Identity, dict[str, dict[str, Any]]]:
    identity = _identity(d, request["IdentityId"])
    pool = _pool(d, identity.pool_id)
    logins = dict(request.get("Logins") or {})
    checked = _logins(d, pool, logins, now)
    if identity.logins:
        keys = {f"{name}:{claims['sub']}" for name, claims in checked.items()}
        if not keys & set(identity.logins):
            raise NotAuthorizedException(
                "Logins don't match. Please include at least one valid login for this identity or identity pool."
            )
    elif checked:
        raise ResourceConflictException("The identity is unauthenticated; call GetId with the logins first.")
    elif not pool.allow_unauthenticated:
        raise NotAuthorizedException(_UNAUTHENTICATED)
    return pool, identity, checked


_MATCH: dict[str, Callable[[str, str], bool]] = {
    "Equals": lambda have, want: have == want,
    "Contains": lambda have, want: want in have,
    "StartsWith": lambda have, want: have.startswith(want),
    "NotEqual": lambda have, want: have != want,
}


def _claim_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _mapped_role(mapping: dict[str, Any], claims: dict[str, Any], custom: str | None) -> str | None:
    if mapping.get("Type") == "Token":
        roles = claims.get("cognito:roles") or []
        if custom is not None:
            if custom not in roles:
                raise InvalidParameterException(
                    f"CustomRoleArn {custom} is not one of the token's cognito:roles"
                )
            return custom
        preferred = claims.get("cognito:preferred_role")
        return str(preferred) if preferred else None
    for rule in (mapping.get("RulesConfiguration") or {}).get("Rules") or []:
        if _MATCH[rule["MatchType"]](_claim_text(claims.get(rule["Claim"])), str(rule["Value"])):
            return str(rule["RoleARN"])
    return None


def _role(pool: IdentityPool, checked: dict[str, dict[str, Any]], custom: str | None) -> str:
    if not checked:
        role = pool.roles.get("unauthenticated")
        if role is None:
            raise InvalidIdentityPoolConfigurationException(
                "Invalid identity pool configuration. Check assigned IAM roles for this pool."
            )
        return role
    for name, claims in checked.items():
        mapping = pool.role_mappings.get(name)
        if mapping is None:
            continue
        role = _mapped_role(mapping, claims, custom)
        if role is not None:
            return role
        if mapping.get("AmbiguousRoleResolution") == "Deny":
            raise NotAuthorizedException(
                "Unable to determine a role for the login (AmbiguousRoleResolution Deny)."
            )
    role = pool.roles.get("authenticated")
    if role is None:
        raise InvalidIdentityPoolConfigurationException(
            "Invalid identity pool configuration. Check assigned IAM roles for this pool."
        )
    return role


def get_credentials_for_identity(d: UserDirectory, request: Request, now: float) -> Response:
    """GetCredentialsForIdentity: fake temporary credentials for the identity's role."""
    pool, identity, checked = _authorized(d, request, now)
    role = _role(pool, checked, request.get("CustomRoleArn"))
    session = base64.urlsafe_b64encode(json.dumps({"identity": identity.id, "role": role}).encode()).decode()
    return {
        "IdentityId": identity.id,
        "Credentials": {
            "AccessKeyId": "ASIALOCAL" + d.random_string(11, string.ascii_uppercase + string.digits),
            "SecretKey": "local-fake-" + d.random_string(29),
            "SessionToken": f"local-fake-session/{session}",
            "Expiration": wire.Timestamp(now + 3600),
        },
    }


def get_open_id_token(d: UserDirectory, request: Request, now: float) -> Response:
    """GetOpenIdToken: an OpenID token for the identity, signed by the directory's identity key."""
    pool, identity, checked = _authorized(d, request, now)
    if d.identity_key is None:
        d.identity_key = tokens.SigningKey(d.key_factory())
    issued = int(now)
    claims = {
        "sub": identity.id,
        "aud": pool.id,
        "amr": ["authenticated", *checked] if checked else ["unauthenticated"],
        "iss": ISSUER,
        "exp": issued + 600,
        "iat": issued,
    }
    return {"IdentityId": identity.id, "Token": tokens.sign(claims, d.identity_key)}


def describe_identity(d: UserDirectory, request: Request, now: float) -> Response:
    """DescribeIdentity."""
    identity = _identity(d, request["IdentityId"])
    return {
        "IdentityId": identity.id,
        "Logins": sorted({key.rsplit(":", 1)[0] for key in identity.logins}),
        "CreationDate": wire.Timestamp(identity.created),
        "LastModifiedDate": wire.Timestamp(identity.modified),
    }


def list_identities(d: UserDirectory, request: Request, now: float) -> Response:
    """ListIdentities."""
    pool = _pool(d, request["IdentityPoolId"])
    mine = [i for i in d.identities.values() if i.pool_id == pool.id]
    page, token = wire.page(mine, request["MaxResults"], request.get("NextToken"), f"identities:{pool.id}")
    out: Response = {
        "IdentityPoolId": pool.id,
        "Identities": [describe_identity(d, {"IdentityId": i.id}, now) for i in page],
    }
    if token:
        out["NextToken"] = token
    return out


def delete_identities(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteIdentities (unknown ids are reported back)."""
    missing = []
    for identity_id in request["IdentityIdsToDelete"]:
        if d.identities.pop(identity_id, None) is None:
            missing.append({"IdentityId": identity_id, "ErrorCode": "IdentityNotFound"})
    return {"UnprocessedIdentityIds": missing}


ACTIONS: dict[str, Action] = {
    "CreateIdentityPool": create_identity_pool,
    "DescribeIdentityPool": describe_identity_pool,
    "UpdateIdentityPool": update_identity_pool,
    "DeleteIdentityPool": delete_identity_pool,
    "ListIdentityPools": list_identity_pools,
    "SetIdentityPoolRoles": set_identity_pool_roles,
    "GetIdentityPoolRoles": get_identity_pool_roles,
    "GetId": get_id,
    "GetCredentialsForIdentity": get_credentials_for_identity,
    "GetOpenIdToken": get_open_id_token,
    "DescribeIdentity": describe_identity,
    "ListIdentities": list_identities,
    "DeleteIdentities": delete_identities,
}

#: Actions that never change the directory.
READS = frozenset(
    {describe_identity_pool, list_identity_pools, get_identity_pool_roles, describe_identity, list_identities}
)
