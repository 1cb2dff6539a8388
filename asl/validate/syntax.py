"""Syntax of every JSONPath, reference path, intrinsic call and JSONata expression; and the variables they read."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from asl.paths import PathSyntaxError, compile_path, compile_reference_path
from asl.source import escape_token
from asl.validate.diagnostic import Aws, Diagnostic, make
from asl.validate.jsonata_syntax import jsonata_state
from asl.validate.shape import json_type
from asl.validate.walk import JSONATA, LOOKS_LIKE_PATH, State, Tree

#: Plain path fields of a JSONPath state (and of its ItemReader/ItemBatcher).
_PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
    "MaxItemsPath",
    "MaxItemsPerBatchPath",
    "MaxInputBytesPerBatchPath",
)
#: Payload templates: objects whose "x.$" fields hold paths or intrinsic calls.
_TEMPLATES = ("Parameters", "ResultSelector", "ItemSelector", "Credentials", "Assign", "BatchInput")
_TEMPLATE_SET = frozenset(_TEMPLATES)
_FIELD_ORDER = {name: i for i, name in enumerate(_PATH_FIELDS + _TEMPLATES)}


@dataclass
class Findings:
    """What the syntax pass found: diagnostics, and each variable read with where it is read."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    reads: list[tuple[str, str]] = field(default_factory=list)


def check_syntax(tree: Tree) -> Findings:
    """Parse every path, intrinsic call and JSONata expression of every state."""
    found = Findings()
    for state in tree.states:
        if state.language == JSONATA:
            jsonata_state(state, found.diagnostics, found.reads)
        else:
            _jsonpath_state(state, found)
    return found


# --- JSONPath states -------------------------------------------------------------------------------


def _jsonpath_state(state: State, found: Findings) -> None:
    body, pointer = state.body, state.pointer
    holders = [(body, pointer)]
    for name in ("ItemReader", "ItemBatcher", "ResultWriter"):
        sub = body.get(name)
        if isinstance(sub, dict):
            holders.append((sub, f"{pointer}/{name}"))
            if isinstance(sub.get("ReaderConfig"), dict):
                holders.append((sub["ReaderConfig"], f"{pointer}/{name}/ReaderConfig"))
    for holder, where in holders:
        # Only the fields present, in the order of _PATH_FIELDS then _TEMPLATES (the diagnostics' order).
        for _, name in sorted((_FIELD_ORDER[key], key) for key in holder if key in _FIELD_ORDER):
            value = holder[name]
            if name in _TEMPLATE_SET:
                if isinstance(value, dict):
                    _template(value, f"{where}/{name}", found)
            elif isinstance(value, str):
                _path(value, f"{where}/{name}", found)
    for name in ("ErrorPath", "CausePath"):
        if isinstance(body.get(name), str):
            _path_or_intrinsic(body[name], f"{pointer}/{name}", name, found)
    if isinstance(body.get("ResultPath"), str):
        _reference(body["ResultPath"], f"{pointer}/ResultPath", found)
    if state.type == "Map" and isinstance(body.get("ItemsPath"), str):
        _items_path(body["ItemsPath"], f"{pointer}/ItemsPath", found)
    for i, catcher in _items(body.get("Catch")):
        if isinstance(catcher.get("ResultPath"), str):
            _reference(catcher["ResultPath"], f"{pointer}/Catch/{i}/ResultPath", found)
        if isinstance(catcher.get("Assign"), dict):
            _template(catcher["Assign"], f"{pointer}/Catch/{i}/Assign", found)
    for i, rule in _items(body.get("Choices")):
        if isinstance(rule.get("Assign"), dict):
            _template(rule["Assign"], f"{pointer}/Choices/{i}/Assign", found)
        for value, where in _rule_operands(rule, f"{pointer}/Choices/{i}"):
            if isinstance(value, str):
                _path(value, where, found)


def _rule_operands(rule: dict[str, Any], pointer: str) -> Iterator[tuple[Any, str]]:
    """Variable and every "...Path" operand of a Choice rule and its nested rules."""
    stack = [(rule, pointer)]
    while stack:
        node, where = stack.pop()
        for key, value in node.items():
            if key == "Variable" or (key.endswith("Path") and key[:1] in "SNBT"):
                yield value, f"{where}/{key}"
            elif key in ("And", "Or"):
                stack.extend((sub, f"{where}/{key}/{i}") for i, sub in _items(value))
            elif key == "Not" and isinstance(value, dict):
                stack.append((value, f"{where}/Not"))


def _path(text: str, pointer: str, found: Findings, field: str = "") -> None:
    """Check a path; `field` names the '.$' field holding it, whose error AWS words as its own."""
    try:
        path = compile_path(text)
    except PathSyntaxError as exc:
        found.diagnostics.append(
            make(
                "INVALID_JSONPATH",
                f"{exc}{_at(exc)}; paths look like $.a.b, $$.Execution.Id or $variable",
                pointer,
                _aws_dollar_field(field, pointer),
            )
        )
        return
    if path.root == "variable":
        found.reads.append((path.variable, pointer))


