"""Peak memory of whole `asl run` processes on big inputs: the resident set size, as the kernel counts it.

    python bench/bench_memory.py                        # both workloads
    python bench/bench_memory.py --only distributed --lines 200000
    python bench/bench_memory.py --repo /tmp/before     # another checkout's code

- `inline`: an inline Map over 100,000 items (`--items`) with the history kept (`--history FILE`);
- `distributed`: a Distributed Map reading a 1,000,000-line JSON Lines file (`--lines`, generated on the fly
  into a temporary folder standing in for S3), with ItemBatcher (1,000 items a batch) and ResultWriter.

Each runs as a fresh process; its peak RSS comes from the kernel (`wait4`'s ru_maxrss), the wall time
next to it. Both workloads check their results (the history file's events, the ResultWriter's files), so
a run that saves memory by dropping work does not pass. The checks run after every measurement: a forked
child's peak counts the pages it shares with this process at the fork, so this process stays small until then.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
ENTRY = "import sys; from cli.main import main; sys.argv[0] = 'asl'; main()"
BATCH = 1000


def inline_map() -> dict[str, Any]:
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": True}}}
    map_state = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": processor,
        "ResultPath": None,
        "End": True,
    }
    return {"StartAt": "M", "States": {"M": map_state}}


def distributed_map() -> dict[str, Any]:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Count",
        "States": {
            "Count": {
                "Type": "Pass",
                "Parameters": {"count.$": "States.ArrayLength($.Items)", "first.$": "$.Items[0].id"},
                "End": True,
            }
        },
    }
    map_state = {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSONL"},
            "Parameters": {"Bucket": "bench", "Key": "items.jsonl"},
        },
        "ItemBatcher": {"MaxItemsPerBatch": BATCH},
        "ItemProcessor": processor,
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "bench", "Prefix": "out"},
        },
        "End": True,
    }
    return {"StartAt": "M", "States": {"M": map_state}}


def write_lines(path: Path, lines: int) -> None:
    """The JSON Lines item file: one small object per line, written in chunks (never held whole)."""
    with path.open("w", encoding="utf-8") as handle:
        chunk = []
        for k in range(lines):
            chunk.append(json.dumps({"id": k, "name": f"item-{k}", "value": k * 7 % 1000}))
            if len(chunk) == 10_000:
                handle.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            handle.write("\n".join(chunk) + "\n")


def asl_run(workflow: Path, *options: str) -> list[str]:
    """`asl run WORKFLOW --output json OPTIONS` as a fresh interpreter runs it."""
    return [sys.executable, "-c", ENTRY, "run", str(workflow), "--output", "json", *options]


def measure(argv: list[str], repo: Path, cwd: Path) -> tuple[float, float]:
    """(peak RSS in MiB, wall seconds) of one process."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return usage.ru_maxrss / 1024, wall


def run_inline(repo: Path, items: int, folder: Path) -> dict[str, Any]:
    workflow = folder / "inline.json"
    workflow.write_text(json.dumps(inline_map()))
    data = folder / "items.json"
    data.write_text(json.dumps({"items": list(range(items))}))
    history = folder / "history.json"
    argv = asl_run(workflow, "--input", f"file://{data}")
    argv += ["--history", str(history), "--history-limit", "0", "--payload-limit", "0"]
    rss, wall = measure(argv, repo, folder)

    def check() -> None:
        events = json.loads(history.read_text())["events"]
        expected = 4 * items + 6  # per item: iteration started/succeeded, Pass entered/exited
        if len(events) != expected or events[-1]["type"] != "ExecutionSucceeded":
            raise SystemExit(f"inline: the history has {len(events)} events, expected {expected}")

    name = f"inline Map, {items:,} items, --history"
    return {"name": name, "peak_rss_mib": rss, "wall_s": wall, "check": check}


def run_distributed(repo: Path, lines: int, folder: Path) -> dict[str, Any]:
    bucket = folder / "s3" / "bench"
    bucket.mkdir(parents=True)
    write_lines(bucket / "items.jsonl", lines)
    workflow = folder / "distributed.json"
    workflow.write_text(json.dumps(distributed_map()))
    argv = asl_run(workflow, "--s3-root", str(folder / "s3"))
    argv += ["--history-limit", "0", "--payload-limit", "0"]
    rss, wall = measure(argv, repo, folder)

    def check() -> None:
        manifests = list((bucket / "out").rglob("manifest.json"))
        if len(manifests) != 1:
            raise SystemExit("distributed: no ResultWriter manifest was written")
        total = 0
        for path in sorted(manifests[0].parent.glob("SUCCEEDED_*.json")):
            for record in json.loads(path.read_text()):
                total += json.loads(record["Output"])["count"]
        if total != lines:
            raise SystemExit(f"distributed: the results count {total:,} items, expected {lines:,}")

    name = f"Distributed Map, {lines:,}-line JSONL, batches of {BATCH}"
    return {"name": name, "peak_rss_mib": rss, "wall_s": wall, "check": check}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repo", type=Path, default=HERE, help="the checkout whose code runs (default: this one)"
    )
    parser.add_argument("--only", choices=["inline", "distributed"])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    repo = args.repo.resolve()
    rows = []
    with tempfile.TemporaryDirectory(prefix="asl-memory-") as tmp:
        if args.only in (None, "inline"):
            rows.append(run_inline(repo, args.items, Path(tmp)))
        if args.only in (None, "distributed"):
            rows.append(run_distributed(repo, args.lines, Path(tmp)))
        for row in rows:
            row.pop("check")()
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{repo}\n")
    print(f"{'workload':<56}{'peak RSS MiB':>14}{'wall s':>9}")
    for row in rows:
        print(f"{row['name']:<56}{row['peak_rss_mib']:>14,.1f}{row['wall_s']:>9.1f}")


if __name__ == "__main__":
    main()
