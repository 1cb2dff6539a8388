"""Step Functions ARNs and names: building them, reading them, and AWS's errors for bad ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from asl.server.errors import ServiceError

#: What AWS forbids in state machine, execution, activity and alias names (API reference, `name`).
_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ALIAS = re.compile(r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$")


def check_name(name: str, limit: int = 80) -> None:
    """Refuse a name AWS refuses, with its `InvalidName` error."""
    if not 1 <= len(name) <= limit or _FORBIDDEN.search(name) or _SURROGATE.search(name):
        raise ServiceError("InvalidName", f"Invalid Name: '{name}'")


def read_tags(tags: list[dict[str, Any]] | None) -> dict[str, str]:
    """A request's `tags` as a dict; AWS's ValidationException for a tag without a key."""
    found: dict[str, str] = {}
    for index, tag in enumerate(tags or [], 1):
        if tag.get("key") is None:
            raise ServiceError(
                "ValidationException",
                f"1 validation error detected: Value null at 'tags.{index}.member.key' failed to satisfy "
                "constraint: Member must not be null",
            )
        found[tag["key"]] = tag.get("value") or ""
    return found


def check_alias_name(name: str) -> None:
    """Alias names: letters, digits, `-`, `_`, `.`, not only digits (so they never read as versions)."""
    if not 1 <= len(name) <= 80 or not _ALIAS.match(name):
        raise ServiceError("InvalidName", f"Invalid Name: '{name}'")


@dataclass(frozen=True, slots=True)
class Region:
    """Where this server pretends to be: region and account."""

    region: str = "us-east-1"
    account: str = "123456789012"

    def prefix(self, kind: str) -> str:
        """`arn:aws:states:<region>:<account>:<kind>:`."""
        return f"arn:aws:states:{self.region}:{self.account}:{kind}:"

    def machine(self, name: str) -> str:
        """A state machine's ARN."""
        return self.prefix("stateMachine") + name

    def activity(self, name: str) -> str:
        """An activity's ARN."""
        return self.prefix("activity") + name

    def execution(self, machine_name: str, name: str, express_id: str | None = None) -> str:
        """A Standard execution's ARN, or an Express one's (`express:<machine>:<name>:<id>`)."""
        if express_id is not None:
            return self.prefix("express") + f"{machine_name}:{name}:{express_id}"
        return self.prefix("execution") + f"{machine_name}:{name}"


@dataclass(frozen=True, slots=True)
class MachineRef:
    """A reference to a state machine: its plain ARN, and a version number or alias name if qualified."""

    arn: str
    name: str
    version: int | None = None
    alias: str | None = None
    test_case: str | None = None

    @property
    def qualified(self) -> str:
        """The ARN as given, without a test case."""
        if self.version is not None:
            return f"{self.arn}:{self.version}"
        if self.alias is not None:
            return f"{self.arn}:{self.alias}"
        return self.arn


def invalid_arn(arn: str, why: str = "") -> ServiceError:
    """AWS's InvalidArn error."""
    return ServiceError(
        "InvalidArn", f"Invalid Arn: '{why or 'Resource type not valid in this context'}: {arn}'"
    )


def read_machine(arn: str, where: Region, *, qualified: bool = True, test_case: bool = False) -> MachineRef:
    """Read a state machine ARN (optionally `:<version>` or `:<alias>`, and `#TestCase` for mocks)."""
    text, case = arn, None
    if test_case and "#" in arn:
        text, _, case = arn.partition("#")
    prefix = where.prefix("stateMachine")
    if not text.startswith("arn:"):
        raise invalid_arn(arn, "Invalid ARN prefix")
    if not text.startswith(prefix):
        raise invalid_arn(arn)
    parts = text[len(prefix) :].split(":")
    if not parts[0] or len(parts) > 2 or (len(parts) == 2 and not qualified):
        raise invalid_arn(arn)
    name = parts[0]
    ref = MachineRef(where.machine(name), name, test_case=case or None)
    if len(parts) == 2:
        qualifier = parts[1]
        if qualifier.isdigit():
            return MachineRef(ref.arn, name, version=int(qualifier), test_case=ref.test_case)
        if not qualifier:
            raise invalid_arn(arn)
        return MachineRef(ref.arn, name, alias=qualifier, test_case=ref.test_case)
    return ref


def read_execution(arn: str, where: Region) -> tuple[str, str]:
    """The (state machine name, execution name) of an execution ARN (Standard or Express)."""
    for kind in ("execution", "express"):
        prefix = where.prefix(kind)
        if arn.startswith(prefix):
            parts = arn[len(prefix) :].split(":")
            if len(parts) == (2 if kind == "execution" else 3) and all(parts):
                return parts[0], parts[1]
    if not arn.startswith("arn:"):
        raise invalid_arn(arn, "Invalid ARN prefix")
    raise invalid_arn(arn)


def read_activity(arn: str, where: Region) -> str:
    """An activity ARN's name."""
    prefix = where.prefix("activity")
    if not arn.startswith(prefix) or not arn[len(prefix) :] or ":" in arn[len(prefix) :]:
        raise invalid_arn(arn, "" if arn.startswith("arn:") else "Invalid ARN prefix")
    return arn[len(prefix) :]
