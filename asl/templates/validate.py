"""`asl validate` for YAML files and templates: one report per state machine, placeholders as diagnostics."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from asl.errors import DefinitionError
from asl.templates import machine_refs, read_any
from asl.validate.diagnostic import Diagnostic

if TYPE_CHECKING:
    from asl.resources import TaskRegistry
    from asl.validate.files import FileReport

#: Our codes for templates (documented in docs/ci.md), outside AWS's catalogue.
TEMPLATE_CODES = {
    "UNRESOLVED_PLACEHOLDER": "A ${NAME}, Ref or Fn::GetAtt of a template has no value; give it with --sub or [substitutions].",
    "INVALID_TEMPLATE": "The template has no usable state machine, the one named with #LogicalId is not there, "
    "or an intrinsic function is called as CloudFormation refuses.",
    "MALFORMED_YAML": "The file is not valid YAML, repeats a key, uses an unknown tag, nests too deeply or its aliases expand too far.",
}


#: Codes of the definition itself that a template or YAML file may report while it is read.
KEPT_CODES = frozenset({"DEFINITION_TOO_LARGE"})


def validate_reference(
    reference: str | Path,
    substitutions: Mapping[str, str] | None = None,
    registry: TaskRegistry | None = None,
) -> list[FileReport]:
    """Validate every state machine a file, template or `template#Machine` reference stands for."""
    from asl.validate import validate
    from asl.validate.files import FileReport

    try:
        refs = machine_refs(reference)
    except DefinitionError as exc:
        return [FileReport(str(reference), tuple(_diagnostics(exc)))]
    reports = []
    for ref in refs:
        try:
            loaded = read_any(ref, substitutions, strict=False)
        except DefinitionError as exc:
            reports.append(FileReport(_where(ref, exc.source), tuple(_diagnostics(exc))))
            continue
        placeholders = [
            Diagnostic("ERROR", p.code, p.message, p.pointer, p.line, p.column) for p in loaded.problems()
        ]
        found = validate(loaded.definition, loaded.source, registry)
        reports.append(
            FileReport(_where(ref, loaded.source.name), tuple(placeholders + found), loaded.source)
        )
    return reports


def _where(ref: str, source: str | None) -> str:
    """The file a report's lines and columns refer to: the file DefinitionUri names, or `ref` itself."""
    if source and source != ref and Path(source).is_file():
        return source
    return ref


def _diagnostics(error: DefinitionError) -> list[Diagnostic]:
    return [
        Diagnostic(
            "ERROR",
            p.code if p.code in TEMPLATE_CODES or p.code in KEPT_CODES else "UNREADABLE_FILE",
            p.message[:1].upper() + p.message[1:],
            p.pointer,
            p.line,
            p.column,
        )
        for p in error.problems
    ]
