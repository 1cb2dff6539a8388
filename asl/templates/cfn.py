"""State machines in SAM and CloudFormation templates (and CDK's synthesized ones): their definitions.

For each `AWS::StepFunctions::StateMachine` and `AWS::Serverless::StateMachine`: `Definition` (an
object), `DefinitionString` (a string, or `Fn::Sub`/`Fn::Join` building one, as CDK writes it) or
`DefinitionUri` (a local file, as SAM takes it), with `DefinitionSubstitutions` applied to every
`${name}` of the definition, and intrinsic functions resolved (`asl.templates.intrinsics`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asl.errors import DefinitionError, Problem
from asl.source import Source, escape_token
from asl.templates.intrinsics import Resolver, Unresolved, block_position, local_name, substitute

if TYPE_CHECKING:  # yaml is imported only to read YAML
    from asl.templates.yamlsrc import Blocks, Positions

MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
_NAME_PROPERTY = {
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Serverless::StateMachine": "Name",
}
_UNSUPPORTED = {
    "DefinitionS3Location": "an S3 object cannot be read locally; point DefinitionUri at a local file instead",
}


@dataclass
class Template:
    """A parsed template: its data, its text and where each JSON pointer is in that text."""

    data: dict[str, Any]
    source: Source
    positions: Positions | None = None  # YAML: computed while parsing; JSON: from `source`
    blocks: Blocks = field(default_factory=dict)

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """The (line, column) of `pointer` in the template, or of its nearest parent."""
        if self.positions is None:
            return self.source.locate(pointer)
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


class TemplateSource(Source):
    """A definition inside a template: JSON pointers of the definition map to the template's lines."""

    def __init__(
        self,
        template: Template,
        name: str,
        prefix: str,
        inner: Source | None = None,
        block: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(template.source.text, name)
        self.template = template
        self.prefix = prefix
        self.inner = inner
        self.block = block

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """Where the definition's `pointer` is in the template."""
        if self.inner is None:
            return self.template.locate(self.prefix + pointer)
        if self.block is not None:
            found = self.inner.locate(pointer)
            if found is not None:
                return self.block[0] + found[0] - 1, self.block[1] + found[1]
        return self.template.locate(self.prefix)


def is_template(data: Any) -> bool:
    """True for a CloudFormation/SAM template (a `Resources` object, no `States`)."""
    return (
        isinstance(data, dict)
        and "States" not in data
        and isinstance(data.get("Resources"), dict)
        and all(isinstance(r, dict) for r in data["Resources"].values())
    )


def state_machines(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The template's state machine resources by logical ID, in template order."""
    return {
        logical: resource
        for logical, resource in data["Resources"].items()
        if resource.get("Type") in MACHINE_TYPES
    }


def cdk_path(resource: dict[str, Any]) -> str | None:
    """The CDK construct path of a resource (`Stack/Flow/Resource`), when CDK synthesized it."""
    metadata = resource.get("Metadata")
    path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
    return path if isinstance(path, str) else None


def pick(data: dict[str, Any], wanted: str | None, name: str) -> str:
    """The logical ID of the machine `wanted` names (logical ID or CDK construct path), or the only one."""
    machines = state_machines(data)
    listing = ", ".join(machines) or "none"
    if wanted is None:
        if len(machines) == 1:
            return next(iter(machines))
        if not machines:
            raise _error(
                name,
                "the template defines no AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine",
            )
        raise _error(
            name,
            f"the template defines {len(machines)} state machines ({listing}); pick one as {name}#LogicalId",
        )
    if wanted in machines:
        return wanted
    for logical, resource in machines.items():
        path = cdk_path(resource)
        if path and wanted in (
            path,
            path.removesuffix("/Resource"),
            path.removesuffix("/Resource").rsplit("/", 1)[-1],
        ):
            return logical
    raise _error(name, f"no state machine {wanted!r} in the template (state machines: {listing})")


def _error(
    name: str, message: str, pointer: str = "", where: tuple[int, int] | None = None
) -> DefinitionError:
    line, column = where if where else (None, None)
    return DefinitionError([Problem(pointer, message, "INVALID_TEMPLATE", line, column)], name)


@dataclass(frozen=True)
class Extracted:
    """One state machine of a template: its name, definition, where it is, and what stayed unresolved."""

    logical_id: str
    name: str
    definition: Any
    source: Source
    unresolved: tuple[Unresolved, ...]
    unused: tuple[str, ...] = ()


def extract(
    template: Template,
    logical: str,
    folder: Path,
    resolver: Resolver,
    label: str,
    read_file: Any,
) -> Extracted:
    """The definition of machine `logical`, substituted and resolved."""
    resource = template.data["Resources"][logical]
    base = f"/Resources/{escape_token(logical)}"
    properties = resource.get("Properties")
    if not isinstance(properties, dict):
        raise _error(label, f"{logical} has no Properties", base, template.locate(base))
    pointer = f"{base}/Properties"
    for key, why in _UNSUPPORTED.items():
        if key in properties:
            raise _error(
                label,
                f"{key} is not supported: {why}",
                f"{pointer}/{key}",
                template.locate(f"{pointer}/{key}"),
            )
    substitutions = _substitutions(properties, pointer, resolver)
    name = local_name(logical, resource, _NAME_PROPERTY[resource["Type"]])
    if _NAME_PROPERTY[resource["Type"]] in properties:  # a name built with !Sub or !Ref counts too
        named = resolver.resolve(
            properties[_NAME_PROPERTY[resource["Type"]]], f"{pointer}/{_NAME_PROPERTY[resource['Type']]}"
        )
        name = named if isinstance(named, str) and "${" not in named else logical
    if "Definition" in properties:
        prefix = f"{pointer}/Definition"
        source: Source = TemplateSource(template, label, prefix)
        definition = resolver.resolve(properties["Definition"], prefix)
        definition = _substitute_values(definition, "", substitutions, resolver, source)
    elif "DefinitionString" in properties:
        prefix = f"{pointer}/DefinitionString"
        raw = properties["DefinitionString"]
        text = resolver.text(raw, prefix)
        block_pointer = prefix + (
            "/Fn::Sub" if isinstance(raw, dict) and isinstance(raw.get("Fn::Sub"), str) else ""
        )
        block = template.blocks.get(block_pointer) if isinstance(raw, str | dict) else None
        text = _substitute_text(text, substitutions, resolver, prefix, block)
        inner = Source(text, label)
        source = TemplateSource(template, label, prefix, inner, block)
        try:
            definition = json.loads(text)
        except json.JSONDecodeError as exc:
            where = source.locate("") if block is None else (block[0] + exc.lineno - 1, block[1] + exc.colno)
            raise _error(
                label,
                f"DefinitionString is not valid JSON: {exc.msg} (at line {exc.lineno}, column {exc.colno} of the string)",
                prefix,
                where,
            ) from None
    elif "DefinitionUri" in properties:
        prefix = f"{pointer}/DefinitionUri"
        uri = resolver.resolve(properties["DefinitionUri"], prefix)
        if not isinstance(uri, str) or uri.startswith("s3://"):
            raise _error(
                label,
                "DefinitionUri must be a local file path here (an S3 object cannot be read locally)",
                prefix,
                template.locate(prefix),
            )
        from asl.files import read_problem

        problem = read_problem(folder / uri)
        if problem is not None:
            raise _error(label, f"DefinitionUri {uri}: {problem}", prefix, template.locate(prefix))
        definition, source = read_file(folder / uri)
        definition = _substitute_values(definition, "", substitutions, resolver, source)
    else:
        raise _error(
            label,
            f"{logical} has no Definition, DefinitionString or DefinitionUri",
            pointer,
            template.locate(pointer),
        )
    return Extracted(logical, name, definition, source, tuple(resolver.unresolved))


def _substitutions(properties: dict[str, Any], pointer: str, resolver: Resolver) -> dict[str, str]:
    raw = properties.get("DefinitionSubstitutions") or {}
    if not isinstance(raw, dict):
        return {}
    values = {}
    for key, value in raw.items():
        given = resolver.given(key)
        values[key] = (
            given
            if given is not None
            else resolver.text(value, f"{pointer}/DefinitionSubstitutions/{escape_token(key)}")
        )
    return values


def _lookup(substitutions: dict[str, str], resolver: Resolver) -> Any:
    def value(name: str) -> str | None:
        given = resolver.given(name)
        return given if given is not None else substitutions.get(name)

    return value


def _substitute_text(
    text: str, substitutions: dict[str, str], resolver: Resolver, pointer: str, block: tuple[int, int] | None
) -> str:
    result, left = substitute(text, _lookup(substitutions, resolver))
    known = _reported(resolver)
    for name, offset in left:
        if name not in known:  # an Fn::Sub around the definition reported it already
            position = block_position(text, offset, block) if block is not None else None
            resolver.unresolved.append(Unresolved(name, pointer, _WHAT, position))
    return result


_WHAT = "a ${...} placeholder of the definition that DefinitionSubstitutions does not define"


def _substitute_values(
    value: Any, pointer: str, substitutions: dict[str, str], resolver: Resolver, source: Source
) -> Any:
    """DefinitionSubstitutions applied to every string (keys too) of a definition object."""
    lookup = _lookup(substitutions, resolver)
    known = _reported(resolver)

    def walk(value: Any, pointer: str) -> Any:
        if isinstance(value, str):
            result, left = substitute(value, lookup)
            for name, _ in left:
                if name not in known:
                    resolver.unresolved.append(Unresolved(name, pointer, _WHAT, source.locate(pointer)))
            return result
        if isinstance(value, dict):
            done = {}
            for key, item in value.items():  # loops, not comprehensions: one frame per level of nesting
                done[walk(key, pointer)] = walk(item, f"{pointer}/{escape_token(key)}")
            return done
        if isinstance(value, list):
            items = []
            for index, item in enumerate(value):
                items.append(walk(item, f"{pointer}/{index}"))
            return items
        return value

    return walk(value, pointer)


def _reported(resolver: Resolver) -> set[str]:
    """Names not to report again: those reported while resolving, and `${!Name}` literals of an Fn::Sub."""
    return {u.name for u in resolver.unresolved} | resolver.literals
