"""What the hosted sign-in and OAuth 2.0 endpoints are configured with: domains, resource servers, identity providers.

Domains [doc, CreateUserPoolDomain and "Using the Amazon Cognito prefix domain"]: one per pool; a
prefix is lowercase letters, digits and hyphens, unique across the directory, and may not contain
`aws`, `amazon` or `cognito`; a custom domain (CustomDomainConfig.CertificateArn) is stored as
given (ACM and CloudFront are not contacted: the certificate is not checked). Locally the endpoints
are on `asl serve`'s own address whatever the domain is called, but a pool without a domain has no
OAuth endpoints, as on AWS. DescribeUserPoolDomain of an unknown domain answers an empty
DomainDescription, as AWS does [obs].

Resource servers: `<identifier>/<scope>` scopes that app clients may allow and client_credentials
tokens carry. Identity providers (SAML, OIDC, social) are stored, listed and described, so a setup
script runs; signing in through one is not emulated (the sign-in page says so, and
`/oauth2/authorize?identity_provider=<name>` is refused with that reason).
"""

from __future__ import annotations

import re
from typing import Any

from cognito_tasks import wire
from cognito_tasks.actions_pools import Request, Response
from cognito_tasks.directory import UserDirectory
from cognito_tasks.errors import (
    DuplicateProviderException,
    InvalidParameterException,
    ResourceNotFoundException,
)
from cognito_tasks.model import Domain, EventKind, IdentityProvider, ResourceServer, UserPool

_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$")
_RESERVED = ("aws", "amazon", "cognito")


# -- domains --------------------------------------------------------------------------------------


def _domain_owner(d: UserDirectory, name: str) -> UserPool | None:
    return next((p for p in d.pools.values() if p.domain is not None and p.domain.name == name), None)


def _domain_answer(pool: UserPool) -> Response:
    assert pool.domain is not None
    out: Response = {"ManagedLoginVersion": pool.domain.managed_login_version}
    if pool.domain.certificate_arn:
        out["CloudFrontDomain"] = f"{pool.domain.name.replace('.', '-')}.cloudfront.net"
    return out


def _domain_settings(domain: Domain, request: Request) -> None:
    custom = request.get("CustomDomainConfig")
    domain.certificate_arn = custom["CertificateArn"] if custom else None
    domain.managed_login_version = int(request.get("ManagedLoginVersion", domain.managed_login_version))
    if request.get("Routing"):
        raise InvalidParameterException("Routing is for user pool replicas, which are not emulated.")


def create_user_pool_domain(d: UserDirectory, request: Request, now: float) -> Response:
    """CreateUserPoolDomain."""
    pool = d.pool(request["UserPoolId"])
    name = request["Domain"]
    if pool.domain is not None:
        raise InvalidParameterException(f"User pool {pool.id} already has a domain configured.")
    if _domain_owner(d, name) is not None:
        raise InvalidParameterException("Domain already exists.")
    if not request.get("CustomDomainConfig"):
        if not _PREFIX.match(name):
            raise InvalidParameterException(
                f"Domain {name!r} is not a valid prefix: lowercase letters, numbers and hyphens, "
                "not starting or ending with a hyphen, at most 63 characters."
            )
        for word in _RESERVED:
            if word in name:
                raise InvalidParameterException(f"Domain cannot contain reserved word: {word}")
    domain = Domain(name)
    _domain_settings(domain, request)
    pool.domain = domain
    d.record(EventKind.POOL_CHANGED, pool.id, pool.name, now, f"domain {name}")
    return _domain_answer(pool)


def _own_domain(d: UserDirectory, request: Request) -> UserPool:
    pool = d.pool(request["UserPoolId"])
    if pool.domain is None or pool.domain.name != request["Domain"]:
        raise InvalidParameterException(f"Domain {request['Domain']} is not the domain of {pool.id}.")
    return pool


def update_user_pool_domain(d: UserDirectory, request: Request, now: float) -> Response:
    """UpdateUserPoolDomain: the branding version or the custom domain's certificate."""
    pool = _own_domain(d, request)
    assert pool.domain is not None
    _domain_settings(pool.domain, request)
    return _domain_answer(pool)


