"""Instructions per workload run (valgrind): a before/after that a loaded machine cannot blur.

    python bench/bench_instructions.py --before /tmp/before --only map-10000-c10 --only task-1000

Each workload of `workloads.py` runs in a fresh process under callgrind, once with one execution and
once with two (after loading and a warm-up run); the difference is the instructions of one execution,
the same from run to run to a fraction of a percent. Slow (valgrind runs code ~50x slower): pick workloads.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RUN = """
import sys
from bench_interpreter import load, run_checked
from workloads import all_workloads
workload = all_workloads()[sys.argv[1]]
machine = load(workload)
for _ in range(1 + int(sys.argv[2])):
    run_checked(machine, workload, workload.make_input())
"""


def instructions(repo: Path, name: str, runs: int) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(BENCH)]), "PYTHONHASHSEED": "0"}
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", RUN, name]
    proc = subprocess.run([*argv, str(runs)], env=env, capture_output=True, text=True, check=False, cwd=BENCH)
    found = [line for line in proc.stderr.splitlines() if "Collected :" in line]
    if proc.returncode != 0 or not found:
        raise SystemExit(f"{name} on {repo}: valgrind failed\n{proc.stderr[-2000:]}")
    return int(found[-1].split(":")[-1])


def per_run(repo: Path, name: str) -> int:
    """Instructions of one execution: two runs minus one run."""
    return instructions(repo, name, 2) - instructions(repo, name, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=BENCH.parent)
    parser.add_argument("--only", action="append", required=True, help="a workload (repeatable)")
    args = parser.parse_args()
    print(f"{'workload':<22}{'before M':>10}{'after M':>10}{'before÷after':>14}")
    for name in args.only:
        before = per_run(args.before.resolve(), name)
        after = per_run(args.after.resolve(), name)
        print(f"{name:<22}{before / 1e6:>10.1f}{after / 1e6:>10.1f}{before / after:>13.2f}×", flush=True)


if __name__ == "__main__":
    main()
