"""Query-language rules: which fields a JSONPath or a JSONata state may use, variable names, static values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from asl.lazyre import Pattern
from asl.source import escape_token
from asl.validate.diagnostic import Aws, Diagnostic, make
from asl.validate.walk import JSONATA, JSONPATH, LOOKS_LIKE_PATH, State, Tree

#: JSONPath-only state fields, with what a JSONata state uses instead.
_JSONPATH_ONLY = {
    "InputPath": "read the input as $states.input inside Arguments or Output",
    "OutputPath": "use Output",
    "Parameters": "use Arguments",
    "ResultSelector": "use Output with $states.result",
    "ResultPath": "use Output or Assign with $states.result",
    "Result": "use Output",
    "ItemsPath": "use Items",
}
#: Fields that only JSONata states have, with what a JSONPath state uses instead.
_JSONATA_ONLY = {
    "Arguments": "use Parameters",
    "Output": "use ResultSelector, ResultPath and OutputPath",
    "Items": "use ItemsPath",
}
#: Fields whose value may be a "{% %}" string in a JSONata state but must be a literal in a JSONPath state.
_EXPRESSION_VALUED = (
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Seconds",
    "Timestamp",
    "MaxConcurrency",
    "ToleratedFailurePercentage",
    "ToleratedFailureCount",
    "ItemSelector",
    "Credentials",
)
_EXPRESSION_SET = frozenset(_EXPRESSION_VALUED)
_COMPARISONS = ("Variable", "And", "Or", "Not")
_VARIABLE_NAME = Pattern(r"^[^\W\d]\w*$")


def check_languages(tree: Tree) -> list[Diagnostic]:
    """JSONPath/JSONata field rules, variable names in Assign, and static-value warnings for every state."""
    found: list[Diagnostic] = []
    for state in tree.states:
        if tree.language == JSONATA and state.body.get("QueryLanguage") == JSONPATH:
            # AWS reports only this for the state: its fields are not checked against either language.
            found.append(
                make(
                    "JSONPATH_STATE_IN_JSONATA_MACHINE",
                    "This state machine's QueryLanguage is JSONata, so a state cannot switch back to JSONPath; "
                    "remove this QueryLanguage and rewrite the state in JSONata",
                    f"{state.pointer}/QueryLanguage",
                    Aws(
                        "SCHEMA_VALIDATION_FAILED",
                        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                        state.pointer,
                    ),
                )
            )
        elif state.language == JSONATA:
            found += _jsonata_state(state)
        else:
            found += _jsonpath_state(state)
        found += _assign_names(state)
    return found


def _jsonata_state(state: State) -> list[Diagnostic]:
    found = []
    for field in state.body:
        if field in _JSONPATH_ONLY:
            hint = (
                "use ItemSelector" if state.type == "Map" and field == "Parameters" else _JSONPATH_ONLY[field]
            )
        elif field.endswith("Path"):
            hint = f"use {field[:-4]} with a '{{% %}}' expression"
        else:
            continue
        found.append(_jsonpath_only(field, hint, f"{state.pointer}/{field}"))
    for i, catcher in _items(state.body.get("Catch")):
        if "ResultPath" in catcher:
            found.append(
                _jsonpath_only(
                    "ResultPath",
                    "use Output or Assign with $states.errorOutput",
                    f"{state.pointer}/Catch/{i}/ResultPath",
                )
            )
    for i, rule in _items(state.body.get("Choices")):
        for field in _COMPARISONS:
            if field in rule:
                found.append(
                    _jsonpath_only(
                        field,
                        "use Condition with a '{% %}' expression",
                        f"{state.pointer}/Choices/{i}/{field}",
                    )
                )
                break
        else:
            operators = [k for k in rule if k.startswith(("String", "Numeric", "Boolean", "Timestamp", "Is"))]
            if operators:
                found.append(
                    _jsonpath_only(
                        operators[0],
                        "use Condition with a '{% %}' expression",
                        f"{state.pointer}/Choices/{i}/{operators[0]}",
                    )
                )
    for holder in ("ItemReader", "ResultWriter", "ItemBatcher"):
        found += _nested_paths(state, holder)
    return found


def _nested_paths(state: State, holder: str) -> list[Diagnostic]:
    body = state.body.get(holder)
    if not isinstance(body, dict):
        return []
    found = []
    pointer = f"{state.pointer}/{holder}"
    if "Parameters" in body:
        found.append(_jsonpath_only("Parameters", "use Arguments", f"{pointer}/Parameters"))
    fields = [(k, f"{pointer}/{k}") for k in body if k.endswith("Path")]
    config = body.get("ReaderConfig")
    if isinstance(config, dict):
        fields += [(k, f"{pointer}/ReaderConfig/{k}") for k in config if k.endswith("Path")]
    found += [_jsonpath_only(k, f"use {k[:-4]} with a '{{% %}}' expression", p) for k, p in fields]
    return found


def _aws_language(pointer: str, field: str, language: str, other: str) -> Aws:
    """AWS's wording, located at the state for a field of the state itself, else at the field."""
    parent, _, name = pointer.rpartition("/")
    at_state = name == field and parent.rsplit("/", 2)[-2:-1] == ["States"]
    message = f"The QueryLanguage is set to '{language}', but field '{field}' is only supported for the '{other}' QueryLanguage"
    return Aws("SCHEMA_VALIDATION_FAILED", message, parent if at_state else pointer)


