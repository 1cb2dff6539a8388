"""What the virtual clock costs: every interpreter workload on the virtual clock (the default) and on the real one.

    python bench/bench_clock.py                        # every workload, best of 5 alternating rounds
    python bench/bench_clock.py --only task-1000 --rounds 7 --json

Same code, same process setup: each round runs every workload once per clock in a fresh process
(`StateMachine.run_sync(input)` against `run_sync(input, real_time=True)`), alternating, best CPU time of
`--repeat` runs per process. No workload waits, so both clocks do the same work apart from their own
bookkeeping. Above 1 in `virtual ÷ real`: the virtual clock is the faster. `bench/ab.py --before`
compares against a checkout from before the virtual clock existed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from workloads import all_workloads  # noqa: E402

MEASURE = """
import gc, json, sys, time
from bench_interpreter import load
from workloads import all_workloads
workload = all_workloads()[sys.argv[1]]
real_time = sys.argv[2] == "real"
machine = load(workload)
best = float("inf")
for run in range(int(sys.argv[3]) + 1):  # run 0 warms up
    data = workload.make_input()
    gc.collect()
    started = time.process_time()
    result = machine.run_sync(data, real_time=real_time)
    elapsed = time.process_time() - started
    if result.status != "SUCCEEDED" or not workload.expect(result.output):
        raise SystemExit(f"{sys.argv[1]} on the {sys.argv[2]} clock: {result.status} {result.error}")
    if run:
        best = min(best, elapsed)
print(json.dumps({"best_cpu_s": best, "transitions": result.transitions}))
"""


def one(name: str, clock: str, repeat: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCH.parent), str(BENCH)])}
    argv = [sys.executable, "-c", MEASURE, name, clock, str(repeat)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    row: dict[str, Any] = json.loads(proc.stdout)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="a workload (repeatable); default: all")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for name in args.only or list(all_workloads()):
        best = {"virtual": float("inf"), "real": float("inf")}
        for round_ in range(args.rounds):
            for clock in ("virtual", "real") if round_ % 2 == 0 else ("real", "virtual"):
                best[clock] = min(best[clock], one(name, clock, args.repeat)["best_cpu_s"])
        rows.append(
            {
                "name": name,
                "virtual_s": best["virtual"],
                "real_s": best["real"],
                "ratio": best["real"] / best["virtual"],
            }
        )
        print(f"  {name}: done", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"best CPU time of {args.rounds} alternating rounds, {time.strftime('%Y-%m-%d')}\n")
    print(f"{'workload':<22}{'virtual ms':>12}{'real ms':>10}{'virtual speed ÷ real':>22}")
    for r in rows:
        print(f"{r['name']:<22}{r['virtual_s'] * 1000:>12.1f}{r['real_s'] * 1000:>10.1f}{r['ratio']:>21.2f}×")


if __name__ == "__main__":
    main()
