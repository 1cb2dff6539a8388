"""JSONPath, context paths (`$$.`), variable paths (`$name.x`) and reference paths, compiled once.

Plain paths such as `$.a.b[0]` or `$['a b'][2]` are compiled to a tuple of steps and walked
directly; anything else (wildcards, slices, filters, recursive descent) goes through jsonpath-ng,
imported only when such a path appears. A path is "definite" when it names one location: a
definite path that matches nothing raises `PathNotFound`; an indefinite one returns the list of
matches, as AWS does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from asl.errors import ResultPathMatchFailure
from asl.lazyre import Pattern

Step = str | int

#: Marks `Scope.result` / `Scope.error_output` as absent (JSON null is a value).
UNSET: Any = object()


class PathSyntaxError(ValueError):
    """A path is not valid JSONPath; `position` is the 0-based column of the problem."""

    def __init__(self, message: str, position: int = 0) -> None:
        self.position = position
        super().__init__(message)


class PathNotFound(LookupError):
    """A definite path matched nothing in the document it was applied to."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(path)


class Scope:
    """What a path can read: the state input (`$`), the context object (`$$`) and variables (`$name`)."""

    __slots__ = ("context", "error_output", "input", "result", "variables")

    def __init__(
        self,
        input: Any,
        context: Any = None,
        variables: dict[str, Any] | None = None,
        result: Any = UNSET,
        error_output: Any = UNSET,
    ) -> None:
        self.input = input
        self.context = context
        self.variables = variables if variables is not None else {}
        self.result = result
        self.error_output = error_output


_NAME = Pattern(r"\.([^.\[\]\s()'\"*@?,:]+)")
#: A single index, negative ones counting from the end (`$.a[-1]` is the last element): one location,
#: so a definite path, as in Jayway JsonPath (which AWS uses) and RFC 9535.
_INDEX = Pattern(r"\[\s*(-?\d+)\s*\]")
_QUOTED = Pattern(r"""\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]""")
_VAR = Pattern(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _plain_steps(rest: str) -> tuple[Step, ...] | None:
    """Split `.a['b'][0]` into steps, or None when the path needs a full JSONPath engine."""
    steps: list[Step] = []
    i = 0
    while i < len(rest):
        m = _NAME.match(rest, i) or _INDEX.match(rest, i) or _QUOTED.match(rest, i)
        if m is None:
            return None
        if m.re is _INDEX.compiled():
            steps.append(int(m.group(1)))
        elif m.re is _QUOTED.compiled():
            quoted = m.group(1) if m.group(1) is not None else m.group(2)
            steps.append(re.sub(r"\\(.)", r"\1", quoted))
        else:
            steps.append(m.group(1))
        i = m.end()
    return tuple(steps)


def walk(doc: Any, steps: tuple[Step, ...]) -> Any:
    """Follow `steps` into `doc`; raise KeyError when a step is missing."""
    for step in steps:
        if isinstance(step, int):
            if isinstance(doc, list) and -len(doc) <= step < len(doc):
                doc = doc[step]
            else:
                raise KeyError(step)
        elif isinstance(doc, dict) and step in doc:
            doc = doc[step]
        else:
            raise KeyError(step)
    return doc


@dataclass(frozen=True, slots=True)
class Path:
    """A compiled path. `root` is `input`, `context` or `variable` (then `variable` names it)."""

    text: str
    root: str
    steps: tuple[Step, ...] | None
    variable: str = ""
    engine: Any = None

    @property
    def definite(self) -> bool:
        """True when the path names a single location."""
        return self.steps is not None

    def get(self, scope: Scope) -> Any:
        """The value at this path; a list of matches for an indefinite path."""
        if self.root == "input":
            doc = scope.input
        elif self.root == "context":
            doc = scope.context
        else:
            if self.variable not in scope.variables:
                raise PathNotFound(self.text)
            doc = scope.variables[self.variable]
        if self.steps is not None:
            try:
                return walk(doc, self.steps)
            except KeyError:
                raise PathNotFound(self.text) from None
        return [match.value for match in self.engine.find(doc)]


_cache: dict[str, Path] = {}


def compile_path(text: str) -> Path:
    """Compile a JSONPath (`$...`), context path (`$$...`) or variable path (`$name...`)."""
    cached = _cache.get(text)
    if cached is not None:
        return cached
    path = _compile(text)
    _cache[text] = path
    return path


def _compile(text: str) -> Path:
    if not text.startswith("$"):
        raise PathSyntaxError(f"{text!r} is not a path: it must start with '$'", 0)
    if text.startswith("$$"):
        root, variable, rest = "context", "", text[2:]
    elif len(text) > 1 and text[1] not in ".[":
        m = _VAR.match(text)
        if not m:
            raise PathSyntaxError(f"{text!r} is not a valid variable reference", 1)
        root, variable, rest = "variable", m.group(1), text[m.end() :]
    else:
        root, variable, rest = "input", "", text[1:]
    steps = _plain_steps(rest)
    if steps is not None:
        return Path(text, root, steps, variable)
    return Path(text, root, None, variable, _engine(text, "$" + rest))


def _engine(text: str, jsonpath: str) -> Any:
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext import parse  # type: ignore[attr-defined]

    try:
        return parse(jsonpath)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:
        raise PathSyntaxError(f"invalid JSONPath {text!r}: {exc}", 0) from None


def compile_reference_path(text: str) -> Path:
    """Compile a reference path (ResultPath): a definite path into the input only."""
    path = compile_path(text)
    if path.root != "input" or not path.definite:
        raise PathSyntaxError(
            f"{text!r} is not a reference path: use a path into the input that names one location, "
            "like $.a.b or $['a'][0]",
            0,
        )
    return path


def set_at(doc: Any, path: Path, value: Any) -> Any:
    """Return a copy of `doc` with `value` placed at reference path `path`, creating missing objects.

    Only the objects along the path are copied; everything else is shared (values are treated as
    immutable).
    """
    steps = path.steps or ()
    if not steps:
        return value
    return _set(doc, steps, 0, value, path.text)


def _set(doc: Any, steps: tuple[Step, ...], i: int, value: Any, text: str) -> Any:
    step = steps[i]
    last = i == len(steps) - 1
    if isinstance(step, int):
        if not isinstance(doc, list) or not -len(doc) <= step < len(doc):
            raise ResultPathMatchFailure(_match_failure(text, doc))
        new_list = list(doc)
        new_list[step] = value if last else _set(doc[step], steps, i + 1, value, text)
        return new_list
    if doc is None and i > 0:
        doc = {}
    if not isinstance(doc, dict):
        raise ResultPathMatchFailure(_match_failure(text, doc))
    new = dict(doc)
    new[step] = value if last else _set(doc.get(step, {}), steps, i + 1, value, text)
    return new


def _match_failure(text: str, doc: Any) -> str:
    from asl.history import dumps

    return f"Unable to apply ReferencePath {text} to input {dumps(doc)}"
