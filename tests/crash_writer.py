"""A process that writes one kind of file over and over, for tests/test_crash_safety.py to kill mid-write.

    python -m tests.crash_writer KIND FOLDER

KIND is `history` (`asl run --history`), `users` (`asl cognito init --users`), `results` (a Distributed
Map's ResultWriter) or `replay` (a replay case's expectations). Each write alternates between version A
and version B (a large padded document, so that writes take time); "ready" is printed after the first.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path

PAD = "x" * 200_000


def _cli(args: list[str]) -> None:
    from cli.main import cli

    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
        cli.main(args=args, prog_name="asl", standalone_mode=False)


def history(folder: Path) -> Callable[[str], None]:
    workflow = folder / "wf.json"
    workflow.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))

    def write(version: str) -> None:
        document = json.dumps({"version": version, "pad": PAD})
        _cli(["run", str(workflow), "--input", document, "--history", str(folder / "history.json"),
              "--payload-limit", "0", "--output", "json"])  # fmt: skip

    return write


def users(folder: Path) -> Callable[[str], None]:
    def write(version: str) -> None:
        _cli(
            [
                "cognito",
                "init",
                "--users",
                str(folder / "users.json"),
                "--force",
                "--pool-name",
                f"pool-{version}",
            ]
        )

    return write


def results(folder: Path) -> Callable[[str], None]:
    from asl import StateMachine

    (folder / "s3" / "out").mkdir(parents=True, exist_ok=True)
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "I",
        "States": {"I": {"Type": "Pass", "End": True}},
    }
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "runs"}}
    state = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": processor,
        "ResultWriter": writer,
        "End": True,
    }
    machine = StateMachine({"StartAt": "M", "States": {"M": state}}, s3_root=folder / "s3", payload_limit=0)

    def write(version: str) -> None:
        items = [{"version": version, "pad": PAD[:20_000]} for _ in range(10)]
        machine.run_sync({"items": items}, execution_name="crash")

    return write


def replay(folder: Path) -> Callable[[str], None]:
    from asl.replay.files import write_json

    def write(version: str) -> None:
        write_json(folder / "case.json", {"version": version, "steps": [{"pad": PAD}]})

    return write


WRITERS = {"history": history, "users": users, "results": results, "replay": replay}


def main() -> None:
    kind, folder = sys.argv[1], Path(sys.argv[2])
    write = WRITERS[kind](folder)
    for count, version in enumerate(itertools.cycle("AB")):
        write(version)
        if count == 0:
            print("ready", flush=True)


if __name__ == "__main__":
    main()
