"""The object every command receives: the consoles and the exit codes."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from rich.console import Console

#: Exit codes shared by every command (documented in README and in each command's --help).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

#: Settings with which rich may call a stream a terminal although it is not one.
_TERMINAL_OVERRIDES = ("TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR", "FORCE_TERMINAL")


class App:
    """Consoles for results (stdout) and for messages (stderr), created when first used.

    rich is imported only then, so a command that prints plain JSON starts without it.
    """

    def __init__(self, out: Console | None = None, err: Console | None = None) -> None:
        self._out = out
        self._err = err

    @property
    def out(self) -> Console:
        """The console for results (stdout)."""
        if self._out is None:
            from rich.console import Console

            self._out = Console(soft_wrap=True)
        return self._out

    @property
    def err(self) -> Console:
        """The console for messages (stderr)."""
        if self._err is None:
            from rich.console import Console

            self._err = Console(stderr=True, soft_wrap=True)
        return self._err

    @property
    def interactive(self) -> bool:
        """True when stdout is a terminal a person is looking at."""
        if self._out is None and not any(name in os.environ for name in _TERMINAL_OVERRIDES):
            try:
                if not sys.stdout.isatty():
                    return False  # what rich decides too, without those settings
            except ValueError:  # a closed stream
                return False
        return self.out.is_terminal

    def abort(self, message: str, code: int = EXIT_USAGE) -> NoReturn:
        """Print `message` on stderr and exit with `code`, without a traceback."""
        from rich.markup import escape

        self.err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True)
        sys.exit(code)


pass_app = click.make_pass_decorator(App, ensure=True)
