r"""Tokens of an intrinsic call: names, punctuation, 'strings', numbers and `$` paths.

A path is cut out as raw text: it starts at `$` and runs to the next `,` or `)` that is not inside
brackets, parentheses or quotes (so `$.a[?(@.b == 'x, y')]` is one token); trailing blanks are dropped.
String literals use single quotes; the only escapes are `\'`, `\{`, `\}` and `\\` (the ASL
spec's reserved characters). Each string token also records its text split at unescaped `{}`
placeholders, which is what `States.Format` needs: an escaped `\{\}` is literal text, not a placeholder.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from asl.intrinsics.errors import IntrinsicSyntaxError


class TokenKind(enum.StrEnum):
    """What a token is."""

    NAME = "name"
    LPAREN = "'('"
    RPAREN = "')'"
    COMMA = "','"
    STRING = "string"
    NUMBER = "number"
    PATH = "path"
    END = "end of text"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, source text, 0-based column and (for literals) its value."""

    kind: TokenKind
    text: str
    position: int
    value: Any = None
    segments: tuple[str, ...] = ()


_BLANK = frozenset(" \t\r\n")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_ESCAPABLE = frozenset("'{}\\")
_PUNCTUATION = {"(": TokenKind.LPAREN, ")": TokenKind.RPAREN, ",": TokenKind.COMMA}
_CLOSERS = {"[": "]", "(": ")"}


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens ending with an END token; raise IntrinsicSyntaxError on bad input."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _BLANK:
            i += 1
        if i >= n:
            tokens.append(Token(TokenKind.END, "", n))
            return tokens
        char = text[i]
        if char in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[char], char, i))
            i += 1
        elif char == "'":
            token = _string(text, i)
            tokens.append(token)
            i += len(token.text)
        elif char == "$":
            token = _path(text, i)
            tokens.append(token)
            i += len(token.text)
        elif char == "-" or char.isdigit():
            token = _number(text, i)
            tokens.append(token)
            i += len(token.text)
        elif (match := _NAME.match(text, i)) is not None:
            tokens.append(Token(TokenKind.NAME, match.group(), i))
            i = match.end()
        else:
            raise IntrinsicSyntaxError(f"unexpected character {char!r}", text, i)


def _string(text: str, start: int) -> Token:
    """Read the 'string' literal opening at `start`."""
    segments: list[str] = []
    current: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        char = text[i]
        if char == "'":
            segments.append("".join(current))
            return Token(TokenKind.STRING, text[start : i + 1], start, "{}".join(segments), tuple(segments))
        if char == "\\":
            if i + 1 >= n or text[i + 1] not in _ESCAPABLE:
                shown = "\\" + text[i + 1] if i + 1 < n else "\\"
                raise IntrinsicSyntaxError(
                    f"invalid escape '{shown}' in a string literal: only \\', \\{{, \\}} and \\\\ are allowed",
                    text,
                    i,
                )
            current.append(text[i + 1])
            i += 2
            continue
        if char == "{" and i + 1 < n and text[i + 1] == "}":
            segments.append("".join(current))
            current = []
            i += 2
            continue
        current.append(char)
        i += 1
    raise IntrinsicSyntaxError("unterminated string literal: missing closing '", text, start)


def _number(text: str, start: int) -> Token:
    """Read the number literal at `start`: an integer, or a float when it has a fraction or exponent."""
    match = _NUMBER.match(text, start)
    end = match.end() if match else start
    if match is None or (end < len(text) and text[end] not in _BLANK and text[end] not in _PUNCTUATION):
        bad = end if match else start
        raise IntrinsicSyntaxError("invalid number literal", text, bad)
    literal = match.group()
    value: int | float = float(literal) if match.group(1) or match.group(2) else int(literal)
    return Token(TokenKind.NUMBER, literal, start, value)


def _path(text: str, start: int) -> Token:
    """Read the path at `start`: up to a `,` or `)` outside brackets and quotes, trailing blanks dropped."""
    openers: list[tuple[str, int]] = []
    i, n = start, len(text)
    while i < n:
        char = text[i]
        if char in "'\"":
            i = _skip_quoted(text, i)
            continue
        if char in _CLOSERS:
            openers.append((char, i))
        elif char in "])":
            if not openers:
                if char == ")":
                    break
                raise IntrinsicSyntaxError("unbalanced ']' in a path", text, i)
            opener, where = openers.pop()
            if _CLOSERS[opener] != char:
                raise IntrinsicSyntaxError(f"{opener!r} is closed by {char!r} in a path", text, where)
        elif char == "," and not openers:
            break
        i += 1
    if openers:
        opener, where = openers[-1]
        raise IntrinsicSyntaxError(f"unclosed {opener!r} in a path", text, where)
    raw = text[start:i].rstrip()
    return Token(TokenKind.PATH, raw, start, raw)


def _skip_quoted(text: str, start: int) -> int:
    """The index just after the quoted run opening at `start` inside a path."""
    quote = text[start]
    i, n = start + 1, len(text)
    while i < n:
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    raise IntrinsicSyntaxError(f"unterminated quoted name in a path: missing closing {quote}", text, start)
