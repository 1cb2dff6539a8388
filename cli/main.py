"""Entry point of the `asl` command. Commands are imported lazily so start-up stays fast."""

from __future__ import annotations

import gc
import importlib
from typing import Any

# Start-up creates tens of thousands of long-lived objects (modules, classes, click's options) and next to
# no garbage: the collector's default pace (every 700 allocations) spends a twentieth of `asl run`'s
# start-up walking them (bench/bench_startup.py). Collections stay on, just less frequent, for the process.
gc.set_threshold(20_000, 20, 20)

import click  # noqa: E402

#: command name -> (module, attribute); each module holds one click command.
COMMANDS = {
    "run": ("cli.run", "run"),
    "cognito": ("cli.cognito", "cognito"),
    "validate": ("cli.validate", "validate"),
    "replay": ("cli.replay", "replay"),
    "graph": ("cli.graph", "graph"),
    "serve": ("cli.serve", "serve"),
    "test-state": ("cli.test_state", "test_state"),
    "coverage": ("cli.coverage", "coverage"),
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else f" Commands: {', '.join(sorted(COMMANDS))}."
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from asl.files import FileWriteError

        try:
            return super().invoke(ctx)
        except FileWriteError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module = importlib.import_module(target[0])
        command: click.Command = getattr(module, target[1])
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="asl-runner", prog_name="asl")
def cli() -> None:
    """Run, test and validate AWS Step Functions workflows locally.

    \b
    Exit codes: 0 success; 1 the execution failed or the check found errors;
    2 the definition or the command line is invalid, or a file cannot be written.
    """


def _show_warning(
    message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    """Warnings meant for the user (a mock's unknown field...) as one plain line on stderr."""
    click.echo(f"warning: {message}", err=True)
    del category, filename, lineno, file, line


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI (console script `asl`)."""
    import warnings

    warnings.showwarning = _show_warning
    return cli.main(args=argv, prog_name="asl")
