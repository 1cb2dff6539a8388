"""YAML text -> JSON-like data, with the line and column of every value and CloudFormation's short tags.

CloudFormation's short forms become their long forms as CloudFormation reads them: `!Ref X` is
`{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, `!Condition C` is `{"Condition": "C"}`,
and every other `!Name value` is `{"Fn::Name": value}` (`!Sub`, `!Join`, `!If`, `!Select`...).
"""

from __future__ import annotations

import datetime
from typing import Any

import yaml

from asl.errors import DefinitionError, Problem
from asl.source import escape_token

Positions = dict[str, tuple[int, int]]
#: JSON pointer of a literal block scalar (`|`) -> (line of its first content line, its indentation).
Blocks = dict[str, tuple[int, int]]

_STANDARD = "tag:yaml.org,2002:"


class _Composer(yaml.SafeLoader):
    """Composes the node tree only: tags are kept as written, nothing is constructed yet."""


def load_yaml(text: str, name: str) -> tuple[Any, Positions, Blocks]:
    """Parse one YAML document: its data, the (line, column) of each JSON pointer, its literal blocks."""
    loader = _Composer(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {"": (1, 1)}, {}
        walker = _Walker(loader, text.splitlines())
        return walker.value(node, ""), walker.positions, walker.blocks
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        message = f"malformed YAML: {exc.problem or exc.context}"
        raise DefinitionError([Problem("", message, "MALFORMED_YAML", line, column)], name) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem("", f"malformed YAML: {exc}", "MALFORMED_YAML")], name) from None
    finally:
        loader.dispose()


class _Walker:
    def __init__(self, loader: _Composer, lines: list[str]) -> None:
        self.loader = loader
        self.lines = lines
        self.positions: Positions = {}
        self.blocks: Blocks = {}

    def place(self, node: yaml.Node, pointer: str) -> None:
        self.positions.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode) and node.style == "|":
            first = node.start_mark.line + 1  # 0-based index of the first content line
            text = self.lines[first] if first < len(self.lines) else ""
            self.blocks[pointer] = (first + 1, len(text) - len(text.lstrip(" ")))

    def value(self, node: yaml.Node, pointer: str) -> Any:
        self.place(node, pointer)
        tag = node.tag or ""
        if tag.startswith("!"):
            return self.short_form(tag[1:], node, pointer)
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)  # YAML merge keys (<<)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node)
                key = key if isinstance(key, str) else str(key).lower() if isinstance(key, bool) else str(key)
                if key in result:
                    raise yaml.MarkedYAMLError(
                        problem=f"the key {key!r} appears twice in this mapping; remove one",
                        problem_mark=key_node.start_mark,
                    )
                child = f"{pointer}/{escape_token(key)}"
                self.positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.value(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, f"{pointer}/{i}") for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise yaml.MarkedYAMLError(
                problem="a mapping key must be a plain value", problem_mark=node.start_mark
            )
        value = self.loader.construct_object(node) if (node.tag or "").startswith(_STANDARD) else node.value
        if isinstance(value, datetime.date | datetime.datetime):
            return value.isoformat()  # CloudFormation reads an unquoted date as a string
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return value

    def short_form(self, name: str, node: yaml.Node, pointer: str) -> Any:
        if name == "Ref":
            return {"Ref": self.plain(node, pointer + "/Ref")}
        if name == "Condition":
            return {"Condition": self.plain(node, pointer + "/Condition")}
        if name == "GetAtt" and isinstance(node, yaml.ScalarNode):
            self.place(node, f"{pointer}/Fn::GetAtt")
            logical, _, attribute = str(node.value).partition(".")
            return {"Fn::GetAtt": [logical, attribute]}
        key = f"Fn::{name}"
        return {key: self.untagged(node, f"{pointer}/{escape_token(key)}")}

    def plain(self, node: yaml.Node, pointer: str) -> Any:
        self.place(node, pointer)
        return node.value if isinstance(node, yaml.ScalarNode) else self.untagged(node, pointer)

    def untagged(self, node: yaml.Node, pointer: str) -> Any:
        """The node's value as if it had no tag (the tag was the function's name)."""
        if isinstance(node, yaml.ScalarNode):
            self.place(node, pointer)
            return node.value
        node.tag = "tag:yaml.org,2002:map" if isinstance(node, yaml.MappingNode) else "tag:yaml.org,2002:seq"
        return self.value(node, pointer)
