"""CloudFormation's intrinsic functions, resolved locally: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`...

What a deployment would decide is decided here the way an experienced user expects locally:
pseudo parameters come from the runner's region and account; a parameter's `Default` is its
value (a string, as CloudFormation passes parameters; a list for `CommaDelimitedList` and `List<...>`); a resource of the template stands for its local twin, named by its literal name property or
else its logical ID (`!GetAtt OrderFn.Arn` is `arn:aws:lambda:<region>:<account>:function:OrderFn`,
which `[handlers] OrderFn = "module:function"` serves). A value given by `--sub NAME=VALUE` or
`[substitutions]` wins over all of these. What stays unknown is recorded as `Unresolved`, with its
place, and left in the text as `${NAME}`. What CloudFormation would refuse (a malformed function,
conditions that refer to each other in a circle) raises `TemplateError` at the function.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asl.source import escape_token
from asl.templates import functions
from asl.templates.functions import TemplateError

#: `${Name}`, `${Logical.Attr}` or `${!Literal}` inside Fn::Sub text and definition strings.
PLACEHOLDER = re.compile(r"\$\{(!?)([^}]*)\}")


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A placeholder nothing gives a value: its name, where it is, and what it stands for."""

    name: str
    pointer: str
    what: str
    position: tuple[int, int] | None = None


class _NoValue:
    """`AWS::NoValue`: the property or list item disappears."""


NO_VALUE = _NoValue()

#: resource type -> (name property, Ref value, {attribute: value}); templates use {n}ame, {r}egion, {a}ccount.
_TWINS: dict[str, tuple[str, str, dict[str, str]]] = {
    "AWS::Lambda::Function": ("FunctionName", "{n}", {"Arn": "arn:aws:lambda:{r}:{a}:function:{n}"}),
    "AWS::Serverless::Function": ("FunctionName", "{n}", {"Arn": "arn:aws:lambda:{r}:{a}:function:{n}"}),
    "AWS::DynamoDB::Table": ("TableName", "{n}", {"Arn": "arn:aws:dynamodb:{r}:{a}:table/{n}"}),
    "AWS::Serverless::SimpleTable": ("TableName", "{n}", {"Arn": "arn:aws:dynamodb:{r}:{a}:table/{n}"}),
    "AWS::SQS::Queue": (
        "QueueName",
        "https://sqs.{r}.amazonaws.com/{a}/{n}",
        {
            "Arn": "arn:aws:sqs:{r}:{a}:{n}",
            "QueueName": "{n}",
            "QueueUrl": "https://sqs.{r}.amazonaws.com/{a}/{n}",
        },
    ),
    "AWS::SNS::Topic": (
        "TopicName",
        "arn:aws:sns:{r}:{a}:{n}",
        {"TopicArn": "arn:aws:sns:{r}:{a}:{n}", "TopicName": "{n}"},
    ),
    "AWS::S3::Bucket": (
        "BucketName",
        "{n}",
        {"Arn": "arn:aws:s3:::{n}", "DomainName": "{n}.s3.amazonaws.com"},
    ),
    "AWS::Events::EventBus": ("Name", "{n}", {"Arn": "arn:aws:events:{r}:{a}:event-bus/{n}", "Name": "{n}"}),
    "AWS::StepFunctions::StateMachine": (
        "StateMachineName",
        "arn:aws:states:{r}:{a}:stateMachine:{n}",
        {"Arn": "arn:aws:states:{r}:{a}:stateMachine:{n}", "Name": "{n}"},
    ),
    "AWS::Serverless::StateMachine": (
        "Name",
        "arn:aws:states:{r}:{a}:stateMachine:{n}",
        {"Arn": "arn:aws:states:{r}:{a}:stateMachine:{n}", "Name": "{n}"},
    ),
    "AWS::StepFunctions::Activity": (
        "Name",
        "arn:aws:states:{r}:{a}:activity:{n}",
        {"Arn": "arn:aws:states:{r}:{a}:activity:{n}", "Name": "{n}"},
    ),
    "AWS::IAM::Role": ("RoleName", "{n}", {"Arn": "arn:aws:iam::{a}:role/{n}", "RoleId": "AROA{n}"}),
}


