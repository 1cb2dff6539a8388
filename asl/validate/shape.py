"""Shape checks: run the definition through schema.json and turn jsonschema's errors into readable diagnostics."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from asl.validate.diagnostic import Aws, Diagnostic, make
from asl.validate.fastschema import Check, SchemaError, UnsupportedSchema, compile_schema
from asl.validate.walk import STATE_TYPES, pointer_to

SCHEMA_PATH = Path(__file__).with_name("schema.json")

_TYPE_WORDS = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


@functools.cache
def schema() -> dict[str, Any]:
    """The JSON Schema of a state machine definition (asl/validate/schema.json)."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def schema_errors(definition: Any, engine: str = "compiled") -> list[SchemaError]:
    """The raw schema failures of `definition`, from the compiled validator or (`engine="jsonschema"`) jsonschema."""
    if engine == "compiled":
        check = _compiled()
        if check is not None:
            found: list[SchemaError] = []
            try:
                check(definition, (), found)
                return found
            except UnsupportedSchema:  # a part compiled on first use needs jsonschema after all
                pass
    return [_from_jsonschema(e) for e in _jsonschema().iter_errors(definition)]


def check_shape(definition: Any) -> list[Diagnostic]:
    """Every way `definition` departs from the schema, one diagnostic per problem."""
    found: list[Diagnostic] = []
    for error in schema_errors(definition):
        found.extend(_translate(error, definition))
    return found


@functools.cache
def _compiled() -> Check | None:
    try:
        return compile_schema(schema())
    except UnsupportedSchema:
        return None


@functools.cache
def _jsonschema() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def _from_jsonschema(error: Any) -> SchemaError:
    return SchemaError(
        error.validator or "false",
        error.validator_value,
        error.instance,
        tuple(error.absolute_path),
        error.schema if isinstance(error.schema, dict) else {},
        "propertyNames" in error.schema_path,
    )


def json_type(value: Any) -> str:
    """The JSON type name of a Python value, as a phrase ("a string", "null")."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    names = {str: "a string", dict: "an object", list: "an array", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def describe(tokens: list[str | int], root: Any) -> str:
    """A human name for the object at `tokens`: 'Pass state "A"', 'Choice rule', 'the state machine'."""
    if not tokens:
        return "the state machine"
    last = tokens[-1]
    parent = tokens[-2] if len(tokens) > 1 else None
    if parent == "States":
        node = _resolve(root, tokens)
        kind = node.get("Type") if isinstance(node, dict) else None
        return f"{kind} state '{last}'" if kind in STATE_TYPES else f"state '{last}'"
    named = {"Choices": "Choice rule", "And": "Choice rule", "Or": "Choice rule", "Retry": "retrier"}
    named |= {"Catch": "catcher", "Branches": "Parallel branch"}
    if isinstance(last, int) and parent in named:
        return named[str(parent)]
    if last == "Not":
        return "Choice rule"
    return f"'{last}'"


def field_name(tokens: list[str | int]) -> str:
    """The name of the field at `tokens` as a message shows it: `Next`, `Choices[2]`, `definition`."""
    if not tokens:
        return "definition"
    if isinstance(tokens[-1], int) and len(tokens) > 1:
        return f"{tokens[-2]}[{tokens[-1]}]"
    return str(tokens[-1])


def _resolve(root: Any, tokens: list[str | int]) -> Any:
    node = root
    for token in tokens:
        if isinstance(node, dict) and isinstance(token, str):
            node = node.get(token)
        elif isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
            node = node[token]
        else:
            return None
    return node


def suggest(word: str, choices: list[str]) -> str:
    """A did-you-mean hint such as "; did you mean 'Next'?" for the closest of `choices`, or ""."""
    for choice in choices:
        if choice.lower() == word.lower():
            return f"; did you mean '{choice}'?"
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _translate(error: SchemaError, root: Any) -> list[Diagnostic]:
    tokens: list[str | int] = list(error.path)
    pointer = pointer_to(*tokens)
    instance = error.instance
    if error.in_property_names:
        return [_bad_name(tokens, str(instance))]
    if error.keyword == "additionalProperties" and isinstance(instance, dict):
        return _unknown_fields(tokens, instance, error.schema, root)
    owner = tokens if isinstance(instance, dict) else tokens[:-1]
    fix = error.schema.get("x-fix")
    if isinstance(fix, str):
        message = fix.replace("{field}", field_name(tokens)).replace("{kind}", describe(owner, root))
    else:
        message = _generic(error, tokens, root)
    return [make("SCHEMA_VALIDATION_FAILED", message, pointer, _aws_wording(error, pointer))]


def _aws_wording(error: SchemaError, pointer: str) -> Aws | None:
    """AWS's words for a value outside an enumeration or of the wrong type (measured on QueryLanguage)."""
    if error.keyword == "enum" and isinstance(error.value, list):
        if all(isinstance(v, str) for v in error.value) and not isinstance(error.instance, str):
            message = "Expected value of type [STRING]"
        else:
            message = f"Value should be one of the following: [{', '.join(str(v) for v in error.value)}]"
    elif error.keyword == "type" and pointer:
        wanted = [error.value] if isinstance(error.value, str) else list(error.value)
        message = f"Expected value of type [{', '.join(str(w).upper() for w in wanted)}]"
    else:
        return None
    return Aws("SCHEMA_VALIDATION_FAILED", message, pointer)


