"""Static checks of a state machine definition: shape (schema.json), semantic rules, syntax and resources.

`validate(definition)` never raises on any JSON value: everything it finds comes back as `Diagnostic`s,
sorted by position, each with a stable code (see `CODES`), a message saying how to fix it, a JSON
pointer and, when a `Source` is given, the line and column in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from asl import jsonvalue
from asl.validate.diagnostic import CODES, Diagnostic, Severity, make

if TYPE_CHECKING:
    from asl.resources import TaskRegistry
    from asl.source import Source

__all__ = ["CODES", "Diagnostic", "Severity", "validate", "validate_state_machine_definition"]

#: ValidateStateMachineDefinition returns at most this many diagnostics (`maxResults`, 0 meaning this).
MAX_RESULTS = 100

#: Deeper definitions are refused with TOO_DEEPLY_NESTED before any check recurses into them.
MAX_DEPTH = jsonvalue.MAX_DEPTH


def validate(
    definition: Any, source: Source | None = None, registry: TaskRegistry | None = None
) -> list[Diagnostic]:
    """Check `definition` (parsed JSON); with `registry`, Task resources no local handler serves are warnings."""
    if definition is None or (isinstance(definition, str) and not definition.strip()):
        found = [
            make("MISSING_DESCRIPTION", "The definition is empty: it needs at least StartAt and States", "")
        ]
        return _finish(found, source, definition)
    deepest, repeated = scan(definition)
    if deepest > MAX_DEPTH:
        message = f"The definition nests objects and arrays more than {MAX_DEPTH} levels deep; flatten it"
        return _finish([make("TOO_DEEPLY_NESTED", message, "")], source)
    return validate_within_depth(definition, source, registry, repeated)


def validate_within_depth(
    definition: Any,
    source: Source | None = None,
    registry: TaskRegistry | None = None,
    repeated: list[Diagnostic] | None = None,
) -> list[Diagnostic]:
    """`validate` for a definition already known to nest at most MAX_DEPTH levels (the loader checks first).

    `repeated` is what `scan` found, when the caller has scanned the definition already.
    """
    from asl.validate.shape import check_shape

    found = repeated if repeated is not None else _guarded("repeated keys", lambda: scan(definition)[1])
    found += _guarded("shape", lambda: check_shape(definition))
    if isinstance(definition, dict):
        found += _semantic(definition, registry)
    return _finish(found, source, definition)


def _semantic(definition: dict[str, Any], registry: TaskRegistry | None) -> list[Diagnostic]:
    from asl.validate.language import assigned_names, check_languages
    from asl.validate.resources import check_resources
    from asl.validate.rules import check_rules
    from asl.validate.s3_names import check_s3_names
    from asl.validate.syntax import Findings, check_syntax
    from asl.validate.walk import build

    tree = build(definition)
    found = _guarded("rules", lambda: check_rules(tree))
    found += _guarded("query language", lambda: check_languages(tree))
    syntax = Findings()

    def run_syntax() -> list[Diagnostic]:
        nonlocal syntax
        syntax = check_syntax(tree)
        return syntax.diagnostics

    found += _guarded("syntax", run_syntax)
    found += _guarded("variables", lambda: _unassigned(syntax.reads, assigned_names(tree)))
    found += _guarded("resources", lambda: check_resources(tree, registry))
    found += _guarded("S3 names", lambda: check_s3_names(tree))
    return found


def validate_state_machine_definition(
    definition: str, *, severity: str = "ERROR", max_results: int = 0
) -> dict[str, Any]:
    """AWS's ValidateStateMachineDefinition for a definition's text: `result`, `diagnostics`, `truncated`.

    As the API reference describes it: `severity` ERROR returns only errors, WARNING errors and warnings;
    `max_results` 0 means 100, the most there can be; `result` is FAIL when any error is found. Each
    diagnostic has AWS's `severity`, `code`, `message` and (when AWS gives one) `location`. Raises
    ValueError for arguments the API refuses (a ValidationException).
    """
    from asl.validate.files import validate_text

    if not isinstance(definition, str) or not definition:
        raise ValueError("definition must be a non-empty string")
    if severity not in ("ERROR", "WARNING"):
        raise ValueError("severity must be ERROR or WARNING")
    if (
        isinstance(max_results, bool)
        or not isinstance(max_results, int)
        or not 0 <= max_results <= MAX_RESULTS
    ):
        raise ValueError(f"maxResults must be an integer from 0 to {MAX_RESULTS}")
    report = validate_text(definition)
    wanted = [d for d in report.diagnostics if d.is_error or severity == "WARNING"]
    limit = max_results or MAX_RESULTS
    diagnostics = []
    for d in wanted[:limit]:
        item = {"severity": d.severity, "code": d.aws_code, "message": d.aws_message}
        if d.location is not None:
            item["location"] = d.location
        diagnostics.append(item)
    result = "FAIL" if any(d.is_error for d in report.diagnostics) else "OK"
    return {"result": result, "diagnostics": diagnostics, "truncated": len(wanted) > limit}


def scan(definition: Any) -> tuple[int, list[Diagnostic]]:
    """One walk of the document: how deeply it nests (as `jsonvalue.depth`), and its repeated keys.

    Keys given twice in one object can be told only in a definition read by `asl.source.parse_json`.
    """
    from asl.source import RepeatedKeys, escape_token

    found = []
    deepest = 0
    # A node's pointer is built only for an object that repeats a key: (parent's way, key) until then.
    stack: list[tuple[Any, int, Any]] = [(definition, 1, None)]
    while stack:
        node, level, way = stack.pop()
        if isinstance(node, dict):
            children: Any = node.items()
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        if level > deepest:
            deepest = level
        stack.extend((v, level + 1, (way, k)) for k, v in children if isinstance(v, dict | list))
        if isinstance(node, RepeatedKeys):
            pointer = _pointer(way)
            for key in node.repeated:
                where = f"{pointer}/{escape_token(key)}"
                if pointer.endswith("/States"):
                    message = f"State '{key}' is defined twice in this States object; rename one"
                    found.append(make("DUPLICATE_STATE_NAME", message, where))
                else:
                    message = (
                        f"Field '{key}' appears twice in this object and only the last one counts; remove one"
                    )
                    found.append(make("SCHEMA_VALIDATION_FAILED", message, where))
    return deepest, found


def _pointer(way: Any) -> str:
    """The JSON pointer of a (parent's way, key) chain."""
    from asl.source import escape_token

    parts: list[str] = []
    while way is not None:
        way, key = way
        parts.append(escape_token(key) if isinstance(key, str) else str(key))
    return "".join(f"/{part}" for part in reversed(parts))


def _unassigned(reads: list[tuple[str, str]], assigned: set[str]) -> list[Diagnostic]:
    from asl.validate.shape import suggest

    found = []
    for name, pointer in reads:
        if name in assigned:
            continue
        hint = suggest(name, sorted(assigned)) or "; assign it in an earlier state or check the name"
        found.append(
            make(
                "UNASSIGNED_VARIABLE",
                f"Variable '${name}' is read here but no Assign in the definition sets it{hint}",
                pointer,
            )
        )
    return found


def _guarded(phase: str, check: Callable[[], list[Diagnostic]]) -> list[Diagnostic]:
    """Run one group of checks; turn a crash into a diagnostic instead of an exception."""
    try:
        return check()
    except RecursionError:
        return [
            make(
                "TOO_DEEPLY_NESTED",
                f"The definition is nested too deeply to check its {phase}; flatten it",
                "",
            )
        ]
    except Exception as exc:  # a bug in a check must not stop validation
        return [
            make(
                "INTERNAL_ERROR",
                f"The {phase} check stopped early ({type(exc).__name__}: {exc}); please report this",
                "",
            )
        ]


def _finish(found: list[Diagnostic], source: Source | None, definition: Any = None) -> list[Diagnostic]:
    unique = list(
        dict.fromkeys(
            replace(d.located(source), location=aws_location(definition, d.aws_pointer)) for d in found
        )
    )
    if source is not None:
        # By position; what AWS does not locate (a missing terminal state) last, as AWS lists it.
        unique.sort(key=lambda d: (d.location is None and bool(d.pointer), d.line or 0, d.column or 0))
    return unique


def aws_location(definition: Any, pointer: str | None) -> str | None:
    """A JSON pointer as AWS writes locations: names unescaped, array items as `[i]` (`/States/C/Choices[0]/Next`)."""
    if not pointer:
        return None
    node = definition
    location = ""
    for token in pointer.split("/")[1:]:
        name = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and name.isdigit():
            location += f"[{name}]"
            node = node[int(name)] if int(name) < len(node) else None
        else:
            location += f"/{name}"
            node = node.get(name) if isinstance(node, dict) else None
    return location
