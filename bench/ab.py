"""Before/after on a loaded machine: the same workloads on two checkouts, run alternately, best of N each.

    python bench/ab.py --before /tmp/before                     # every workload, this checkout as "after"
    python bench/ab.py --before /tmp/before --only jsonata-loop-10000 --rounds 7
    python bench/ab.py --before /tmp/before --after ../other --json

Each round runs every workload once per checkout, in a fresh process (`bench_interpreter.py --json`
with the checkout's code first on PYTHONPATH, this checkout's workloads), so load from other
processes hits both sides alike; the best of the rounds counts. The report gives each side's
transitions per second and their ratio (after ÷ before; above 1: after is faster), and the same for
the load (compile) time. Times are the process's CPU time (`--wall` for wall time): on a machine other
work keeps busy, CPU time varies far less, and these workloads run on one thread.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
HERE = BENCH.parent
sys.path.insert(0, str(BENCH))

from workloads import all_workloads  # noqa: E402


def one_run(repo: Path, name: str, repeat: int) -> dict[str, Any]:
    """One fresh process: `name` run `repeat` times on `repo`'s code; its JSON row."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(BENCH)])}
    argv = [sys.executable, str(BENCH / "bench_interpreter.py"), "--json", "--no-memory"]
    proc = subprocess.run(
        [*argv, "--only", name, "--repeat", str(repeat)], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{name} on {repo} failed:\n{proc.stderr[-2000:]}")
    row: dict[str, Any] = json.loads(proc.stdout)["python"][0]
    return row


def compare(
    before: Path, after: Path, names: list[str], rounds: int, repeat: int, wall: bool
) -> list[dict[str, Any]]:
    """Alternate the two checkouts round by round; keep each side's best time and best load time."""
    rows = []
    for name in names:
        best: dict[str, dict[str, float]] = {"before": {}, "after": {}}
        for round_ in range(rounds):
            sides = [("before", before), ("after", after)]
            for side, repo in sides if round_ % 2 == 0 else sides[::-1]:
                row = one_run(repo, name, repeat)
                mine = best[side]
                best_s, load_s = (
                    (row["best_s"], row["load_s"]) if wall else (row["best_cpu_s"], row["load_cpu_s"])
                )
                mine["best_s"] = min(mine.get("best_s", float("inf")), best_s)
                mine["load_s"] = min(mine.get("load_s", float("inf")), load_s)
                mine["transitions"] = row["transitions"]
        b, a = best["before"], best["after"]
        rows.append(
            {
                "name": name,
                "transitions": a["transitions"],
                "before_tps": b["transitions"] / b["best_s"],
                "after_tps": a["transitions"] / a["best_s"],
                "speed_ratio": b["best_s"] / a["best_s"],
                "before_load_s": b["load_s"],
                "after_load_s": a["load_s"],
            }
        )
        print(f"  {name}: done", file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the checkout to compare against")
    parser.add_argument("--after", type=Path, default=HERE, help="default: this checkout")
    parser.add_argument("--only", action="append", help="a workload (repeatable); default: all")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per process (default 3)")
    parser.add_argument("--wall", action="store_true", help="compare wall time instead of CPU time")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    names = args.only or list(all_workloads())
    rows = compare(args.before.resolve(), args.after.resolve(), names, args.rounds, args.repeat, args.wall)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    clock = "wall time" if args.wall else "CPU time"
    print(f"before: {args.before}   after: {args.after}   best {clock} of {args.rounds} alternating rounds\n")
    header = f"{'workload':<22}{'before tr/s':>13}{'after tr/s':>13}{'after÷before':>14}{'load before ms':>16}{'load after ms':>15}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['name']:<22}{r['before_tps']:>13,.0f}{r['after_tps']:>13,.0f}{r['speed_ratio']:>13.2f}×"
            f"{r['before_load_s'] * 1000:>16,.1f}{r['after_load_s'] * 1000:>15,.1f}"
        )


if __name__ == "__main__":
    main()
