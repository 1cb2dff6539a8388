"""YAML text -> JSON-like data, with the line and column of every value and CloudFormation's short tags.

CloudFormation's short forms become their long forms as CloudFormation reads them: `!Ref X` is
`{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, `!Condition C` is `{"Condition": "C"}`,
and every other `!Name value` is `{"Fn::Name": value}` (`!Sub`, `!Join`, `!If`, `!Select`...). Any other
tag (`!Include`, `!!python/object/apply:...`, `!!set`) is refused where it is written.

Anchors and aliases (`&a`, `*a`, `<<: *a`) are expanded, as `sam deploy` and `aws cloudformation
package` expand them before CloudFormation sees the template (CloudFormation itself refuses aliases).
What they add is bounded: an alias used inside its own anchor, or aliases expanding the document by
more than `MAX_ALIAS_VALUES` values, are refused at the alias. Nesting is held to
`asl.jsonvalue.MAX_DEPTH`, as in JSON. Events come from libyaml when PyYAML has it (about ten times
faster than the pure-Python scanner); nodes are composed and walked without recursion.
"""

from __future__ import annotations

import datetime
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from asl.errors import DefinitionError, Problem
from asl.jsonvalue import MAX_DEPTH
from asl.source import escape_token
from asl.templates.intrinsics import SHORT_FORMS

Positions = dict[str, tuple[int, int]]
#: JSON pointer of a literal block scalar (`|`) -> (line of its first content line, its indentation).
Blocks = dict[str, tuple[int, int]]

#: The most values aliases may add to a document (a reused Retry block adds tens; a YAML bomb, billions).
MAX_ALIAS_VALUES = 100_000

_STANDARD = "tag:yaml.org,2002:"
_MERGE = _STANDARD + "merge"
_STR = _STANDARD + "str"
_SCALAR_TAGS = frozenset(
    _STANDARD + t for t in ("null", "bool", "int", "float", "str", "timestamp", "binary")
)

_Events: Any
try:  # libyaml's event parser, when PyYAML was built with it
    from yaml._yaml import CParser as _Events
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _Events = None


class _Failure(yaml.MarkedYAMLError):
    """A problem of ours (alias, tag, depth) placed at a mark."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


if _Events is not None:

    class _Fast(_Events, SafeConstructor, Resolver):  # type: ignore[misc]
        """libyaml's events, PyYAML's scalar construction."""

        def __init__(self, stream: str) -> None:
            _Events.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


def _parser(text: str) -> Any:
    """An object with PyYAML's event API (`get_event`, `check_event`) over `text`, plus scalar construction."""
    return _Fast(text) if _Events is not None else yaml.SafeLoader(text)


def load_yaml(text: str, name: str) -> tuple[Any, Positions, Blocks]:
    """Parse one YAML document: its data, the (line, column) of each JSON pointer, its literal blocks."""
    parser = _parser(text)
    try:
        node = _compose(parser)
        if node is None:
            return None, {"": (1, 1)}, {}
        walker = _Walker(parser, text.splitlines())
        return walker.walk(node), walker.positions, walker.blocks
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        prefix = "" if isinstance(exc, _Failure) else "malformed YAML: "
        message = f"{prefix}{exc.problem or exc.context}"
        raise DefinitionError([Problem("", message, "MALFORMED_YAML", line, column)], name) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem("", f"malformed YAML: {exc}", "MALFORMED_YAML")], name) from None
    finally:
        parser.dispose()


# -- composing: events -> nodes, iteratively, with aliases measured ----------------------------------


def _compose(parser: Any) -> Node | None:
    """The stream's single document as a node tree (None for an empty stream)."""
    parser.get_event()  # StreamStartEvent
    if parser.check_event(StreamEndEvent):
        parser.get_event()
        return None
    document = _Composer(parser).document()
    if not parser.check_event(StreamEndEvent):
        event = parser.get_event()
        raise yaml.composer.ComposerError(
            "expected a single document in the stream",
            document.start_mark,
            "but found another document",
            event.start_mark,
        )
    parser.get_event()
    return document


