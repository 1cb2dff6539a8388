"""The compile-time error of the intrinsic parser; run-time failures are `asl.errors.IntrinsicFailure`."""

from __future__ import annotations


class IntrinsicSyntaxError(ValueError):
    """An intrinsic call AWS would reject when the definition loads; `position` is its 0-based column."""

    def __init__(self, message: str, text: str, position: int) -> None:
        self.message = message
        self.text = text
        self.position = max(0, min(position, len(text)))
        super().__init__(f"{message} (at column {self.position} of {text!r})")

    def caret(self) -> str:
        """The call with a caret under the offending character, on two lines."""
        return f"{self.text}\n{' ' * self.position}^"
