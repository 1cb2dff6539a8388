"""Distributed Map children on every core: `asl run --workers N` against `--workers 1`, same output.

    python bench/bench_workers.py                      # 400 CPU-bound children, workers 1 and 2, best of 3
    python bench/bench_workers.py --items 200 --work 400000 --workers 1 2 4 --rounds 5

A temporary project holds a CPU-bound handler (`handlers:burn`, a loop of `--work` steps per child) mapped
in asl.toml, and a workflow whose Distributed Map calls it for each item. Each worker count runs as a whole
`asl run` process, the counts alternating round by round (a loaded machine slows them alike); the best wall
time counts. Every run's output and history (`--name` and `--start-time` fixed) must be byte for byte the
same as with one worker, or the benchmark stops.
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

HERE = Path(__file__).resolve().parents[1]
ENTRY = "import sys; from cli.main import main; sys.argv[0] = 'asl'; main()"

HANDLER = '''
def burn(payload, ctx=None):
    """A CPU-bound task: a loop whose result depends on the item."""
    n = payload["n"]
    total = 0
    for i in range({work}):
        total = (total + i * (n + 1)) % 1_000_003
    return {{"n": n, "total": total}}
'''


def workflow() -> dict[str, object]:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Burn",
        "States": {
            "Burn": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:burn",
                "End": True,
            }
        },
    }
    map_state = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemSelector": {"n.$": "$$.Map.Item.Value"},
        "ItemProcessor": processor,
        "End": True,
    }
    return {"StartAt": "Fan", "States": {"Fan": map_state}}


def run(folder: Path, workers: int, repo: Path) -> tuple[float, bytes, bytes]:
    """(wall seconds, output, history) of one `asl run --workers N` process."""
    history = folder / f"history-{workers}.json"
    argv = [sys.executable, "-c", ENTRY, "run", "workflow.json", "--input", "file://input.json"]
    argv += ["--output", "json", "--workers", str(workers), "--history", str(history)]
    argv += ["--name", "bench", "--start-time", "2024-01-01T00:00:00Z"]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=folder, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"--workers {workers} failed:\n{proc.stderr.decode()[-3000:]}")
    return wall, proc.stdout, history.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--work", type=int, default=300_000, help="loop steps per child (CPU per child)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repo", type=Path, default=HERE)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    counts = sorted({1, *args.workers})
    best = dict.fromkeys(counts, float("inf"))
    with tempfile.TemporaryDirectory(prefix="asl-workers-") as tmp:
        folder = Path(tmp)
        (folder / "handlers.py").write_text(HANDLER.format(work=args.work))
        (folder / "asl.toml").write_text('[handlers]\nburn = "handlers:burn"\n')
        (folder / "workflow.json").write_text(json.dumps(workflow()))
        (folder / "input.json").write_text(json.dumps({"items": list(range(args.items))}))
        reference: tuple[bytes, bytes] | None = None
        for round_ in range(args.rounds):
            for workers in counts if round_ % 2 == 0 else counts[::-1]:
                wall, output, history = run(folder, workers, args.repo.resolve())
                if reference is None:
                    reference = (output, history)
                elif (output, history) != reference:
                    raise SystemExit(f"--workers {workers}: the output or history differs from the first run")
                best[workers] = min(best[workers], wall)
    rows = [{"workers": w, "best_s": best[w], "speedup": best[1] / best[w]} for w in counts]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        f"{args.items} children, {args.work:,} loop steps each, {os.cpu_count()} CPUs, best of {args.rounds}"
    )
    print("output and history identical for every worker count\n")
    print(f"{'workers':>8}{'best s':>9}{'speed-up':>10}")
    for row in rows:
        print(f"{row['workers']:>8}{row['best_s']:>9.2f}{row['speedup']:>9.2f}×")


if __name__ == "__main__":
    main()
