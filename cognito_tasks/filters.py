"""ListUsers `Filter`: `AttributeName Filter-Type "AttributeValue"`, with `=` (exact) and `^=` (prefix).

Searchable attributes [doc]: `username` (case-sensitive), `email`, `phone_number`, `name`,
`given_name`, `family_name`, `preferred_username`, `cognito:user_status` (case-insensitive),
`status` (`Enabled`/`Disabled`, case-sensitive) and `sub`. Quotes inside the value are escaped
with a backslash; whitespace around the operator is optional; an empty filter matches everyone.
Anything else is InvalidParameterException: "Error while parsing filter." or
"Invalid search attribute: <name>" [probe, moto].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cognito_tasks.errors import InvalidParameterException
from cognito_tasks.model import User, UserPool

SEARCHABLE = (
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
)
_FILTER = re.compile(r'^\s*([\w:.-]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*$')


@dataclass(frozen=True, slots=True)
class Filter:
    """A parsed filter."""

    attribute: str
    prefix: bool
    value: str

    def matches(self, pool: UserPool, user: User) -> bool:
        """True if `user` satisfies the filter."""
        actual: str | None
        if self.attribute == "username":
            if pool.case_sensitive is False:
                return _compare(user.username.casefold(), self.value.casefold(), self.prefix)
            actual = user.username
        elif self.attribute == "status":
            actual = "Enabled" if user.enabled else "Disabled"
        elif self.attribute == "cognito:user_status":
            return _compare(str(user.status).casefold(), self.value.casefold(), self.prefix)
        else:
            actual = user.attributes.get(self.attribute)
        return actual is not None and _compare(actual, self.value, self.prefix)


def _compare(actual: str, wanted: str, prefix: bool) -> bool:
    return actual.startswith(wanted) if prefix else actual == wanted


def parse(text: str | None) -> Filter | None:
    """The filter, None for an empty one, or InvalidParameterException."""
    if text is None or not text.strip():
        return None
    match = _FILTER.match(text)
    if not match:
        raise InvalidParameterException("Error while parsing filter.")
    name, operator, raw = match.groups()
    if name not in SEARCHABLE:
        raise InvalidParameterException(f"Invalid search attribute: {name}")
    value = re.sub(r"\\(.)", r"\1", raw)
    return Filter(name, operator == "^=", value)
