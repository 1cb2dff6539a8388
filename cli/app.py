"""The object every command receives: the consoles and the exit codes."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import NoReturn

import click
from rich.console import Console

#: Exit codes shared by every command (documented in README and in each command's --help).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


@dataclass
class App:
    """Consoles for results (stdout) and for messages (stderr)."""

    out: Console = field(default_factory=lambda: Console(soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))

    @property
    def interactive(self) -> bool:
        """True when stdout is a terminal a person is looking at."""
        return self.out.is_terminal

    def abort(self, message: str, code: int = EXIT_USAGE) -> NoReturn:
        """Print `message` on stderr and exit with `code`, without a traceback."""
        from rich.markup import escape

        self.err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True)
        sys.exit(code)


pass_app = click.make_pass_decorator(App, ensure=True)