def _jsonpath_only(field: str, hint: str, pointer: str) -> Diagnostic:
    return make(
        "JSONPATH_FIELD_IN_JSONATA_STATE",
        f'\'{field}\' is a JSONPath field and this state uses JSONata: {hint} (or set "QueryLanguage": "JSONPath" on the state)',
        pointer,
        _aws_language(pointer, field, JSONATA, JSONPATH),
    )


def _jsonata_only(field: str, hint: str, pointer: str) -> Diagnostic:
    return make(
        "JSONATA_FIELD_IN_JSONPATH_STATE",
        f'\'{field}\' needs JSONata and this state uses JSONPath: set "QueryLanguage": "JSONata" on the state '
        f"or the state machine, or {hint}",
        pointer,
        _aws_language(pointer, field, JSONPATH, JSONATA),
    )


def _jsonpath_state(state: State) -> list[Diagnostic]:
    found = []
    body, pointer = state.body, state.pointer
    for field, hint in _JSONATA_ONLY.items():
        if field in body:
            found.append(_jsonata_only(field, hint, f"{pointer}/{field}"))
    for field in () if _EXPRESSION_SET.isdisjoint(body) else _EXPRESSION_VALUED:
        if isinstance(body.get(field), str) and body[field].startswith("{%"):
            found.append(_jsonata_only(field, f"use {field}Path or a literal value", f"{pointer}/{field}"))
    for i, catcher in _items(body.get("Catch")):
        if "Output" in catcher:
            found.append(_jsonata_only("Output", "use ResultPath", f"{pointer}/Catch/{i}/Output"))
    for i, rule in _items(body.get("Choices")):
        for field in ("Condition", "Output"):
            if field in rule:
                hint = (
                    "use Variable with a comparison such as StringEquals"
                    if field == "Condition"
                    else "remove it"
                )
                found.append(_jsonata_only(field, hint, f"{pointer}/Choices/{i}/{field}"))
    for holder in ("ItemReader", "ResultWriter"):
        sub = body.get(holder)
        if isinstance(sub, dict) and "Arguments" in sub:
            found.append(_jsonata_only("Arguments", "use Parameters", f"{pointer}/{holder}/Arguments"))
    if state.type == "Fail":
        for field in ("Error", "Cause"):
            value = body.get(field)
            if isinstance(value, str) and LOOKS_LIKE_PATH.match(value):
                found.append(
                    make(
                        "NO_PATH",
                        f"'{field}' is the literal text {value!r}; to read it from the input use '{field}Path' instead",
                        f"{pointer}/{field}",
                    )
                )
    if state.type == "Pass":
        found += [
            make(
                "PASS_RESULT_IS_STATIC",
                f"'{key}' in Result is never evaluated: Result is static; use Parameters to select from the input",
                key_pointer,
            )
            for key, key_pointer in _dollar_keys(body.get("Result"), f"{pointer}/Result")
        ]
    return found


def _assign_names(state: State) -> list[Diagnostic]:
    found = []
    blocks = [(state.body.get("Assign"), f"{state.pointer}/Assign")]
    for field in ("Choices", "Catch"):
        blocks += [
            (item.get("Assign"), f"{state.pointer}/{field}/{i}/Assign")
            for i, item in _items(state.body.get(field))
        ]
    for block, pointer in blocks:
        if not isinstance(block, dict):
            continue
        for key in block:
            name = key[:-2] if state.language == JSONPATH and key.endswith(".$") else key
            if name == "states":
                found.append(
                    make(
                        "INVALID_VARIABLE_NAME",
                        "'states' is reserved for $states (input, result, errorOutput, context) and cannot be "
                        "assigned; choose another name",
                        f"{pointer}/{escape_token(key)}",
                    )
                )
            elif not _VARIABLE_NAME.match(name):
                found.append(
                    make(
                        "INVALID_VARIABLE_NAME",
                        f"'{key}' is not a valid variable name: start with a letter or '_' and use only letters, "
                        "digits and '_'"
                        + (" ('.$' suffixes are JSONPath only)" if key.endswith(".$") else ""),
                        f"{pointer}/{escape_token(key)}",
                    )
                )
    return found


def assigned_names(tree: Tree) -> set[str]:
    """Every variable name any Assign in the definition sets (without a '.$' suffix)."""
    names: set[str] = set()
    for state in tree.states:
        blocks = [state.body.get("Assign")]
        for field in ("Choices", "Catch"):
            blocks += [item.get("Assign") for _, item in _items(state.body.get(field))]
        for block in blocks:
            if isinstance(block, dict):
                names |= {k[:-2] if k.endswith(".$") else k for k in block}
    return names


def _items(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _dollar_keys(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    stack = [(value, pointer)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if key.endswith(".$"):
                    yield key, f"{where}/{escape_token(key)}"
                stack.append((child, f"{where}/{escape_token(key)}"))
        elif isinstance(node, list):
            stack.extend((child, f"{where}/{i}") for i, child in enumerate(node))
