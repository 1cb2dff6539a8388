"""Tokens -> a syntax tree of one intrinsic call; nothing here knows which functions exist.

Grammar::

    call     := NAME '(' [argument (',' argument)*] ')'
    argument := STRING | NUMBER | 'true' | 'false' | 'null' | PATH | call
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl.intrinsics.errors import IntrinsicSyntaxError
from asl.intrinsics.lexer import Token, TokenKind, tokenize

#: "You can nest up to 10 intrinsic functions within a field" (AWS Step Functions developer guide).
MAX_DEPTH = 10

_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal argument; a string also keeps its text split at unescaped `{}` placeholders."""

    value: Any
    position: int
    segments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PathArg:
    """A path argument, kept as raw text for the caller's path compiler."""

    text: str
    position: int


@dataclass(frozen=True, slots=True)
class Call:
    """A call `States.Name(args...)`; `position` is where the name starts."""

    name: str
    args: tuple[Node, ...]
    position: int


Node = Literal | PathArg | Call


def parse(text: str) -> Call:
    """Parse `text`, which must be exactly one intrinsic call, into a tree."""
    parser = _Parser(text, tokenize(text))
    call = parser.call(depth=1)
    parser.expect(TokenKind.END, "after the end of the call")
    return call


class _Parser:
    """A recursive-descent parser over a token list."""

    __slots__ = ("index", "text", "tokens")

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.END:
            self.index += 1
        return token

    def fail(self, message: str, token: Token) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(message, self.text, token.position)

    def expect(self, kind: TokenKind, where: str) -> Token:
        token = self.advance()
        if token.kind is not kind:
            raise self.fail(f"expected {kind.value} {where}, found {_show(token)}", token)
        return token

    def call(self, depth: int) -> Call:
        name = self.advance()
        if name.kind is not TokenKind.NAME:
            raise self.fail(
                f"expected an intrinsic function call such as States.Array(...), found {_show(name)}", name
            )
        if depth > MAX_DEPTH:
            raise self.fail(f"intrinsic functions can be nested at most {MAX_DEPTH} deep", name)
        self.expect(TokenKind.LPAREN, f"after {name.text}")
        args: list[Node] = []
        if self.peek().kind is TokenKind.RPAREN:
            self.advance()
            return Call(name.text, (), name.position)
        while True:
            args.append(self.argument(depth))
            token = self.advance()
            if token.kind is TokenKind.RPAREN:
                return Call(name.text, tuple(args), name.position)
            if token.kind is not TokenKind.COMMA:
                raise self.fail(
                    f"expected ',' or ')' after an argument of {name.text}, found {_show(token)}", token
                )

    def argument(self, depth: int) -> Node:
        token = self.peek()
        if token.kind is TokenKind.STRING:
            self.advance()
            return Literal(token.value, token.position, token.segments)
        if token.kind is TokenKind.NUMBER:
            self.advance()
            return Literal(token.value, token.position)
        if token.kind is TokenKind.PATH:
            self.advance()
            return PathArg(token.text, token.position)
        if token.kind is TokenKind.NAME:
            following = self.tokens[self.index + 1]
            if following.kind is TokenKind.LPAREN:
                return self.call(depth + 1)
            if token.text in _KEYWORDS:
                self.advance()
                return Literal(_KEYWORDS[token.text], token.position)
            raise self.fail(
                f"unexpected name {token.text!r}: an argument is a 'string', a number, true, false, null, "
                "a path starting with $, or a States.* call",
                token,
            )
        raise self.fail(f"expected an argument, found {_show(token)}", token)


def _show(token: Token) -> str:
    return TokenKind.END.value if token.kind is TokenKind.END else repr(token.text)
