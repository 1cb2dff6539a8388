"""User attributes: the standard set, the pool schema, and the rules for writing them.

Messages [obs; cognito-local and user reports]: creating a user or signing up reports
`Attributes did not conform to the schema: <name>: Attribute does not exist in the schema.` (one
line per bad attribute, each ending in a newline); updating reports
`user.<name>: Attribute does not exist in the schema.` and
`user.<name>: Attribute cannot be updated. (changing an immutable attribute)`. `sub` is immutable
everywhere. A missing required attribute reads `<name>: The attribute is required`.

Choices [belief]: a `custom:` attribute the pool schema does not declare is rejected (moto
accepts it); Required attributes are enforced for SignUp and the NEW_PASSWORD_REQUIRED answer,
not for AdminCreateUser [doc]; `*_verified` values are stored as lowercase `"true"`/`"false"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cognito_tasks.errors import InvalidParameterException
from cognito_tasks.model import SchemaAttribute, UserPool

#: The OIDC standard attributes a pool always has.
STANDARD = (
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "address",
    "updated_at",
)
VERIFIED = ("email_verified", "phone_number_verified")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{4,15}$")
_UNKNOWN = "Attribute does not exist in the schema."
_IMMUTABLE = "Attribute cannot be updated. (changing an immutable attribute)"


def _builtin(name: str) -> SchemaAttribute:
    if name == "sub":
        return SchemaAttribute("sub", mutable=False, required=True, min_length=1, max_length=2048)
    if name in VERIFIED:
        return SchemaAttribute(name, data_type="Boolean")
    if name == "updated_at":
        return SchemaAttribute(name, data_type="Number", min_value=0)
    if name == "birthdate":
        return SchemaAttribute(name, min_length=10, max_length=10)
    return SchemaAttribute(name, min_length=0, max_length=2048)


def schema(pool: UserPool) -> list[SchemaAttribute]:
    """Every attribute of the pool: `sub`, the standard set (with the pool's overrides), then custom ones."""
    names = [
        "sub",
        *STANDARD[:10],
        "email_verified",
        *STANDARD[10:15],
        "phone_number_verified",
        *STANDARD[15:],
    ]
    out = [pool.standard_attributes.get(n) or _builtin(n) for n in names]
    return out + list(pool.custom_attributes.values())


def lookup(pool: UserPool, name: str) -> SchemaAttribute | None:
    """The schema entry for an attribute name, or None if the pool has no such attribute."""
    if name == "sub" or name in STANDARD or name in VERIFIED:
        return pool.standard_attributes.get(name) or _builtin(name)
    return pool.custom_attributes.get(name)


def _problem(entry: SchemaAttribute, value: str) -> str | None:
    name = entry.name
    if name == "email" and value and not _EMAIL.match(value):
        return "Invalid email address format."
    if name == "phone_number" and value and not _PHONE.match(value):
        return "Invalid phone number format."
    if entry.data_type == "Boolean" and value.lower() not in ("true", "false"):
        return "Attribute value must be true or false."
    if entry.data_type == "Number":
        try:
            number = float(value)
        except ValueError:
            return "Number could not be parsed."
        if (entry.min_value is not None and number < entry.min_value) or (
            entry.max_value is not None and number > entry.max_value
        ):
            return "Number is out of the allowed range."
    if entry.data_type == "String":
        if entry.max_length is not None and len(value) > entry.max_length:
            return f"String must be no longer than {entry.max_length} characters."
        if entry.min_length is not None and len(value) < entry.min_length:
            return f"String must be at least {entry.min_length} characters long."
    return None


def _raise(lines: list[str], creating: bool) -> None:
    if not lines:
        return
    if creating:
        raise InvalidParameterException(
            "Attributes did not conform to the schema: " + "".join(f"{line}\n" for line in lines)
        )
    raise InvalidParameterException("\n".join(f"user.{line}" for line in lines))


def apply(
    pool: UserPool, current: dict[str, str], changes: Iterable[dict[str, Any]], *, creating: bool
) -> dict[str, str]:
    """`current` with `changes` (`[{"Name", "Value"}]`) applied, or InvalidParameterException.

    Changing `email`/`phone_number` without setting its `*_verified` in the same request marks it
    unverified, as AWS does.
    """
    result = dict(current)
    lines: list[str] = []
    given: set[str] = set()
    for change in changes:
        name = str(change["Name"])
        value = "" if change.get("Value") is None else str(change["Value"])
        entry = lookup(pool, name)
        if entry is None:
            lines.append(f"{name}: {_UNKNOWN}")
            continue
        if name == "sub" or (not creating and not entry.mutable):
            lines.append(f"{name}: {_IMMUTABLE}")
            continue
        reason = _problem(entry, value)
        if reason is not None:
            lines.append(f"{name}: {reason}")
            continue
        if entry.data_type == "Boolean":
            value = value.lower()
        changed = name in ("email", "phone_number") and result.get(name) != value
        if changed and not creating and f"{name}_verified" not in given:
            result[f"{name}_verified"] = "false"
        given.add(name)
        result[name] = value
    _raise(lines, creating)
    if "email_verified" in given and "email" not in result:
        raise InvalidParameterException("Email is required to verify/un-verify an email")
    if "phone_number_verified" in given and "phone_number" not in result:
        raise InvalidParameterException("Phone Number is required to verify/un-verify a phone number")
    return result


def require(pool: UserPool, attributes: dict[str, str]) -> None:
    """InvalidParameterException unless every Required attribute of the schema has a value."""
    missing = [e.name for e in schema(pool) if e.required and e.name != "sub" and not attributes.get(e.name)]
    _raise([f"{name}: The attribute is required" for name in missing], creating=True)


def delete(pool: UserPool, current: dict[str, str], names: Iterable[str]) -> dict[str, str]:
    """`current` without `names` (`email` takes `email_verified` with it), or InvalidParameterException."""
    result = dict(current)
    lines: list[str] = []
    for name in names:
        entry = lookup(pool, name)
        if entry is None:
            lines.append(f"{name}: {_UNKNOWN}")
        elif name == "sub" or not entry.mutable:
            lines.append(f"{name}: {_IMMUTABLE}")
        elif entry.required or name in pool.username_attributes:
            lines.append(f"{name}: The attribute is required")
        else:
            result.pop(name, None)
            if name in ("email", "phone_number"):
                result.pop(f"{name}_verified", None)
    _raise(lines, creating=False)
    return result


def readable(names: list[str] | None, attributes: dict[str, str]) -> dict[str, str]:
    """The attributes a client with these ReadAttributes may read (all when unset; `sub` always)."""
    if names is None:
        return dict(attributes)
    allowed = set(names) | {"sub"}
    return {k: v for k, v in attributes.items() if k in allowed}


def check_names(pool: UserPool, names: Iterable[str]) -> bool:
    """True if every name is an attribute of the pool."""
    return all(lookup(pool, name) is not None for name in names)
