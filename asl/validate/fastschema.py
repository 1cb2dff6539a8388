"""A compiled validator for the JSON Schema (2020-12) keywords that schema.json uses, ~10x faster than jsonschema.

`compile_schema(schema)` turns the schema into nested closures once; running one on an instance appends a
`SchemaError` per failure, with the same keyword, path, instance and failing subschema that jsonschema
reports (the tests check both against each other). A keyword outside the subset raises
`UnsupportedSchema`, and `shape.py` then falls back to jsonschema itself, so the schema file stays free to
use any keyword.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sized
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
Check = Callable[[Any, Path, list["SchemaError"]], None]

#: Keywords that only annotate: they never fail.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "x-fix", "then", "else"}
)
_TYPES = frozenset({"object", "array", "string", "boolean", "null", "number", "integer"})


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this validator does not implement."""


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One failed keyword: which, its value, the instance and where it is, and the subschema holding it."""

    keyword: str
    value: Any
    instance: Any
    path: Path
    schema: dict[str, Any]
    in_property_names: bool = False


#: What a failure adds to a `_Probe`.
_FAILED = SchemaError("false", False, None, (), {})


def compile_schema(root: dict[str, Any]) -> Check:
    """Compile `root` (and every subschema it references) into one check function."""
    return _Compiler(root).node(root)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


#: Types a single isinstance decides ("integer", "number" and "boolean" need more care: bool is an int).
_EXACT: dict[tuple[str, ...], type | tuple[type, ...]] = {
    ("object",): dict,
    ("array",): list,
    ("string",): str,
    ("boolean",): bool,
    ("object", "string"): (dict, str),
    ("string", "null"): (str, type(None)),
    ("array", "object", "string"): (list, dict, str),
}


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "number":
        return _is_number(value)
    # "integer"
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: true and 1 differ, 1 and 1.0 do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b) if type(a) is type(b) or (_is_number(a) and _is_number(b)) else False


def _required_one_each(value: list[Any]) -> frozenset[str] | None:
    """The keys when every alternative is exactly `{"required": [key]}`, each key once; else None.

    Such an alternative holds for an object that has its key, and for anything that is not an object.
    """
    keys = []
    for sub in value:
        if not isinstance(sub, dict) or set(sub) != {"required"}:
            return None
        required = sub["required"]
        if not isinstance(required, list) or len(required) != 1 or not isinstance(required[0], str):
            return None
        keys.append(required[0])
    return frozenset(keys) if len(set(keys)) == len(keys) else None


class _Probe(list["SchemaError"]):
    """The errors list of a check run only to know whether it passes: failures go in as `_FAILED`."""


def _valid(check: Check, instance: Any, path: Path) -> bool:
    errors = _Probe()
    check(instance, path, errors)
    return not errors


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def node(self, schema: Any) -> Check:
        if schema is True:
            return lambda instance, path, out: None
        if schema is False:
            return lambda instance, path, out: out.append(SchemaError("false", False, instance, path, {}))
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"schema {schema!r}")
        checks = [
            self.keyword(schema, key, value) for key, value in schema.items() if key not in _ANNOTATIONS
        ]
        if len(checks) == 1:
            return checks[0]

        def run(instance: Any, path: Path, out: list[SchemaError]) -> None:
            for check in checks:
                check(instance, path, out)

        return run

    def ref(self, target: str) -> Check:
        """The referenced subschema, compiled when an instance first reaches it (start-up compiles only what is used)."""
        if not target.startswith("#/"):
            raise UnsupportedSchema(f"$ref {target!r}")
        refs = self.refs

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            compiled = refs.get(target)
            if compiled is None:
                compiled = refs[target] = self.resolve(target)
            compiled(instance, path, out)

        return check

    def resolve(self, target: str) -> Check:
        schema: Any = self.root
        for token in target[2:].split("/"):
            schema = schema[token.replace("~1", "/").replace("~0", "~")]
        return self.node(schema)

    def keyword(self, schema: dict[str, Any], key: str, value: Any) -> Check:
        method = getattr(self, "k_" + key.replace("$", ""), None)
        if method is None:
            raise UnsupportedSchema(f"keyword {key!r}")
        check: Check = method(schema, value)
        return check

    def fail(
        self, schema: dict[str, Any], key: str, value: Any
    ) -> Callable[[Any, Path, list[SchemaError]], None]:

        def failed(instance: Any, path: Path, out: list[SchemaError]) -> None:
            # A probe only counts failures: the error is built only where it will be reported.
            out.append(_FAILED if type(out) is _Probe else SchemaError(key, value, instance, path, schema))

        return failed

    # -- assertions --------------------------------------------------------------------------------

    def k_ref(self, schema: dict[str, Any], value: str) -> Check:
        return self.ref(value)

    def k_type(self, schema: dict[str, Any], value: str | list[str]) -> Check:
        names = (value,) if isinstance(value, str) else tuple(value)
        if not _TYPES.issuperset(names):
            raise UnsupportedSchema(f"type {value!r}")
        fail = self.fail(schema, "type", value)
        exact = _EXACT.get(names)
        if exact is not None:  # one type only a built-in class holds (no bool/int overlap): one isinstance

            def check_exact(instance: Any, path: Path, out: list[SchemaError]) -> None:
                if not isinstance(instance, exact):
                    fail(instance, path, out)

            return check_exact

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if not any(_is_type(instance, name) for name in names):
                fail(instance, path, out)

        return check

    def k_enum(self, schema: dict[str, Any], value: list[Any]) -> Check:
        fail = self.fail(schema, "enum", value)
        # A str equals (as JSON) exactly the str options that compare equal to it: a set lookup will do.
        strings = frozenset(option for option in value if type(option) is str)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if type(instance) is str:
                if instance not in strings:
                    fail(instance, path, out)
            elif not any(_equal(instance, option) for option in value):
                fail(instance, path, out)

        return check

    def k_const(self, schema: dict[str, Any], value: Any) -> Check:
        fail = self.fail(schema, "const", value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if not _equal(instance, value):
                fail(instance, path, out)

        return check

    def _bound(self, schema: dict[str, Any], key: str, value: float, test: Callable[[Any], bool]) -> Check:
        fail = self.fail(schema, key, value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if _is_number(instance) and test(instance):
                fail(instance, path, out)

        return check

    def k_minimum(self, schema: dict[str, Any], value: float) -> Check:
        return self._bound(schema, "minimum", value, lambda n: n < value)

    def k_maximum(self, schema: dict[str, Any], value: float) -> Check:
        return self._bound(schema, "maximum", value, lambda n: n > value)

    def k_pattern(self, schema: dict[str, Any], value: str) -> Check:
        search = re.compile(value).search
        fail = self.fail(schema, "pattern", value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if isinstance(instance, str) and not search(instance):
                fail(instance, path, out)

        return check

    def _size(
        self, schema: dict[str, Any], key: str, value: int, kind: type[Sized], test: Callable[[int], bool]
    ) -> Check:
        fail = self.fail(schema, key, value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if isinstance(instance, kind) and test(len(instance)):
                fail(instance, path, out)

        return check

    def k_minItems(self, schema: dict[str, Any], value: int) -> Check:
        return self._size(schema, "minItems", value, list, lambda n: n < value)

    def k_minProperties(self, schema: dict[str, Any], value: int) -> Check:
        return self._size(schema, "minProperties", value, dict, lambda n: n < value)

    def k_maxLength(self, schema: dict[str, Any], value: int) -> Check:
        return self._size(schema, "maxLength", value, str, lambda n: n > value)

    def k_required(self, schema: dict[str, Any], value: list[str]) -> Check:
        fail = self.fail(schema, "required", value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if isinstance(instance, dict):
                for name in value:
                    if name not in instance:
                        fail(instance, path, out)

        return check

    # -- applicators -------------------------------------------------------------------------------

    def k_properties(self, schema: dict[str, Any], value: dict[str, Any]) -> Check:
        children = {name: self.node(sub) for name, sub in value.items()}
        order = {name: i for i, name in enumerate(children)}

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if not isinstance(instance, dict):
                return
            # Fewer fields than the schema names: visit those, in schema order.
            if len(instance) < len(children):
                present = sorted((order[name], name) for name in instance if name in order)
                for _, name in present:
                    children[name](instance[name], (*path, name), out)
                return
            for name, child in children.items():
                if name in instance:
                    child(instance[name], (*path, name), out)

        return check

    def k_additionalProperties(self, schema: dict[str, Any], value: Any) -> Check:
        known = frozenset(schema.get("properties", {}))
        if "patternProperties" in schema:
            raise UnsupportedSchema("patternProperties")
        if value is False:
            fail = self.fail(schema, "additionalProperties", value)

            def forbid(instance: Any, path: Path, out: list[SchemaError]) -> None:
                if isinstance(instance, dict) and not known.issuperset(instance):
                    fail(instance, path, out)

            return forbid
        child = self.node(value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if isinstance(instance, dict):
                for name, item in instance.items():
                    if name not in known:
                        child(item, (*path, name), out)

        return check

    def k_propertyNames(self, schema: dict[str, Any], value: Any) -> Check:
        child = self.node(value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if isinstance(instance, dict):
                found: list[SchemaError] = []
                for name in instance:
                    child(name, path, found)
                    if found:
                        out += [
                            SchemaError(
                                e.keyword, e.value, e.instance, e.path, e.schema, in_property_names=True
                            )
                            for e in found
                        ]
                        found = []

        return check

    def k_items(self, schema: dict[str, Any], value: Any) -> Check:
        if "prefixItems" in schema:
            raise UnsupportedSchema("prefixItems")
        child = self.node(value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if isinstance(instance, list):
                for i, item in enumerate(instance):
                    child(item, (*path, i), out)

        return check

    def k_dependentSchemas(self, schema: dict[str, Any], value: dict[str, Any]) -> Check:
        children = {name: self.node(sub) for name, sub in value.items()}

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if isinstance(instance, dict):
                for name, child in children.items():
                    if name in instance:
                        child(instance, path, out)

        return check

    def k_allOf(self, schema: dict[str, Any], value: list[Any]) -> Check:
        discriminated = self._discriminated(value)
        if discriminated is not None:
            key, table = discriminated

            def dispatch(instance: Any, path: Path, out: list[SchemaError]) -> None:
                if isinstance(instance, dict):
                    tag = instance.get(key)
                    child = table.get(tag) if type(tag) is str else None
                    if child is not None:
                        child(instance, path, out)

            return dispatch
        children = [self.node(sub) for sub in value]

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            for child in children:
                child(instance, path, out)

        return check

    def _discriminated(self, value: list[Any]) -> tuple[str, dict[str, Check]] | None:
        """An `allOf` of `if`s on one property's string value (the state schema, by Type), as a lookup.

        The shape: `{if: {type: object, required: [K], properties: {K: {const: V}}}, then: S}` for one K and
        distinct Vs. At most one `if` can hold, so looking up V gives the same failures as checking each.
        """
        key: str | None = None
        table: dict[str, Any] = {}
        for sub in value:
            if not isinstance(sub, dict) or set(sub) != {"if", "then"}:
                return None
            condition = sub["if"]
            if not isinstance(condition, dict) or set(condition) != {"type", "required", "properties"}:
                return None
            required, properties = condition["required"], condition["properties"]
            if condition["type"] != "object" or not isinstance(required, list) or len(required) != 1:
                return None
            name = required[0]
            if not isinstance(properties, dict) or set(properties) != {name} or key not in (None, name):
                return None
            const = properties[name]
            if not isinstance(const, dict) or set(const) != {"const"} or type(const["const"]) is not str:
                return None
            if const["const"] in table:
                return None
            key = name
            table[const["const"]] = sub["then"]
        if key is None:
            return None
        return key, {tag: self.node(then) for tag, then in table.items()}

    def k_anyOf(self, schema: dict[str, Any], value: list[Any]) -> Check:
        children = [self.node(sub) for sub in value]
        fail = self.fail(schema, "anyOf", value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if not any(_valid(child, instance, path) for child in children):
                fail(instance, path, out)

        return check

    def k_oneOf(self, schema: dict[str, Any], value: list[Any]) -> Check:
        fail = self.fail(schema, "oneOf", value)
        keys = _required_one_each(value)
        if keys is not None:  # a Choice rule's "exactly one test": count the tests present

            def count(instance: Any, path: Path, out: list[SchemaError]) -> None:
                present = len(keys.intersection(instance)) if isinstance(instance, dict) else len(keys)
                if present != 1:
                    fail(instance, path, out)

            return count
        children = [self.node(sub) for sub in value]

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if sum(_valid(child, instance, path) for child in children) != 1:
                fail(instance, path, out)

        return check

    def k_not(self, schema: dict[str, Any], value: Any) -> Check:
        child = self.node(value)
        fail = self.fail(schema, "not", value)

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            if _valid(child, instance, path):
                fail(instance, path, out)

        return check

    def k_if(self, schema: dict[str, Any], value: Any) -> Check:
        condition = self.node(value)
        then = self.node(schema.get("then", True))
        otherwise = self.node(schema.get("else", True))

        def check(instance: Any, path: Path, out: list[SchemaError]) -> None:
            (then if _valid(condition, instance, path) else otherwise)(instance, path, out)

        return check
