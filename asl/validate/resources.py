"""Task resources: well-formed ARNs, integration patterns, aws-sdk actions and parameters, local handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl.lazyre import Pattern
from asl.resources import ArnError, ResourceArn, parse_arn
from asl.source import escape_token
from asl.validate.diagnostic import Diagnostic, make
from asl.validate.shape import suggest
from asl.validate.walk import State, Tree

if TYPE_CHECKING:
    from asl.resources import TaskRegistry

_AWS_PARTITION = Pattern(r"^aws(-[a-z]+)*$")
#: Optimized integrations that offer only request-response and callback: ".sync" is refused for them.
_NO_SYNC = frozenset({"lambda", "sns", "sqs", "dynamodb", "events", "apigateway", "http", "states"})
#: The only integrations that may wait for a job with ".sync" / ".sync:2" among "states:*" actions.
_STATES_SYNC = frozenset({"startExecution"})
#: Step Functions' optimized integrations (AWS's "Integrating services with Step Functions" list):
#: `arn:aws:states:::<service>:<action>` names one of these, or `aws-sdk:<service>:<action>`.
OPTIMIZED = frozenset(
    {"apigateway", "athena", "batch", "bedrock", "codebuild", "databrew", "dynamodb", "ecs", "eks"}
    | {"elasticmapreduce", "emr-containers", "emr-serverless", "events", "glue", "http", "lambda"}
    | {"mediaconvert", "sagemaker", "sns", "sqs", "states"}
)


def check_resources(tree: Tree, registry: TaskRegistry | None = None) -> list[Diagnostic]:
    """Every Task's Resource, and the Resource of every ItemReader and ResultWriter."""
    found: list[Diagnostic] = []
    for state in tree.states:
        if state.type == "Task" and isinstance(state.body.get("Resource"), str):
            found += _task(state, registry)
        for holder in ("ItemReader", "ResultWriter"):
            sub = state.body.get(holder)
            if isinstance(sub, dict) and isinstance(sub.get("Resource"), str):
                pointer = f"{state.pointer}/{holder}/Resource"
                arn, problems = _parse(sub["Resource"], pointer)
                found += problems
                if arn is not None and not _AWS_PARTITION.match(arn.partition):
                    found.append(_local_only(arn, pointer))
    return found


def _parse(text: str, pointer: str) -> tuple[ResourceArn | None, list[Diagnostic]]:
    try:
        return parse_arn(text), []
    except ArnError as exc:
        return None, [make("INVALID_RESOURCE", f"{exc}", pointer)]


def _local_only(arn: ResourceArn, pointer: str) -> Diagnostic:
    return make(
        "NOT_ON_AWS",
        f"'{arn.raw}' is in partition '{arn.partition}', which does not exist on AWS: it runs only under asl-runner; "
        "use an arn:aws:... resource before deploying",
        pointer,
    )


def _task(state: State, registry: TaskRegistry | None) -> list[Diagnostic]:
    pointer = f"{state.pointer}/Resource"
    arn, found = _parse(state.body["Resource"], pointer)
    if arn is None:
        return found
    if not _AWS_PARTITION.match(arn.partition):
        found.append(_local_only(arn, pointer))
    if registry is not None and registry.lookup(arn) is None:
        found.append(
            make(
                "NO_LOCAL_HANDLER",
                f"No local handler serves '{arn.raw}', so it cannot run locally (it may still run on AWS); "
                "register a handler, map the ARN in asl.toml, or mock it with --mock-config",
                pointer,
            )
        )
    if arn.is_service_integration:
        integration = arn.action.partition(":")[0]
        if not arn.sdk_service and integration not in OPTIMIZED and _AWS_PARTITION.match(arn.partition):
            hint = suggest(integration, sorted(OPTIMIZED)) or (
                "; for any other AWS API use arn:aws:states:::aws-sdk:<service>:<action>"
            )
            message = (
                f"'{arn.raw}' names '{integration}', which is not a Step Functions service integration{hint}"
            )
            return [*found, make("INVALID_RESOURCE", message, pointer)]
        found += _pattern(arn, pointer)
        if arn.sdk_service:
            found += _sdk(state, arn, pointer)
    return found


def _pattern(arn: ResourceArn, pointer: str) -> list[Diagnostic]:
    if not arn.pattern.startswith("sync"):
        return []
    integration, _, action = arn.action.partition(":")
    if integration == "aws-sdk":
        reason = "AWS SDK integrations support only request-response and .waitForTaskToken"
    elif arn.pattern == "sync:2" and not (integration == "states" and action in _STATES_SYNC):
        reason = ".sync:2 exists only for arn:aws:states:::states:startExecution"
    elif integration in _NO_SYNC and not (integration == "states" and action in _STATES_SYNC):
        reason = f"the {integration} integration does not support waiting for a job (.sync)"
    else:
        return []
    return [
        make(
            "INVALID_RESOURCE",
            f"'{arn.raw}' cannot end in .{arn.pattern}: {reason}; remove the suffix",
            pointer,
        )
    ]


def _sdk(state: State, arn: ResourceArn, pointer: str) -> list[Diagnostic]:
    from asl.sdk_models import actions, botocore_name, operation

    action = arn.action.rsplit(":", 1)[-1]
    if botocore_name(arn.sdk_service) is None:
        return [
            make(
                "UNKNOWN_SDK_SERVICE",
                f"No API model for AWS SDK service '{arn.sdk_service}' is installed, so its action and parameters "
                "were not checked; check the service name (lowercase, no dashes), or upgrade botocore",
                pointer,
            )
        ]
    op = operation(arn.sdk_service, action)
    if op is None:
        hint = suggest(action, actions(arn.sdk_service)) or (
            "; use the API action name in camelCase, such as getItem for GetItem"
        )
        return [
            make("INVALID_RESOURCE", f"Service '{arn.sdk_service}' has no action '{action}'{hint}", pointer)
        ]
    field = "Arguments" if "Arguments" in state.body else "Parameters"
    payload: Any = state.body.get(field)
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        return []
    given = {key[:-2] if key.endswith(".$") else key: key for key in payload}
    found = []
    members = sorted(_step_functions_name(m) for m in op.members)
    for name, key in given.items():
        if name not in members:
            hint = suggest(name, members) or f"; {op.name} takes {', '.join(members) or 'no parameters'}"
            found.append(
                make(
                    "UNKNOWN_SDK_PARAMETER",
                    f"{op.name} has no parameter '{name}'{hint} (Step Functions spells SDK parameters in PascalCase)",
                    f"{state.pointer}/{field}/{escape_token(key)}",
                )
            )
    missing = sorted({_step_functions_name(r) for r in op.required} - set(given))
    if missing:
        where = f"{state.pointer}/{field}" if field in state.body else state.pointer
        found.append(
            make(
                "MISSING_SDK_PARAMETER",
                f"{op.name} requires {', '.join(repr(m) for m in missing)}; add "
                + ("it" if len(missing) == 1 else "them")
                + f" to {field}",
                where,
            )
        )
    return found


def _step_functions_name(member: str) -> str:
    """A request member as Step Functions spells it: PascalCase, and `Equals` as `EqualsValue`."""
    name = member[:1].upper() + member[1:]
    return "EqualsValue" if name == "Equals" else name
