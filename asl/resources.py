"""Task resources: ARN parsing and the registry that maps a resource ARN to an async handler."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asl.errors import AslError
from asl.lazyre import Pattern

if TYPE_CHECKING:
    from asl.clock import Clock

#: The integration patterns a `arn:aws:states:::` resource may end with.
PATTERNS = ("sync", "sync:2", "waitForTaskToken")

_ARN = Pattern(
    r"^arn:(?P<partition>[\w-]+):(?P<service>[\w-]+):(?P<region>[\w-]*):(?P<account>\d*):(?P<resource>.+)$"
)
_PATTERN_SUFFIX = Pattern(r"\.(sync:2|sync|waitForTaskToken)$")


class ArnError(AslError, ValueError):
    """A resource string is not a well-formed ARN."""


@dataclass(frozen=True, slots=True)
class ResourceArn:
    """A parsed Task resource.

    `arn:aws:states:::aws-sdk:cognitoidentityprovider:adminCreateUser.waitForTaskToken` gives
    service `aws-sdk`, sdk_service `cognitoidentityprovider`, action `adminCreateUser`, pattern
    `waitForTaskToken`. `arn:aws:lambda:us-east-1:1:function:f` gives service `lambda`, action
    `function:f`.
    """

    raw: str
    partition: str
    service: str
    region: str
    account: str
    action: str
    sdk_service: str = ""
    pattern: str = ""

    @property
    def base(self) -> str:
        """The ARN without its integration pattern suffix."""
        if not self.pattern:
            return self.raw
        return self.raw[: -len(self.pattern) - 1]

    @property
    def is_service_integration(self) -> bool:
        """True for `arn:aws:states:::<service>:<action>` resources (as opposed to Lambda/activity ARNs)."""
        return self.service == "states" and not self.region and not self.account

    @property
    def is_lambda(self) -> bool:
        """True when AWS records this task with the LambdaFunction* history events."""
        return self.service == "lambda" and self.action.startswith("function:")

    @property
    def is_activity(self) -> bool:
        """True for `arn:aws:states:<region>:<account>:activity:<name>`."""
        return self.service == "states" and self.action.startswith("activity:")

    @property
    def resource_type(self) -> str:
        """AWS's `resourceType` in TaskScheduled events (`lambda`, `aws-sdk:cognitoidentityprovider`)."""
        if self.is_service_integration:
            integration, _, _ = self.action.partition(":")
            return f"aws-sdk:{self.sdk_service}" if integration == "aws-sdk" else integration
        return self.service

    @property
    def resource_name(self) -> str:
        """AWS's `resource` in TaskScheduled events (`invoke`, `adminCreateUser`, `invoke.waitForTaskToken`)."""
        if self.is_service_integration:
            name = self.action.rsplit(":", 1)[-1]
            return f"{name}.{self.pattern}" if self.pattern else name
        return self.action


def parse_arn(text: str) -> ResourceArn:
    """Parse a Task `Resource`; raise `ArnError` saying what is wrong."""
    match = _ARN.match(text)
    if not match:
        raise ArnError(
            f"{text!r} is not a resource ARN; expected arn:<partition>:<service>:<region>:<account>:<resource>"
        )
    service, region, account, resource = (
        match["service"],
        match["region"],
        match["account"],
        match["resource"],
    )
    pattern = ""
    sdk_service = ""
    if service == "states" and not region and not account:
        suffix = _PATTERN_SUFFIX.search(resource)
        if suffix:
            pattern = suffix.group(1)
            resource = resource[: suffix.start()]
        parts = resource.split(":")
        if len(parts) < 2 or not all(parts):
            raise ArnError(
                f"{text!r}: a service integration must look like arn:aws:states:::<service>:<action>"
            )
        if parts[0] == "aws-sdk":
            if len(parts) != 3:
                raise ArnError(
                    f"{text!r}: an AWS SDK integration must look like arn:aws:states:::aws-sdk:<service>:<action>"
                )
            sdk_service = parts[1]
    return ResourceArn(
        raw=text,
        partition=match["partition"],
        service=service,
        region=region,
        account=account,
        action=resource,
        sdk_service=sdk_service,
        pattern=pattern,
    )


