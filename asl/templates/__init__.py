"""Definitions from where they live: YAML files, SAM and CloudFormation templates, CDK's `cdk.out`.

A definition reference is a path, optionally followed by `#LogicalId` to pick one state machine of
a template (`template.yaml#OrderFlow`; for CDK also the construct path, `OrderStack/OrderFlow`, or its
last part). A template with one state machine needs no `#`. A `cdk.out` folder stands for every
`*.template.json` in it. Placeholders nothing resolves are reported with their line and column and
the flag (`--sub NAME=VALUE`) or configuration key (`[substitutions]`) that supplies them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asl.errors import DefinitionError, Problem
from asl.files import FileReadError, read_problem, read_text
from asl.source import Source, check_size, load_json

if TYPE_CHECKING:
    from asl.templates.cfn import Extracted, Template
    from asl.templates.intrinsics import Unresolved

# The template machinery (asl.templates.cfn, .intrinsics) is imported when a template is read: a plain
# JSON definition, the common case, loads without it.

__all__ = [
    "Loaded",
    "Unresolved",
    "is_template",
    "is_template_file",
    "machine_refs",
    "read_any",
    "reads",
    "split_ref",
]

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Loaded:
    """A definition read from a file or a template: the JSON value, its source, and what stayed open."""

    definition: Any
    source: Source
    #: The state machine's name: the template's name property or logical ID (None for a plain file).
    name: str | None = None
    unresolved: tuple[Unresolved, ...] = ()
    #: Substitution names given that nothing in the template used.
    unused: tuple[str, ...] = ()

    def problems(self) -> list[Problem]:
        """One problem per unresolved placeholder, placed and saying how to supply it."""
        return [_problem(u, self.source) for u in self.unresolved]


def split_ref(reference: str | Path) -> tuple[Path, str | None]:
    """`template.yaml#Flow` -> (Path("template.yaml"), "Flow"); a path without `#` (or that exists) is kept."""
    text = str(reference)
    if "#" in text and not Path(text).exists():
        head, _, fragment = text.rpartition("#")
        if head:
            return Path(head), fragment or None
    return Path(text), None


def exists(reference: str | Path) -> bool:
    """True when the file (or cdk.out folder) a reference names exists."""
    path, fragment = split_ref(reference)
    return path.is_file() or (path.is_dir() and (fragment is not None or _is_cdk_out(path)))


def unreadable(reference: str | Path) -> str | None:
    """Why the file (or cdk.out folder) a reference names cannot be read ("no such file"...), or None."""
    if exists(reference):
        return None
    path, _ = split_ref(reference)
    if path.is_dir():
        return "is a folder without *.template.json (name a definition file, or a cdk.out folder)"
    return read_problem(path) or "cannot be read"


def reads(reference: str | Path) -> bool:
    """True when this module, not the plain JSON reader, must read `reference` (YAML, `#`, cdk.out)."""
    path, fragment = split_ref(reference)
    return fragment is not None or path.suffix.lower() in YAML_SUFFIXES or path.is_dir()


def is_template(data: Any) -> bool:
    """True for a CloudFormation/SAM template (see `asl.templates.cfn.is_template`)."""
    from asl.templates.cfn import is_template as check

    return check(data)


def __getattr__(name: str) -> Any:
    if name == "Unresolved":
        from asl.templates.intrinsics import Unresolved

        return Unresolved
    raise AttributeError(f"module 'asl.templates' has no attribute {name!r}")


def is_template_file(path: str | Path) -> bool:
    """True for a JSON file holding a CloudFormation template (checked by parsing it)."""
    from asl.source import parse_json

    try:
        return is_template(parse_json(read_text(path)))
    except (OSError, ValueError):  # JSONDecodeError and JsonValueError (too deep...) are ValueErrors
        return False


def _is_cdk_out(path: Path) -> bool:
    return any(path.glob("*.template.json"))


def read_document(path: Path) -> Template:
    """Read a JSON or YAML file as a template-or-definition document, with positions."""
    from asl.templates.cfn import Template

    try:
        text = read_text(path)
    except FileReadError as exc:
        raise DefinitionError(
            [Problem("", f"cannot read file: {exc.reason}", "UNREADABLE")], str(path)
        ) from None
    source = Source(text, str(path))
    if path.suffix.lower() in YAML_SUFFIXES:
        from asl.templates.yamlsrc import load_yaml

        data, positions, blocks = load_yaml(text, str(path))
        return Template(data, source, positions, blocks)
    return Template(load_json(text, str(path)), source)


def _templates(folder: Path) -> list[Path]:
    found = sorted(folder.glob("*.template.json"))
    if not found:
        raise DefinitionError(
            [Problem("", "the folder holds no *.template.json (run `cdk synth` first?)", "INVALID_TEMPLATE")],
            str(folder),
        )
    return found


def machine_refs(reference: str | Path) -> list[str]:
    """Every state machine a reference stands for: itself, or `file#LogicalId` for each machine of a template."""
    path, fragment = split_ref(reference)
    if fragment is not None:
        return [str(reference)]
    from asl.templates.cfn import state_machines

    files = _templates(path) if path.is_dir() else [path]
    refs = []
    for file in files:
        document = read_document(file)
        if is_template(document.data):
            machines = state_machines(document.data)
            if len(machines) != 1 or path.is_dir():
                refs += [f"{file}#{logical}" for logical in machines]
                continue
        refs.append(str(file))
    return refs


def read_any(
    reference: str | Path,
    substitutions: Mapping[str, str] | None = None,
    *,
    region: str = "us-east-1",
    account: str = "123456789012",
    strict: bool = True,
) -> Loaded:
    """Read a definition from a JSON or YAML file, or a state machine of a template.

    With `strict`, a placeholder left unresolved raises a `DefinitionError` that places each one;
    otherwise they come back in `Loaded.unresolved` and stay in the text as `${NAME}`.
    """
    path, fragment = split_ref(reference)
    if fragment is None and path.suffix.lower() not in YAML_SUFFIXES and path.is_file():
        plain = _plain_definition(path)
        if plain is not None:
            check_size(plain.definition, plain.source, plain.source.text)
            return plain
    from asl.templates.cfn import extract, pick, state_machines
    from asl.templates.functions import TemplateError
    from asl.templates.intrinsics import Resolver

    if path.is_dir():
        path = _find_in_cdk_out(path, fragment, str(reference))
    document = read_document(path)
    if not is_template(document.data):
        if fragment is not None:
            raise DefinitionError(
                [
                    Problem(
                        "",
                        f"#{fragment} picks a state machine of a template, but this file is a definition",
                        "INVALID_TEMPLATE",
                    )
                ],
                str(path),
            )
        definition, source = _as_definition(document)
        check_size(definition, source, None if document.positions is not None else source.text)
        return Loaded(definition, source)
    logical = pick(document.data, fragment, str(path))
    label = (
        f"{path}#{logical}" if fragment is not None or len(state_machines(document.data)) > 1 else str(path)
    )
    given = dict(substitutions or {})
    resolver = Resolver(
        document.data, given, region, account, path.stem.split(".")[0], blocks=document.blocks
    )
    try:
        extracted: Extracted = extract(document, logical, path.parent, resolver, label, _read_definition_file)
    except TemplateError as exc:
        line, column = document.locate(exc.pointer) or (None, None)
        raise DefinitionError(
            [Problem(exc.pointer, exc.message, "INVALID_TEMPLATE", line, column)], label
        ) from None
    except RecursionError:
        message = "the template's values and intrinsic functions nest too deeply to resolve; flatten them"
        raise DefinitionError([Problem("", message, "INVALID_TEMPLATE")], label) from None
    unused = tuple(sorted(set(given) - resolver.used))
    check_size(extracted.definition, extracted.source)
    loaded = Loaded(extracted.definition, extracted.source, extracted.name, extracted.unresolved, unused)
    if strict and loaded.unresolved:
        raise DefinitionError(loaded.problems(), label)
    return loaded


def _plain_definition(path: Path) -> Loaded | None:
    """A JSON file holding a definition (it has `States`, which no template has), or None to read it as a template may be."""
    try:
        text = read_text(path)
    except FileReadError:
        return None  # read_document says what is wrong
    data = load_json(text, str(path))
    if isinstance(data, dict) and "States" in data:
        return Loaded(data, Source(text, str(path)))
    return None


def _find_in_cdk_out(folder: Path, fragment: str | None, label: str) -> Path:
    """The template of a cdk.out folder that holds the machine `fragment` names."""
    from asl.templates.cfn import pick

    matches = []
    for file in _templates(folder):
        data = read_document(file).data
        if is_template(data):
            try:
                pick(data, fragment, str(file))
            except DefinitionError:
                continue
            matches.append(file)
    if len(matches) == 1:
        return matches[0]
    what = "no template" if not matches else f"{len(matches)} templates"
    hint = "name one as cdk.out#LogicalId" if fragment is None else "name the template file instead"
    raise DefinitionError([Problem("", f"{what} in the folder match; {hint}", "INVALID_TEMPLATE")], label)


def _read_definition_file(path: Path) -> tuple[Any, Source]:
    """A file named by DefinitionUri: JSON or YAML, its positions its own."""
    return _as_definition(read_document(path))


def _as_definition(document: Template) -> tuple[Any, Source]:
    if document.positions is None:
        return document.data, document.source
    from asl.templates.cfn import TemplateSource

    return document.data, TemplateSource(document, document.source.name, "")


def _problem(unresolved: Unresolved, source: Source) -> Problem:
    position = unresolved.position
    from asl.templates.cfn import TemplateSource

    if position is None and isinstance(source, TemplateSource):
        position = source.template.locate(unresolved.pointer)
    line, column = position if position else (None, None)
    name = unresolved.name
    value = json.dumps("VALUE")
    message = (
        f"${{{name}}} is not resolved ({unresolved.what}); give it with --sub {name}=VALUE "
        f"or as {json.dumps(name)} = {value} under [substitutions] in asl.toml"
    )
    return Problem(unresolved.pointer, message, "UNRESOLVED_PLACEHOLDER", line, column)
