"""`--watch`: run a command once, then again each time a file it reads is saved (watchfiles)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from cli.app import App

#: Files whose saving re-runs the command: definitions, templates, configuration, mocks, handler code.
WATCHED_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".toml", ".py", ".js", ".mjs", ".ts", ".sh"})


def folders(paths: Iterable[str | Path]) -> list[Path]:
    """The folders to watch for these files (a template's `#Machine` part dropped), without repeats."""
    from asl.templates import split_ref

    found: dict[Path, None] = {}
    for path in paths:
        file, _ = split_ref(path)
        file = file.resolve()
        found[file if file.is_dir() else file.parent] = None
    return list(found)


def watch(
    app: App, paths: Iterable[str | Path], once: Callable[[], None], ignore: Iterable[Path] = ()
) -> None:
    """Run `once`, then re-run it whenever a watched file under the folders of `paths` changes; Ctrl-C ends."""
    import watchfiles

    skipped = {p.resolve() for p in ignore}

    def relevant(change: watchfiles.Change, name: str) -> bool:
        path = Path(name)
        return (
            path.suffix.lower() in WATCHED_SUFFIXES
            and not path.name.startswith(".")  # editors' and our atomic writer's temporary files
            and path.resolve() not in skipped
        )

    roots = folders(paths)
    _cycle(app, once)
    try:
        for changes in watchfiles.watch(*roots, watch_filter=relevant, debounce=200, raise_interrupt=False):
            names = sorted({Path(name).name for _, name in changes})
            app.err.print(f"[dim]changed: {', '.join(names)}[/]", highlight=False)
            _cycle(app, once)
    except KeyboardInterrupt:
        pass


def _cycle(app: App, once: Callable[[], None]) -> None:
    import click

    code: object = 0
    try:
        once()
    except SystemExit as exc:
        code = exc.code
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    app.err.print(f"[dim]exit {code}; watching for changes (Ctrl-C to stop)[/]", highlight=False)