def local_name(logical_id: str, resource: Any, name_property: str) -> str:
    """A resource's name as written: its literal name property, else its logical ID."""
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    name = properties.get(name_property) if isinstance(properties, dict) else None
    return name if isinstance(name, str) else logical_id


@dataclass
class Resolver:
    """Resolves intrinsic functions in template values; records what it cannot resolve."""

    template: dict[str, Any]
    substitutions: dict[str, str]
    region: str = "us-east-1"
    account: str = "123456789012"
    stack_name: str = "local"
    unresolved: list[Unresolved] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    #: Literal block scalars of a YAML template (`!Sub |`): placeholders inside them are placed exactly.
    blocks: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Names written `${!Name}` in an Fn::Sub: literal text, never reported as unresolved.
    literals: set[str] = field(default_factory=set)
    _naming: set[str] = field(default_factory=set)
    _conditions: dict[str, bool] = field(default_factory=dict)
    _evaluating: list[str] = field(default_factory=list)

    # -- values -------------------------------------------------------------------------------------

    def resolve(self, value: Any, pointer: str) -> Any:
        """`value` with every intrinsic function replaced by what it stands for."""
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                function = _FUNCTIONS.get(key)
                if function is not None:
                    return function(self, argument, f"{pointer}/{escape_token(key)}")
            resolved: dict[str, Any] = {}
            for key, item in value.items():  # loops, not comprehensions: one frame per level of nesting
                item = self.resolve(item, f"{pointer}/{escape_token(key)}")
                if item is not NO_VALUE:
                    resolved[key] = item
            return resolved
        if isinstance(value, list):
            items = []
            for index, item in enumerate(value):
                item = self.resolve(item, f"{pointer}/{index}")
                if item is not NO_VALUE:
                    items.append(item)
            return items
        return value

    def text(self, value: Any, pointer: str) -> str:
        """A resolved value as text (strings as they are, other JSON values as JSON)."""
        value = self.resolve(value, pointer)
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return json.dumps(value) if isinstance(value, dict | list) else str(value)

    def missing(self, name: str, pointer: str, what: str) -> str:
        self.unresolved.append(Unresolved(name, pointer, what))
        return "${" + name + "}"

    def given(self, name: str) -> str | None:
        if name in self.substitutions:
            self.used.add(name)
            return self.substitutions[name]
        return None

    # -- Ref and Fn::GetAtt -------------------------------------------------------------------------

    def ref(self, name: Any, pointer: str) -> Any:
        if not isinstance(name, str):
            raise TemplateError(
                pointer, f"Ref takes the name of a parameter or resource, not {json.dumps(name)}"
            )
        given = self.given(name)
        if given is not None:
            return given
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account}:stack/{self.stack_name}/local",
            "AWS::NotificationARNs": [],
        }
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in pseudo:
            return pseudo[name]
        parameters = self.template.get("Parameters")
        if isinstance(parameters, dict) and name in parameters:
            declared = parameters[name]
            if isinstance(declared, dict) and "Default" in declared:
                return _parameter_value(declared)
            return self.missing(name, pointer, f"the template parameter {name!r}, which has no Default")
        resources = self.template.get("Resources")
        resource = resources.get(name) if isinstance(resources, dict) else None
        if isinstance(resource, dict):
            twin = _TWINS.get(str(resource.get("Type")))
            if twin is not None:
                return self._fill(twin[1], name, resource, twin[0])
            return self.missing(name, pointer, f"Ref of the {resource.get('Type')} resource {name!r}")
        return self.missing(name, pointer, "not a parameter or resource of the template")

    def get_att(self, argument: Any, pointer: str) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not isinstance(argument, list) or len(argument) != 2:
            raise TemplateError(pointer, "Fn::GetAtt takes [LogicalId, Attribute] or LogicalId.Attribute")
        logical = self.text(argument[0], pointer + "/0")
        attribute = self.text(argument[1], pointer + "/1")
        name = f"{logical}.{attribute}"
        given = self.given(name)
        if given is not None:
            return given
        resources = self.template.get("Resources")
        resource = resources.get(logical) if isinstance(resources, dict) else None
        if not isinstance(resource, dict):
            return self.missing(name, pointer, f"{logical!r} is not a resource of the template")
        twin = _TWINS.get(str(resource.get("Type")))
        if twin is None or attribute not in twin[2]:
            return self.missing(
                name, pointer, f"attribute {attribute} of the {resource.get('Type')} resource"
            )
        return self._fill(twin[2][attribute], logical, resource, twin[0])

    def _fill(self, pattern: str, logical: str, resource: dict[str, Any], name_property: str) -> str:
        name = logical
        properties = resource.get("Properties")
        if isinstance(properties, dict) and name_property in properties and logical not in self._naming:
            self._naming.add(logical)  # a name built from its own resource would loop
            value = self.resolve(properties[name_property], f"/Resources/{escape_token(logical)}/Properties")
            self._naming.discard(logical)
            name = value if isinstance(value, str) else logical
        return pattern.format(n=name, r=self.region, a=self.account)

    # -- text ---------------------------------------------------------------------------------------

    def sub(self, argument: Any, pointer: str) -> Any:
        variables: dict[str, Any] = {}
        text_pointer = pointer
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            argument, variables = argument[0], argument[1]
            text_pointer = pointer + "/0"
        if not isinstance(argument, str):
            raise TemplateError(pointer, "Fn::Sub takes a string, or [string, {variables}]")

        block = self.blocks.get(text_pointer)

        def replace(match: re.Match[str]) -> str:
            if match.group(1):
                self.literals.add(match.group(2).strip())
                return "${" + match.group(2) + "}"
            name = match.group(2).strip()
            given = self.given(name)
            if given is not None:
                return given
            if name in variables:
                variable = f"{pointer}/1/{escape_token(name)}"
                value = self.resolve(variables[name], variable)
                if isinstance(value, dict | list):
                    kind = "a list" if isinstance(value, list) else "an object"
                    raise TemplateError(variable, f"Fn::Sub's variable {name} is {kind}; it must be a string")
                return self.text(value, variable)
            before = len(self.unresolved)
            if "." in name and not name.startswith("AWS::"):
                value = self.text({"Fn::GetAtt": name.split(".", 1)}, text_pointer)
            else:
                value = self.text({"Ref": name}, text_pointer)
            if block is not None:
                where = block_position(argument, match.start(), block)
                self.unresolved[before:] = [
                    Unresolved(u.name, text_pointer, u.what, where) for u in self.unresolved[before:]
                ]
            return value

        return PLACEHOLDER.sub(replace, argument)

    # -- conditions ---------------------------------------------------------------------------------

    def condition(self, name: Any, pointer: str) -> bool:
        conditions = self.template.get("Conditions")
        if not isinstance(conditions, dict) or not isinstance(name, str) or name not in conditions:
            known = ", ".join(conditions) if isinstance(conditions, dict) and conditions else "none"
            raise TemplateError(
                pointer, f"no condition {json.dumps(name)} in Conditions (conditions: {known})"
            )
        if name in self._conditions:
            return self._conditions[name]
        if name in self._evaluating:
            circle = " -> ".join([*self._evaluating[self._evaluating.index(name) :], name])
            raise TemplateError(
                f"/Conditions/{escape_token(name)}",
                f"the conditions refer to each other in a circle ({circle}), which CloudFormation refuses",
            )
        self._evaluating.append(name)
        try:
            value = bool(self.resolve(conditions[name], f"/Conditions/{escape_token(name)}"))
        finally:
            self._evaluating.pop()
        self._conditions[name] = value
        return value

    def if_(self, argument: Any, pointer: str) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            raise TemplateError(
                pointer, "Fn::If takes three values: [condition, value if true, value if false]"
            )
        chosen = 1 if self.condition(argument[0], pointer + "/0") else 2
        return self.resolve(argument[chosen], f"{pointer}/{chosen}")

    def equals(self, argument: Any, pointer: str) -> bool:
        if not isinstance(argument, list) or len(argument) != 2:
            raise TemplateError(pointer, "Fn::Equals takes two values to compare")
        return bool(self.resolve(argument[0], pointer + "/0") == self.resolve(argument[1], pointer + "/1"))

    def logic(self, argument: Any, pointer: str, combine: Callable[[list[bool]], bool]) -> bool:
        if not isinstance(argument, list) or not argument:
            name = pointer.rsplit("/", 1)[-1]
            raise TemplateError(pointer, f"{name} takes a list of conditions")
        return combine([bool(v) for v in self.resolve(argument, pointer)])

    def unsupported(self, key: str) -> Callable[[Resolver, Any, str], Any]:
        def function(resolver: Resolver, argument: Any, pointer: str) -> Any:
            name = argument if key == "Fn::ImportValue" and isinstance(argument, str) else key
            given = resolver.given(name) if isinstance(name, str) else None
            if given is not None:
                return given
            return resolver.missing(name, pointer, f"{key} has no local value")

        return function


