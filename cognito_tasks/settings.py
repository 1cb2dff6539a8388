"""Which pool and app-client settings are emulated, accepted as inert, or refused.

Nothing is stored and silently ignored: a CreateUserPool or CreateUserPoolClient member is either
emulated (it changes what the actions do), *inert* (AWS uses it only to reach a service we stand in
for, such as SES or SNS, whose messages go to the local outbox instead), or refused with `NotEmulated`
naming the member and what to do instead. A request member the botocore model knows but this module
does not is refused too, so a new AWS feature never passes unnoticed.
"""

from __future__ import annotations

from typing import Any

from cognito_tasks.errors import NotEmulated

#: CreateUserPool members that change the emulation.
POOL_EMULATED = frozenset(
    {
        "PoolName",
        "Policies",
        "Schema",
        "UsernameAttributes",
        "AliasAttributes",
        "AutoVerifiedAttributes",
        "UsernameConfiguration",
        "AdminCreateUserConfig",
        "MfaConfiguration",
        "LambdaConfig",
        "SmsAuthenticationMessage",
        "SmsVerificationMessage",
        "EmailVerificationMessage",
        "EmailVerificationSubject",
        "VerificationMessageTemplate",
        "DeletionProtection",
        "UserPoolTags",
    }
)
#: CreateUserPool members accepted and echoed because they only configure delivery through AWS
#: services the local outbox replaces (SES, SNS) or billing.
POOL_INERT = {
    "EmailConfiguration": "email goes to the local outbox (asl cognito codes), not through SES",
    "SmsConfiguration": "SMS goes to the local outbox (asl cognito codes), not through SNS",
    "UserPoolTier": "the feature plan (billing)",
}
#: Why a refused CreateUserPool member is refused (members with an allowed value are checked apart).
_POOL_REFUSED = {
    "DeviceConfiguration": "device tracking (remembered devices, DEVICE_SRP_AUTH) is not emulated",
    "UserAttributeUpdateSettings": (
        "keeping the original email/phone until the new one is verified is not emulated"
    ),
    "AccountRecoverySetting": "choosing the recovery medium by priority is not emulated",
    "UserPoolAddOns": "threat protection (advanced security) is not emulated",
}

#: CreateUserPoolClient members that change the emulation.
CLIENT_EMULATED = frozenset(
    {
        "UserPoolId",
        "ClientName",
        "GenerateSecret",
        "ClientSecret",
        "RefreshTokenValidity",
        "AccessTokenValidity",
        "IdTokenValidity",
        "TokenValidityUnits",
        "ReadAttributes",
        "WriteAttributes",
        "ExplicitAuthFlows",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
        "AuthSessionValidity",
        # OAuth 2.0: enforced by `asl serve`'s hosted sign-in and token endpoints (cognito_tasks.oauth).
        "SupportedIdentityProviders",
        "CallbackURLs",
        "LogoutURLs",
        "DefaultRedirectURI",
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
        "AllowedOAuthFlowsUserPoolClient",
    }
)
#: CreateUserPoolClient members accepted and echoed: analytics (Pinpoint is not contacted).
CLIENT_INERT = {
    "AnalyticsConfiguration": "Pinpoint analytics are not sent",
}
_CLIENT_REFUSED = {
    "RefreshTokenRotation": "refresh-token rotation is not emulated",
    "PublishSecretsInAWSSecretsManager": "publishing the client secret to Secrets Manager is not emulated",
    "EnablePropagateAdditionalUserContextData": "threat protection (advanced security) is not emulated",
}
#: LambdaConfig members that are not run locally.
_LAMBDA_REFUSED = {
    "CustomSMSSender": "custom senders get codes encrypted with KMS, which is not emulated",
    "CustomEmailSender": "custom senders get codes encrypted with KMS, which is not emulated",
    "KMSKeyID": "custom senders get codes encrypted with KMS, which is not emulated",
    "InboundFederation": "federated sign-in is not emulated",
}
#: Values of a refused member that mean "off", so a request spelling out the default still works.
_OFF: dict[str, Any] = {
    "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False},
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": []},
    "UserPoolAddOns": {"AdvancedSecurityMode": "OFF"},
    "RefreshTokenRotation": {"Feature": "DISABLED"},
    "EnablePropagateAdditionalUserContextData": False,
}


def _is_off(name: str, value: Any) -> bool:
    off = _OFF.get(name)
    if off is None:
        return False
    if isinstance(off, dict) and isinstance(value, dict):
        return all(value.get(k, v) == v for k, v in off.items()) and set(value) <= set(off)
    return bool(value == off)


def _refuse(action: str, name: str, why: str) -> NotEmulated:
    return NotEmulated(
        f"{action}: {name} is not supported locally ({why}); remove it from the request, "
        "or mock this state in a test case"
    )


def check_pool(request: dict[str, Any], action: str = "CreateUserPool") -> None:
    """NotEmulated if the pool request uses a setting the emulation would otherwise ignore."""
    for name, value in request.items():
        if name in POOL_EMULATED or name in POOL_INERT or name == "UserPoolId" or _is_off(name, value):
            continue
        raise _refuse(action, name, _POOL_REFUSED.get(name, "this setting is not emulated"))
    lambdas = request.get("LambdaConfig") or {}
    for name in sorted(set(lambdas) & _LAMBDA_REFUSED.keys()):
        raise _refuse(action, f"LambdaConfig.{name}", _LAMBDA_REFUSED[name])
    template = request.get("VerificationMessageTemplate") or {}
    if template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK":
        raise _refuse(
            action,
            "VerificationMessageTemplate.DefaultEmailOption CONFIRM_WITH_LINK",
            "confirmation links need the hosted sign-in domain; use CONFIRM_WITH_CODE",
        )
    factors = ((request.get("Policies") or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors")
    if factors is not None and set(factors) != {"PASSWORD"}:
        raise _refuse(
            action,
            "Policies.SignInPolicy.AllowedFirstAuthFactors other than PASSWORD",
            "choice-based sign-in (USER_AUTH, passwordless) is not emulated",
        )


def check_client(request: dict[str, Any], action: str = "CreateUserPoolClient") -> None:
    """NotEmulated if the client request uses a setting the emulation would otherwise ignore."""
    for name, value in request.items():
        if name in CLIENT_EMULATED or name in CLIENT_INERT or name == "ClientId" or _is_off(name, value):
            continue
        raise _refuse(action, name, _CLIENT_REFUSED.get(name, "this setting is not emulated"))