class _Composer:
    """PyYAML's composition without recursion: nodes from events, anchors checked and sized."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[str, int] = {}  # anchor -> how many values it stands for
        self.open: set[str] = set()  # anchors whose node is still being composed
        self.values = 0  # values composed so far, aliases expanded
        self.added = 0  # of which aliases added

    def document(self) -> Node:
        self.parser.get_event()  # DocumentStartEvent
        root = self.node()
        end = self.parser.get_event()
        if not isinstance(end, DocumentEndEvent):  # pragma: no cover - the parser guarantees it
            raise _Failure("expected the end of the document", end.start_mark)
        return root

    def node(self) -> Node:
        # frame: [node, anchor, values before it, pending key node]
        stack: list[list[Any]] = []
        while True:
            event = self.parser.get_event()
            if isinstance(event, AliasEvent):
                node = self.alias(event)
            elif isinstance(event, ScalarEvent):
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self.parser.resolve(ScalarNode, event.value, event.implicit)
                start: Any = event.start_mark
                end: Any = event.end_mark
                node = ScalarNode(tag, event.value, start, end, style=event.style)
                self.register(event, node)
                self.values += 1
                if event.anchor is not None:
                    self.sizes[event.anchor] = 1
            elif isinstance(event, SequenceStartEvent | MappingStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise _Failure(
                        f"the YAML nests mappings and lists more than {MAX_DEPTH} levels deep; flatten it",
                        event.start_mark,
                    )
                sequence = isinstance(event, SequenceStartEvent)
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self.parser.resolve(SequenceNode if sequence else MappingNode, None, event.implicit)
                mark: Any = event.start_mark
                container: Node = (
                    SequenceNode(tag, [], mark, None, flow_style=event.flow_style)
                    if sequence
                    else MappingNode(tag, [], mark, None, flow_style=event.flow_style)
                )
                self.register(event, container)
                if event.anchor is not None:
                    self.open.add(event.anchor)
                stack.append([container, event.anchor, self.values, None])
                self.values += 1
                continue
            elif isinstance(event, SequenceEndEvent | MappingEndEvent):
                node, anchor, before, _ = stack.pop()
                node.end_mark = event.end_mark
                if anchor is not None:
                    self.open.discard(anchor)
                    self.sizes[anchor] = self.values - before
            else:  # pragma: no cover - the parser guarantees the event order
                raise _Failure(f"unexpected {type(event).__name__}", event.start_mark)
            if not stack:
                return node
            frame = stack[-1]
            if isinstance(frame[0], SequenceNode):
                frame[0].value.append(node)
            elif frame[3] is None:
                frame[3] = node
            else:
                frame[0].value.append((frame[3], node))
                frame[3] = None

    def register(self, event: Any, node: Node) -> None:
        anchor = event.anchor
        if anchor is None:
            return
        if anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor].start_mark,
                "second occurrence",
                event.start_mark,
            )
        self.anchors[anchor] = node

    def alias(self, event: AliasEvent) -> Node:
        anchor = event.anchor
        if anchor not in self.anchors:
            raise _Failure(f"the alias *{anchor} names no anchor &{anchor} before it", event.start_mark)
        if anchor in self.open:
            raise _Failure(
                f"the alias *{anchor} is inside its own anchor &{anchor}: the value would contain itself "
                "without end; copy the part you need instead",
                event.start_mark,
            )
        size = self.sizes[anchor]
        self.values += size
        self.added += size
        if self.added > MAX_ALIAS_VALUES:
            raise _Failure(
                f"aliases expand this YAML by more than {MAX_ALIAS_VALUES:,} values (this *{anchor} "
                f"alone adds {size:,}); a definition that large is beyond AWS's size limit anyway",
                event.start_mark,
            )
        return self.anchors[anchor]


# -- walking: nodes -> JSON-like values with positions, iteratively ----------------------------------


class _Walker:
    def __init__(self, parser: Any, lines: list[str]) -> None:
        self.parser = parser
        self.lines = lines
        self.positions: Positions = {}
        self.blocks: Blocks = {}

    def walk(self, root: Node) -> Any:
        """The value of `root`; containers are made first and filled as their children are walked."""
        top: list[Any] = [None]
        # item: (node, pointer, depth of the value, where it goes, key or index there, tag ignored)
        work: list[tuple[Node, str, int, Any, Any, bool]] = [(root, "", 1, top, 0, False)]
        while work:
            node, pointer, depth, target, slot, raw = work.pop()
            target[slot] = self.value(node, pointer, depth, raw, work)
        return top[0]

    def place(self, node: Node, pointer: str) -> None:
        self.positions.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, ScalarNode) and node.style == "|":
            first = node.start_mark.line + 1  # 0-based index of the first content line
            text = self.lines[first] if first < len(self.lines) else ""
            self.blocks[pointer] = (first + 1, len(text) - len(text.lstrip(" ")))

    def value(self, node: Node, pointer: str, depth: int, raw: bool, work: list[Any]) -> Any:
        """The value of one node (with `raw`, as if untagged: a short form's argument)."""
        self.place(node, pointer)
        tag = node.tag or ""
        if not raw and tag.startswith("!"):
            return self.short_form(tag[1:], node, pointer, depth, work)
        if isinstance(node, ScalarNode):
            return node.value if raw else self.scalar(node)
        if depth > MAX_DEPTH:
            raise _Failure(
                f"the YAML nests mappings and lists more than {MAX_DEPTH} levels deep; flatten it",
                node.start_mark,
            )
        if isinstance(node, SequenceNode):
            if not raw and tag != _STANDARD + "seq":
                raise _Failure(_unknown_tag(tag), node.start_mark)
            items: list[Any] = [None] * len(node.value)
            for index in range(len(node.value) - 1, -1, -1):
                work.append((node.value[index], f"{pointer}/{index}", depth + 1, items, index, False))
            return items
        if not raw and tag != _STANDARD + "map":
            raise _Failure(_unknown_tag(tag), node.start_mark)
        result: dict[str, Any] = {}
        children = []
        for key_node, value_node in self.pairs(node):
            key = self.key(key_node)
            child = f"{pointer}/{escape_token(key)}"
            self.positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = None
            children.append((value_node, child, depth + 1, result, key, False))
        work.extend(reversed(children))
        return result

    def pairs(self, node: Node) -> list[tuple[Node, Node]]:
        """The mapping's pairs, merge keys (`<<`) expanded: its own keys win, then earlier merges."""
        own: list[tuple[Node, Node]] = []
        seen: set[str] = set()
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, MappingNode):
                        raise _Failure(
                            "a merge key (<<) takes a mapping or a list of mappings", source.start_mark
                        )
                    merged.append(source)
                continue
            key = self.key(key_node)
            if key in seen:
                raise _Failure(
                    f"the key {key!r} appears twice in this mapping; remove one", key_node.start_mark
                )
            seen.add(key)
            own.append((key_node, value_node))
        inherited: list[tuple[Node, Node]] = []
        for source in merged:
            for key_node, value_node in self.pairs(source):
                key = self.key(key_node)
                if key not in seen:
                    seen.add(key)
                    inherited.append((key_node, value_node))
        return inherited + own

    def key(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise _Failure("a mapping key must be a plain value", node.start_mark)
        key = self.scalar(node) if not (node.tag or "").startswith("!") else node.value
        return key if isinstance(key, str) else str(key).lower() if isinstance(key, bool) else str(key)

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag or ""
        if tag in (_STR, _MERGE):
            return node.value
        if tag not in _SCALAR_TAGS:
            raise _Failure(_unknown_tag(tag), node.start_mark)
        value = self.parser.construct_object(node)
        if isinstance(value, datetime.date | datetime.datetime):
            return value.isoformat()  # CloudFormation reads an unquoted date as a string
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return value

    def short_form(self, name: str, node: Node, pointer: str, depth: int, work: list[Any]) -> Any:
        if name not in SHORT_FORMS:
            raise _Failure(_unknown_tag("!" + name), node.start_mark)
        if depth > MAX_DEPTH - 1:
            raise _Failure(
                f"the YAML nests mappings and lists more than {MAX_DEPTH} levels deep; flatten it",
                node.start_mark,
            )
        if name == "GetAtt" and isinstance(node, ScalarNode):
            self.place(node, f"{pointer}/Fn::GetAtt")
            logical, _, attribute = str(node.value).partition(".")
            return {"Fn::GetAtt": [logical, attribute]}
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        child = f"{pointer}/{escape_token(key)}"
        wrapper: dict[str, Any] = {key: None}
        if isinstance(node, ScalarNode):
            self.place(node, child)
            wrapper[key] = node.value
        else:
            work.append((node, child, depth + 1, wrapper, key, True))
        return wrapper


def _unknown_tag(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else tag
    return (
        f"unknown tag {shown}: a template takes CloudFormation's short forms (!Ref, !Sub, !GetAtt, !If...) "
        "and YAML's plain types only; write the value without the tag"
    )