_FUNCTIONS: dict[str, Callable[[Resolver, Any, str], Any]] = {
    "Ref": Resolver.ref,
    "Fn::GetAtt": Resolver.get_att,
    "Fn::Sub": Resolver.sub,
    "Fn::Join": functions.join,
    "Fn::Select": functions.select,
    "Fn::Split": functions.split,
    "Fn::FindInMap": functions.find_in_map,
    "Fn::Cidr": functions.cidr,
    "Fn::If": Resolver.if_,
    "Fn::Equals": Resolver.equals,
    "Condition": Resolver.condition,
    "Fn::And": lambda r, a, p: r.logic(a, p, all),
    "Fn::Or": lambda r, a, p: r.logic(a, p, any),
    "Fn::Not": lambda r, a, p: not r.logic(a, p, all),
    "Fn::Base64": functions.base64_of,
    "Fn::ToJsonString": lambda r, a, p: json.dumps(r.resolve(a, p), separators=(",", ":")),
    "Fn::Length": lambda r, a, p: len(v) if isinstance(v := r.resolve(a, p), list) else 0,
    "Fn::GetAZs": lambda r, a, p: [f"{r.region}{zone}" for zone in "abc"],
}
for _key in ("Fn::ImportValue", "Fn::GetStackOutput"):
    _FUNCTIONS[_key] = Resolver.unsupported(Resolver({}, {}), _key)