def _bad_name(tokens: list[str | int], name: str) -> Diagnostic:
    pointer = pointer_to(*tokens, name)
    shown = name if len(name) <= 40 else name[:37] + "..."
    return make(
        "INVALID_STATE_NAME",
        f"State name '{shown}' is {len(name)} characters long; use at most 80 characters",
        pointer,
    )


def _unknown_fields(
    tokens: list[str | int], instance: dict[str, Any], sub: dict[str, Any], root: Any
) -> list[Diagnostic]:
    properties = sub.get("properties", {})
    allowed = [name for name, rule in properties.items() if not (isinstance(rule, dict) and "not" in rule)]
    where = describe(tokens, root)
    found = []
    for key in instance:
        if key in properties:
            continue
        hint = suggest(key, allowed) or "; remove it or check its spelling"
        # AWS: "Field 'TimeoutSeconds' is not supported", located at the object holding it (the state).
        found.append(
            make(
                "SCHEMA_VALIDATION_FAILED",
                f"Unknown field '{key}' in {where}{hint}",
                pointer_to(*tokens, key),
                Aws("SCHEMA_VALIDATION_FAILED", f"Field '{key}' is not supported", pointer_to(*tokens)),
            )
        )
    return found


def _generic(error: SchemaError, tokens: list[str | int], root: Any) -> str:
    keyword, expected, instance = error.keyword, error.value, error.instance
    name = field_name(tokens)
    if keyword == "required" and isinstance(instance, dict):
        missing = [f"'{r}'" for r in expected if r not in instance]
        noun = "field" if len(missing) == 1 else "fields"
        return f"{describe(tokens, root)} is missing the required {noun} {', '.join(missing)}"
    if keyword == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted)
        if not tokens:
            return f"A state machine definition must be a JSON object, not {json_type(instance)}"
        subject = f"State '{name}'" if len(tokens) > 1 and tokens[-2] == "States" else f"'{name}'"
        return f"{subject} must be {words}, not {json_type(instance)}"
    if keyword == "enum":
        options = [str(o) for o in expected]
        hint = suggest(instance, options) if isinstance(instance, str) else ""
        return f"'{name}' must be one of {', '.join(options)}, not {json.dumps(instance)}{hint}"
    if keyword == "const":
        return f"'{name}' must be {json.dumps(expected)}"
    if keyword in ("minimum", "exclusiveMinimum"):
        return f"'{name}' must be at least {expected}, not {instance}"
    if keyword in ("maximum", "exclusiveMaximum"):
        return f"'{name}' must be at most {expected}, not {instance}"
    if keyword in ("minItems", "minProperties"):
        return f"'{name}' must not be empty"
    if keyword in ("not", "false"):
        return f"'{name}' is not allowed here; remove it"
    return f"'{name}' does not satisfy the schema's '{keyword}' rule ({json.dumps(expected)})"