def _reference(text: str, pointer: str, found: Findings) -> None:
    try:
        compile_reference_path(text)
    except PathSyntaxError as exc:
        found.diagnostics.append(make("INVALID_REFERENCE_PATH", f"ResultPath {exc}", pointer))


def _items_path(text: str, pointer: str, found: Findings) -> None:
    """ItemsPath "must be a Reference Path" (AWS's ItemsPath page): one location, no filters or wildcards."""
    try:
        path = compile_path(text)
    except PathSyntaxError:
        return  # reported by _path already
    if not path.definite:
        found.diagnostics.append(
            make(
                "INVALID_REFERENCE_PATH",
                f"ItemsPath {text!r} is not a reference path: it must name one location (no filters, wildcards, "
                "slices or unions), such as $.items or $['my items']; select the array with a Pass state first",
                pointer,
            )
        )


def _aws_dollar_field(name: str, pointer: str) -> Aws | None:
    """How AWS words a bad value of the '.$' field `name` (None for other fields); built only for a finding."""
    if not name.endswith(".$"):
        return None
    # AWS: "The value for the field 'outputPath.$' must be a valid JSONPath or a valid intrinsic function
    # call at /States/TestTask/Parameters" (quoted in serverless-step-functions issue #399).
    message = f"The value for the field '{name}' must be a valid JSONPath or a valid intrinsic function call"
    return Aws("SCHEMA_VALIDATION_FAILED", message, pointer.rsplit("/", 1)[0])


def _path_or_intrinsic(text: str, pointer: str, name: str, found: Findings) -> None:
    if text.startswith("$"):
        _path(text, pointer, found, name)
        return
    module = _intrinsics()
    if module is None:
        return
    if not (text.startswith("States.") or module.is_intrinsic(text)):
        literal = "drop the '.$' suffix" if name.endswith(".$") else f"use '{name.removesuffix('Path')}'"
        found.diagnostics.append(
            make(
                "INVALID_JSONPATH",
                f"'{name}' must be a path starting with '$' or an intrinsic function call such as "
                f"States.Format('{{}}', $.x), not {text!r}; for a literal value {literal}",
                pointer,
                _aws_dollar_field(name, pointer),
            )
        )
        return
    problem, reads = _checked_intrinsic(text)
    if problem is not None:
        found.diagnostics.append(
            make(
                "INVALID_INTRINSIC",
                f"Invalid intrinsic function call: {problem}",
                pointer,
                _aws_dollar_field(name, pointer),
            )
        )
        return
    found.reads += [(name, pointer) for name in reads]


@functools.lru_cache(maxsize=4096)
def _checked_intrinsic(text: str) -> tuple[str | None, tuple[str, ...]]:
    """(why the call is invalid, or None; the variables it reads): the same for the same text, so kept."""
    module = _intrinsics()
    assert module is not None
    reads: list[str] = []

    def getter(path_text: str) -> Callable[[Any], Any]:
        path = compile_path(path_text)
        if path.root == "variable":
            reads.append(path.variable)
        return path.get

    try:
        module.compile_intrinsic(text, getter)
    except ValueError as exc:
        return str(exc), ()
    return None, tuple(reads)


def _template(template: dict[str, Any], pointer: str, found: Findings) -> None:
    stack: list[tuple[Any, str]] = [(template, pointer)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, list):
            stack.extend((child, f"{where}/{i}") for i, child in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if not key.endswith(".$") and not (
                isinstance(value, dict | list) or (isinstance(value, str) and LOOKS_LIKE_PATH.match(value))
            ):
                continue  # a literal: nothing to check, so no pointer to build
            here = f"{where}/{escape_token(key)}"
            if key.endswith(".$"):
                if key[:-2] in node:
                    found.diagnostics.append(
                        make(
                            "INVALID_PAYLOAD_TEMPLATE",
                            f"'{key}' and '{key[:-2]}' set the same field; keep one",
                            here,
                        )
                    )
                if isinstance(value, str):
                    _path_or_intrinsic(value, here, key, found)
                else:
                    found.diagnostics.append(
                        make(
                            "INVALID_PAYLOAD_TEMPLATE",
                            f"'{key}' ends in '.$', so its value must be a path or intrinsic call string, not "
                            f"{json_type(value)}; drop the '.$' suffix for a literal value",
                            here,
                        )
                    )
            elif isinstance(value, str) and LOOKS_LIKE_PATH.match(value):
                found.diagnostics.append(
                    make(
                        "NO_DOLLAR",
                        f"'{key}' holds the literal text {value!r}; to evaluate it as a path or intrinsic "
                        f"rename the field to '{key}.$'",
                        here,
                    )
                )
            else:
                stack.append((value, here))


def _at(exc: Exception) -> str:
    position = getattr(exc, "position", None)
    return f" (at character {position + 1})" if isinstance(position, int) and position > 0 else ""


@functools.cache
def _intrinsics() -> Any:
    try:
        from asl import intrinsics
    except ImportError:
        return None
    usable = all(hasattr(intrinsics, name) for name in ("is_intrinsic", "compile_intrinsic"))
    return intrinsics if usable else None


def _items(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item