def _transform(resolver: Resolver, argument: Any, pointer: str) -> Any:
    """Fn::Transform runs a macro (AWS::Include reads S3) in CloudFormation: nothing local can stand in."""
    name = argument.get("Name") if isinstance(argument, dict) else None
    macro = f" {name}" if isinstance(name, str) else ""
    raise TemplateError(
        pointer,
        f"Fn::Transform{macro} runs in CloudFormation and is not evaluated locally; write the value it "
        "produces in its place (for a definition, DefinitionUri may name a local file)",
    )


_FUNCTIONS["Fn::Transform"] = _transform

#: The YAML short forms (`!Sub`, `!Ref`...): one per function, named without `Fn::`.
SHORT_FORMS = frozenset(key.removeprefix("Fn::") for key in _FUNCTIONS)


def _parameter_value(declared: dict[str, Any]) -> Any:
    """A parameter's Default as CloudFormation passes it: text, or a list of texts for list types."""
    default = declared["Default"]
    text = ("true" if default else "false") if isinstance(default, bool) else default
    text = text if isinstance(text, str | list | dict) else str(text)
    kind = str(declared.get("Type", ""))
    if isinstance(text, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
        return [part.strip() for part in text.split(",")]
    return text


def block_position(text: str, offset: int, block: tuple[int, int]) -> tuple[int, int]:
    """The template (line, column) of `offset` in the text of a literal block scalar starting at `block`."""
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return block[0] + line, block[1] + column + 1


def substitute(text: str, values: Callable[[str], str | None]) -> tuple[str, list[tuple[str, int]]]:
    """Replace `${name}` in `text` by `values(name)`; return the text and the names left (with offsets)."""
    left: list[tuple[str, int]] = []

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(0)
        value = values(match.group(2).strip())
        if value is None:
            left.append((match.group(2).strip(), match.start()))
            return match.group(0)
        return value

    return PLACEHOLDER.sub(replace, text), left