def delete_user_pool_domain(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteUserPoolDomain."""
    pool = _own_domain(d, request)
    pool.domain = None
    d.record(EventKind.POOL_CHANGED, pool.id, pool.name, now, f"domain {request['Domain']} deleted")
    return {}


def describe_user_pool_domain(d: UserDirectory, request: Request, now: float) -> Response:
    """DescribeUserPoolDomain."""
    pool = _domain_owner(d, request["Domain"])
    if pool is None or pool.domain is None:
        return {"DomainDescription": {}}
    description: dict[str, Any] = {
        "UserPoolId": pool.id,
        "AWSAccountId": d.account_id,
        "Domain": pool.domain.name,
        "CloudFrontDistribution": _domain_answer(pool).get("CloudFrontDomain", "local.cloudfront.net"),
        "Version": "20240101000000",
        "Status": "ACTIVE",
        "ManagedLoginVersion": pool.domain.managed_login_version,
    }
    if pool.domain.certificate_arn:
        description["CustomDomainConfig"] = {"CertificateArn": pool.domain.certificate_arn}
    return {"DomainDescription": description}


# -- resource servers -----------------------------------------------------------------------------


def _scopes(request: Request) -> dict[str, str]:
    scopes: dict[str, str] = {}
    for scope in request.get("Scopes") or []:
        name = scope["ScopeName"]
        if name in scopes:
            raise InvalidParameterException(f"Duplicate scope name {name}.")
        scopes[name] = scope["ScopeDescription"]
    return scopes


def _server_type(pool: UserPool, server: ResourceServer) -> dict[str, Any]:
    out: dict[str, Any] = {"UserPoolId": pool.id, "Identifier": server.identifier, "Name": server.name}
    out["Scopes"] = [{"ScopeName": n, "ScopeDescription": s} for n, s in server.scopes.items()]
    return out


def _server(pool: UserPool, identifier: str) -> ResourceServer:
    found = pool.resource_servers.get(identifier)
    if found is None:
        raise ResourceNotFoundException(f"Resource server {identifier} does not exist.")
    return found


def create_resource_server(d: UserDirectory, request: Request, now: float) -> Response:
    """CreateResourceServer."""
    pool = d.pool(request["UserPoolId"])
    identifier = request["Identifier"]
    if identifier in pool.resource_servers:
        raise InvalidParameterException(f"{identifier} already exists in user pool {pool.id}.")
    server = ResourceServer(identifier, request["Name"], _scopes(request))
    pool.resource_servers[identifier] = server
    d.record(EventKind.POOL_CHANGED, pool.id, pool.name, now, f"resource server {identifier}")
    return {"ResourceServer": _server_type(pool, server)}


def describe_resource_server(d: UserDirectory, request: Request, now: float) -> Response:
    """DescribeResourceServer."""
    pool = d.pool(request["UserPoolId"])
    return {"ResourceServer": _server_type(pool, _server(pool, request["Identifier"]))}


def update_resource_server(d: UserDirectory, request: Request, now: float) -> Response:
    """UpdateResourceServer: the name and scopes become the request's (no scopes: none)."""
    pool = d.pool(request["UserPoolId"])
    server = _server(pool, request["Identifier"])
    server.name = request["Name"]
    server.scopes = _scopes(request)
    return {"ResourceServer": _server_type(pool, server)}


def delete_resource_server(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteResourceServer."""
    pool = d.pool(request["UserPoolId"])
    del pool.resource_servers[_server(pool, request["Identifier"]).identifier]
    return {}


def list_resource_servers(d: UserDirectory, request: Request, now: float) -> Response:
    """ListResourceServers."""
    pool = d.pool(request["UserPoolId"])
    servers, token = wire.page(
        list(pool.resource_servers.values()), request["MaxResults"], request.get("NextToken"), "servers"
    )
    out: Response = {"ResourceServers": [_server_type(pool, s) for s in servers]}
    if token:
        out["NextToken"] = token
    return out


# -- identity providers ---------------------------------------------------------------------------


def _provider_type(pool: UserPool, provider: IdentityProvider) -> dict[str, Any]:
    return {
        "UserPoolId": pool.id,
        "ProviderName": provider.name,
        "ProviderType": provider.type,
        "ProviderDetails": dict(provider.details),
        "AttributeMapping": dict(provider.attribute_mapping),
        "IdpIdentifiers": list(provider.identifiers),
        "LastModifiedDate": wire.Timestamp(provider.modified),
        "CreationDate": wire.Timestamp(provider.created),
    }


def _provider(pool: UserPool, name: str) -> IdentityProvider:
    found = pool.identity_providers.get(name)
    if found is None:
        raise ResourceNotFoundException(f"Identity provider {name} does not exist.")
    return found


def _check_identifiers(pool: UserPool, name: str, identifiers: list[str]) -> None:
    for other in pool.identity_providers.values():
        taken = set(other.identifiers) & set(identifiers)
        if other.name != name and taken:
            raise DuplicateProviderException(
                f"The identifier {sorted(taken)[0]} is already used by {other.name}."
            )


def create_identity_provider(d: UserDirectory, request: Request, now: float) -> Response:
    """CreateIdentityProvider."""
    pool = d.pool(request["UserPoolId"])
    name = request["ProviderName"]
    if name == "COGNITO" or name in pool.identity_providers:
        raise DuplicateProviderException(f"A provider with the name {name} already exists in this user pool.")
    if request.get("AcrMapping"):
        raise InvalidParameterException("AcrMapping is not emulated locally; remove it from the request.")
    identifiers = list(request.get("IdpIdentifiers") or [])
    _check_identifiers(pool, name, identifiers)
    provider = IdentityProvider(
        name=name,
        type=request["ProviderType"],
        created=now,
        modified=now,
        details=dict(request["ProviderDetails"]),
        attribute_mapping=dict(request.get("AttributeMapping") or {}),
        identifiers=identifiers,
    )
    pool.identity_providers[name] = provider
    d.record(EventKind.POOL_CHANGED, pool.id, pool.name, now, f"identity provider {name}")
    return {"IdentityProvider": _provider_type(pool, provider)}


def describe_identity_provider(d: UserDirectory, request: Request, now: float) -> Response:
    """DescribeIdentityProvider."""
    pool = d.pool(request["UserPoolId"])
    return {"IdentityProvider": _provider_type(pool, _provider(pool, request["ProviderName"]))}


def get_identity_provider_by_identifier(d: UserDirectory, request: Request, now: float) -> Response:
    """GetIdentityProviderByIdentifier."""
    pool = d.pool(request["UserPoolId"])
    wanted = request["IdpIdentifier"]
    for provider in pool.identity_providers.values():
        if wanted in provider.identifiers:
            return {"IdentityProvider": _provider_type(pool, provider)}
    raise ResourceNotFoundException(f"Identity provider with identifier {wanted} does not exist.")


def update_identity_provider(d: UserDirectory, request: Request, now: float) -> Response:
    """UpdateIdentityProvider: only the members given change."""
    pool = d.pool(request["UserPoolId"])
    provider = _provider(pool, request["ProviderName"])
    if request.get("AcrMapping"):
        raise InvalidParameterException("AcrMapping is not emulated locally; remove it from the request.")
    if "IdpIdentifiers" in request:
        _check_identifiers(pool, provider.name, list(request["IdpIdentifiers"]))
        provider.identifiers = list(request["IdpIdentifiers"])
    if "ProviderDetails" in request:
        provider.details = dict(request["ProviderDetails"])
    if "AttributeMapping" in request:
        provider.attribute_mapping = dict(request["AttributeMapping"])
    provider.modified = now
    return {"IdentityProvider": _provider_type(pool, provider)}


def delete_identity_provider(d: UserDirectory, request: Request, now: float) -> Response:
    """DeleteIdentityProvider."""
    pool = d.pool(request["UserPoolId"])
    provider = _provider(pool, request["ProviderName"])
    del pool.identity_providers[provider.name]
    for client in pool.clients.values():
        if provider.name in client.oauth.identity_providers:
            client.oauth.identity_providers.remove(provider.name)
    return {}


def list_identity_providers(d: UserDirectory, request: Request, now: float) -> Response:
    """ListIdentityProviders."""
    pool = d.pool(request["UserPoolId"])
    providers, token = wire.page(
        list(pool.identity_providers.values()), request.get("MaxResults"), request.get("NextToken"), "idps"
    )
    out: Response = {
        "Providers": [
            {
                "ProviderName": p.name,
                "ProviderType": p.type,
                "LastModifiedDate": wire.Timestamp(p.modified),
                "CreationDate": wire.Timestamp(p.created),
            }
            for p in providers
        ]
    }
    if token:
        out["NextToken"] = token
    return out


ACTIONS = {
    "createUserPoolDomain": create_user_pool_domain,
    "updateUserPoolDomain": update_user_pool_domain,
    "deleteUserPoolDomain": delete_user_pool_domain,
    "describeUserPoolDomain": describe_user_pool_domain,
    "createResourceServer": create_resource_server,
    "describeResourceServer": describe_resource_server,
    "updateResourceServer": update_resource_server,
    "deleteResourceServer": delete_resource_server,
    "listResourceServers": list_resource_servers,
    "createIdentityProvider": create_identity_provider,
    "describeIdentityProvider": describe_identity_provider,
    "getIdentityProviderByIdentifier": get_identity_provider_by_identifier,
    "updateIdentityProvider": update_identity_provider,
    "deleteIdentityProvider": delete_identity_provider,
    "listIdentityProviders": list_identity_providers,
}
