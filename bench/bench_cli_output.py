"""`asl run --output text` against `--output json` on a 100,000-item Map: what the live view costs.

    python bench/bench_cli_output.py              # inline and distributed Map, best of 3 each
    python bench/bench_cli_output.py --items 20000 --repeat 5
    python bench/bench_cli_output.py --repo ../other-checkout   # the same, with another checkout's code

Each run is a whole `asl run` process (its CPU time, best of N). `json` writes to /dev/null; `text (file)`
writes both streams to a file (`> out.txt 2>&1`); `text (terminal)` writes to a pseudo-terminal, as when
a person watches the live view (a thread drains it, like a fast terminal).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import resource
import struct
import subprocess
import sys
import tempfile
import termios
import threading
from pathlib import Path
from typing import Any


def definition(mode: str) -> dict[str, object]:
    config: dict[str, str] = {"Mode": mode}
    if mode == "DISTRIBUTED":
        config["ExecutionType"] = "STANDARD"
    processor = {
        "ProcessorConfig": config,
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": True}},
    }
    state = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": processor,
        "ResultPath": None,
        "End": True,
    }
    return {"StartAt": "M", "States": {"M": state}}


def _drain(fd: int) -> None:
    with contextlib.suppress(OSError):
        while os.read(fd, 65536):
            pass


def best(command: list[str], repeat: int, repo: Path, target: str) -> float:
    """Least CPU time (user + system) of the process; `target` is where output goes: `null`, `file` or `terminal`.

    CPU time, not wall time: on a shared machine it does not count the time other processes took, and it
    does count the live view's redraw thread.
    """
    terminal = target == "terminal"
    times = []
    env = {**os.environ, "PYTHONPATH": str(repo)}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    for _ in range(repeat):
        main_fd, child_fd = pty.openpty() if terminal else (-1, -1)
        if terminal:  # a 120x40 terminal, as a window reports its size
            fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        reader = threading.Thread(target=_drain, args=(main_fd,), daemon=True) if terminal else None
        if reader is not None:
            reader.start()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with tempfile.TemporaryFile() as sink:
            out: Any = child_fd if terminal else sink if target == "file" else subprocess.DEVNULL
            # cwd: not a checkout, so that `python -c` imports the code of `repo` (PYTHONPATH), not the cwd's
            subprocess.run(command, stdout=out, stderr=out, check=True, env=env, cwd=tempfile.gettempdir())
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if terminal:
            os.close(child_fd)
            assert reader is not None
            reader.join(timeout=5)
            os.close(main_fd)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    (folder / "in.json").write_text(json.dumps({"items": list(range(args.items))}))
    asl = [sys.executable, "-c", "import sys; from cli.main import main; sys.exit(main(sys.argv[1:]))"]
    print(f"{'map':12} {'json':>8} {'text (file)':>12} {'text (terminal)':>16} {'worst ratio':>12}")
    for mode in ("INLINE", "DISTRIBUTED"):
        path = folder / f"{mode.lower()}.json"
        path.write_text(json.dumps(definition(mode)))
        base = [*asl, "run", str(path), "--input", f"file://{folder / 'in.json'}"]
        base += ["--history-limit", "0", "--payload-limit", "0", "--output"]
        repo = args.repo.resolve()
        as_json = best([*base, "json"], args.repeat, repo, "null")
        to_file = best([*base, "text"], args.repeat, repo, "file")
        to_terminal = best([*base, "text"], args.repeat, repo, "terminal")
        ratio = max(to_file, to_terminal) / as_json
        print(f"{mode.lower():12} {as_json:7.2f}s {to_file:11.2f}s {to_terminal:15.2f}s {ratio:11.2f}x")


if __name__ == "__main__":
    main()
