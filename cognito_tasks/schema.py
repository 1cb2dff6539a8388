"""The JSON Schema of a saved user directory, derived from the model's dataclasses, and its check.

The schema follows the dataclasses' type hints (str, int, float, bool, `X | None`, lists, dicts,
nested dataclasses, StrEnums), with every object closed (`additionalProperties: false`) and the
fields without a default required; `CONSTRAINTS` adds the value rules a task relies on (enums,
ranges, hex and base32 patterns), so a document that passes can be used by every action without
a TypeError or ValueError later. Problems are reported with the JSON pointer of the bad value.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any

import fastjsonschema
import jsonschema

from cognito_tasks import model

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
}
_HEX_OR_NULL = {"type": ["string", "null"], "pattern": "^[0-9a-fA-F]+$"}
_BASE32_OR_NULL = {"type": ["string", "null"], "pattern": "^[A-Z2-7]+=*$"}
_POOL_ID = {"type": "string", "pattern": "^[\\w-]+_[0-9a-zA-Z]+$", "maxLength": 55}
_SIGN_IN_ATTRIBUTES = {"enum": ["email", "phone_number", "preferred_username"]}
_MFA_NAMES = ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
_UNITS = {"enum": ["seconds", "minutes", "hours", "days"]}
_LAMBDA_CONFIG = {
    "type": "object",
    "properties": {
        "PreTokenGenerationConfig": {
            "type": "object",
            "properties": {
                "LambdaVersion": {"enum": ["V1_0", "V2_0", "V3_0"]},
                "LambdaArn": {"type": "string"},
            },
            "required": ["LambdaVersion", "LambdaArn"],
            "additionalProperties": False,
        }
    },
    "additionalProperties": {"type": "string"},
}

#: (dataclass, field) -> the schema of that field, where the type hint alone is too loose.
CONSTRAINTS: dict[tuple[type, str], dict[str, Any]] = {
    (model.PasswordPolicy, "minimum_length"): {"type": "integer", "minimum": 6, "maximum": 99},
    (model.PasswordPolicy, "temporary_password_validity_days"): {
        "type": "integer",
        "minimum": 0,
        "maximum": 365,
    },
    (model.PasswordPolicy, "history_size"): {"type": ["integer", "null"], "minimum": 0, "maximum": 24},
    (model.AppClient, "access_token_validity"): {"type": "integer", "minimum": 1},
    (model.AppClient, "id_token_validity"): {"type": "integer", "minimum": 1},
    (model.AppClient, "refresh_token_validity"): {"type": "integer", "minimum": 1},
    (model.AppClient, "validity_units"): {
        "type": "object",
        "properties": dict.fromkeys(("AccessToken", "IdToken", "RefreshToken"), _UNITS),
        "required": ["AccessToken", "IdToken", "RefreshToken"],
        "additionalProperties": False,
    },
    (model.AppClient, "prevent_user_existence_errors"): {"enum": ["LEGACY", "ENABLED"]},
    (model.AppClient, "auth_session_validity"): {"type": "integer", "minimum": 3, "maximum": 15},
    (model.User, "username"): {"type": "string", "minLength": 1},
    (model.User, "attributes"): {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "required": ["sub"],
    },
    (model.User, "srp_salt"): _HEX_OR_NULL,
    (model.User, "srp_verifier"): _HEX_OR_NULL,
    (model.UserMfa, "preferred"): {"enum": [*_MFA_NAMES, None]},
    (model.UserMfa, "totp_secret"): _BASE32_OR_NULL,
    (model.UserMfa, "pending_totp_secret"): _BASE32_OR_NULL,
    (model.Throttle, "failures"): {"type": "integer", "minimum": 0},
    (model.Group, "precedence"): {"type": ["integer", "null"], "minimum": 0},
    (model.UserPool, "id"): _POOL_ID,
    (model.UserPool, "username_attributes"): {"type": "array", "items": {"enum": ["email", "phone_number"]}},
    (model.UserPool, "alias_attributes"): {"type": "array", "items": _SIGN_IN_ATTRIBUTES},
    (model.UserPool, "auto_verified_attributes"): {
        "type": "array",
        "items": {"enum": ["email", "phone_number"]},
    },
    (model.UserPool, "mfa_configuration"): {"enum": ["OFF", "ON", "OPTIONAL"]},
    (model.UserPool, "deletion_protection"): {"enum": ["ACTIVE", "INACTIVE"]},
    (model.UserPool, "lambda_config"): _LAMBDA_CONFIG,
    (model.UserPool, "unused_account_validity_days"): {"type": "integer", "minimum": 0},
    (model.SchemaAttribute, "data_type"): {"enum": ["String", "Number", "DateTime", "Boolean"]},
    (model.IssuedCode, "pool_id"): _POOL_ID,
    (model.AuthSession, "pool_id"): _POOL_ID,
    (model.Challenge, "pool_id"): _POOL_ID,
}
#: Instants shown as dates (API timestamps, CLI tables): within what a date can hold (year 1970..9999).
_INSTANTS = frozenset({"created", "modified", "issued", "time"})
_INSTANT = {"type": "number", "minimum": 0, "maximum": 253402300799}
#: UserPool fields saved as lists of their values (the dict keys are derived on load).
_POOL_LISTS = {
    "custom_attributes": model.SchemaAttribute,
    "standard_attributes": model.SchemaAttribute,
    "clients": model.AppClient,
    "users": model.User,
    "groups": model.Group,
}
_KEYS = {
    "anyOf": [
        {
            "type": "object",
            "properties": {"id": {"type": "string"}, "access": {"type": "string"}},
            "required": ["id", "access"],
            "additionalProperties": False,
        },
        {"type": "null"},
    ]
}


def _hint(hint: Any) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    if hint is Any:
        return {}
    if hint is type(None):
        return {"type": "null"}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {"enum": [m.value for m in hint]}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return for_class(hint)
    if origin in (types.UnionType, typing.Union):
        parts = [_hint(arg) for arg in typing.get_args(hint)]
        if all(set(p) == {"type"} for p in parts):
            return {"type": [p["type"] for p in parts]}
        return {"anyOf": parts}
    if origin is list:
        (item,) = typing.get_args(hint)
        return {"type": "array", "items": _hint(item)}
    if origin is dict:
        _, value = typing.get_args(hint)
        return {"type": "object", "additionalProperties": _hint(value)}
    raise TypeError(f"no schema for {hint!r}")


@functools.cache
def for_class(cls: type) -> dict[str, Any]:
    """The schema of one dataclass as saved (closed object; fields without default required)."""
    hints = typing.get_type_hints(cls, vars(model))
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        if f.name.startswith("_"):
            continue
        if cls is model.UserPool and f.name in _POOL_LISTS:
            properties[f.name] = {"type": "array", "items": for_class(_POOL_LISTS[f.name])}
        elif cls is model.UserPool and f.name == "keys":
            properties[f.name] = _KEYS
        elif f.name in _INSTANTS and hints[f.name] is float:
            properties[f.name] = _INSTANT
        else:
            properties[f.name] = CONSTRAINTS.get((cls, f.name)) or _hint(hints[f.name])
        always_saved = cls is model.UserPool and (f.name in _POOL_LISTS or f.name == "keys")
        if always_saved or (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING):
            required.append(f.name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


@functools.cache
def document() -> dict[str, Any]:
    """The schema of a whole saved directory (format version 2)."""
    return {
        "type": "object",
        "properties": {
            "format": {"const": "asl-runner/cognito-directory"},
            "version": {"const": 2},
            "region": {"type": "string", "pattern": "^[\\w-]+$"},
            "account_id": {"type": "string"},
            "seed": {"type": ["string", "null"]},
            "counter": {"type": "integer", "minimum": 0},
            "fixed_code": {"type": ["string", "null"]},
            "pools": {"type": "array", "items": for_class(model.UserPool)},
            "codes": {"type": "array", "items": for_class(model.IssuedCode)},
            "events": {"type": "array", "items": for_class(model.Event)},
            "sessions": {"type": "array", "items": for_class(model.AuthSession)},
            "challenges": {"type": "array", "items": for_class(model.Challenge)},
            "identity_pools": {"type": "array", "items": for_class(model.IdentityPool)},
            "identities": {"type": "array", "items": for_class(model.Identity)},
            "identity_key": {"type": ["string", "null"]},
        },
        "required": [
            "format",
            "version",
            "region",
            "account_id",
            "seed",
            "counter",
            "pools",
            "codes",
            "events",
            "sessions",
            "challenges",
        ],
        "additionalProperties": False,
    }


def pointer(path: Any) -> str:
    """A JSON pointer from a jsonschema error path."""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


@functools.cache
def _fast() -> Callable[[Any], Any]:
    return fastjsonschema.compile(document())


def problems(data: Any) -> list[str]:
    """Every schema violation in `data`, as `<JSON pointer>: <message>`, in document order.

    A compiled validator (fastjsonschema) checks a good document quickly; only a bad one is walked
    again by jsonschema, which lists every problem with its pointer.
    """
    try:
        _fast()(data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    validator = jsonschema.Draft202012Validator(document())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{pointer(e.absolute_path)}: {e.message}" for e in errors]