@dataclass(slots=True)
class TaskContext:
    """What a task handler may use besides its payload.

    Handlers that wait should use `await ctx.sleep(seconds)`: on the virtual clock it takes no real
    time, and the task's TimeoutSeconds and HeartbeatSeconds race it exactly (the state fails with
    States.Timeout when a deadline comes first). `ctx.heartbeat()` is SendTaskHeartbeat.
    """

    state_name: str
    resource: ResourceArn
    context: dict[str, Any]
    clock: Clock
    task_token: str | None = None
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    heartbeats: list[float] = field(default_factory=list)
    started: float = 0.0
    #: The running execution (for callbacks: `ctx.execution.send_task_success(ctx.task_token, output)`).
    execution: Any = None
    #: Rung on every heartbeat, so whatever enforces the deadlines sees them move.
    bell: Any = None
    #: The task's place in the execution's history (an `asl.history.Lane` at the task's start).
    lane: Any = None

    def __post_init__(self) -> None:
        self.started = self.clock.now()

    def request_id(self) -> str:
        """An id for one call the task makes (a Lambda requestId), the same when the run is repeated.

        Drawn from the execution's task-token sequence: with `--seed`, `--name` and `--start-time` two
        runs (and a resumed one) give the same ids, so their histories compare equal.
        """
        if self.execution is None or self.lane is None:
            return str(uuid.uuid4())
        return str(uuid.uuid5(uuid.NAMESPACE_OID, self.execution.task_token(self.lane)))

    def heartbeat(self) -> None:
        """Record a heartbeat now (what SendTaskHeartbeat does on AWS)."""
        self.heartbeats.append(self.clock.now())
        if self.bell is not None:
            self.bell.set()

    def deadline(self) -> tuple[float, str] | None:
        """The earliest moment the task times out, and which error that would be."""
        candidates: list[tuple[float, str]] = []
        if self.timeout_seconds is not None:
            candidates.append((self.started + self.timeout_seconds, "States.Timeout"))
        if self.heartbeat_seconds is not None:
            last = self.heartbeats[-1] if self.heartbeats else self.started
            candidates.append((last + self.heartbeat_seconds, "States.HeartbeatTimeout"))
        return min(candidates) if candidates else None

    async def sleep(self, seconds: float) -> None:
        """Let `seconds` pass on the execution's clock."""
        await self.clock.sleep(seconds)


Handler = Callable[[Any, TaskContext], Awaitable[Any]]


class TaskRegistry:
    """Maps resource ARNs to async handlers `async (payload, task_context) -> result`."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        #: Consulted in order when no handler is registered for an ARN (e.g. Lambda aliases).
        self.fallbacks: list[Callable[[ResourceArn], Handler | None]] = []

    def register(self, arn: str, handler: Handler) -> None:
        """Bind `handler` to `arn` (with or without an integration pattern); refuse duplicates."""
        parse_arn(arn)
        if arn in self._handlers:
            raise ValueError(f"a handler is already registered for {arn}")
        self._handlers[arn] = handler

    def lookup(self, arn: ResourceArn) -> Handler | None:
        """The handler for this exact ARN, else for its base ARN (so `.waitForTaskToken` reuses it)."""
        handler = self._handlers.get(arn.raw)
        if handler is None and arn.pattern:
            handler = self._handlers.get(arn.base)
        for fallback in self.fallbacks:
            if handler is not None:
                break
            handler = fallback(arn)
        return handler

    def __contains__(self, arn: str) -> bool:
        return arn in self._handlers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))

    def __len__(self) -> int:
        return len(self._handlers)
