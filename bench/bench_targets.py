"""Every performance target of the README's table, measured in one run: before, after, target.

    git worktree add /tmp/before 6d4506e       # the code before the performance work
    git worktree add /tmp/pre-clock fffc137    # the code before the virtual clock
    python bench/bench_targets.py --before /tmp/before --clock-before /tmp/pre-clock
    python bench/bench_targets.py --before /tmp/before --clock-before /tmp/pre-clock --quick

Each row comes from the benchmark that owns it, run as a child process with `--json`; the two
checkouts alternate inside each benchmark, so load from other work hits both alike:

- JSONata loop ÷ JSONPath loop: `ab.py` (transitions/s, CPU time) on jsonata-loop-10000 and choice-loop-10000;
- compile chain-1000: `bench_compile.py` (CPU ms, validation included);
- cold start: `bench_startup.py` (CPU time of a whole process ÷ `python -c pass`'s);
- `--workers 2` speed-up: `bench_workers.py` (wall time; the code before had only one worker);
- peak RSS: `bench_memory.py` on each checkout;
- virtual clock cost: `ab.py` against the code before the virtual clock, every interpreter workload
  (after ÷ before speed; 0.91 or more means it costs at most 10 %), and `bench_clock.py`: the same code
  on the virtual clock against the real one.

The table is printed in Markdown, as the README shows it. `--quick` runs fewer rounds (a rough look).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
JSONATA, JSONPATH = "jsonata-loop-10000", "choice-loop-10000"


def child(script: str, *args: str) -> Any:
    """Run one benchmark with `--json`; its parsed output."""
    argv = [sys.executable, str(BENCH / script), *args, "--json"]
    print(f"running {' '.join(argv[1:])}", file=sys.stderr, flush=True)
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{script} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def rows(before: Path, clock_before: Path, quick: bool) -> list[tuple[str, str, str, str]]:
    """(workload, before, after, target) per target."""
    rounds = ["--rounds", "3" if quick else "7"]
    out: list[tuple[str, str, str, str]] = []

    loops = {
        r["name"]: r
        for r in child("ab.py", "--before", str(before), "--only", JSONATA, "--only", JSONPATH, *rounds)
    }
    ratio = {
        side: loops[JSONATA][f"{side}_tps"] / loops[JSONPATH][f"{side}_tps"] for side in ("before", "after")
    }
    out.append(
        (
            "JSONata loop ÷ JSONPath loop, transitions/s",
            f"{ratio['before']:.2f}× ({loops[JSONATA]['before_tps']:,.0f} ÷ {loops[JSONPATH]['before_tps']:,.0f})",
            f"{ratio['after']:.2f}× ({loops[JSONATA]['after_tps']:,.0f} ÷ {loops[JSONPATH]['after_tps']:,.0f})",
            "≥ 0.5×",
        )
    )

    compiled = child("bench_compile.py", "--before", str(before), "--rounds", "5" if quick else "9")
    out.append(
        (
            "compile pass-chain-1000, validation included (CPU)",
            f"{compiled['before']['pass-chain-1000'] * 1000:.0f} ms",
            f"{compiled['after']['pass-chain-1000'] * 1000:.0f} ms",
            "≤ 50 ms",
        )
    )

    started = child("bench_startup.py", "--before", str(before), "--rounds", "7" if quick else "15")
    for name, label in (
        ("asl run (one state)", "`asl run`, one state"),
        ("asl validate (one file)", "`asl validate`, one file"),
    ):
        cells = []
        for side in started:
            best = side["best"]
            cells.append(
                f"{best[name]['cpu'] / best['python -c pass']['cpu']:.1f}× ({best[name]['cpu'] * 1000:.0f} ms)"
            )
        out.append((f"cold start of {label} ÷ `python -c pass` (CPU)", cells[0], cells[1], "≤ 4×"))

    workers = {
        r["workers"]: r
        for r in child("bench_workers.py", "--workers", "1", "2", "--rounds", "2" if quick else "3")
    }
    out.append(
        (
            f"Distributed Map, CPU-bound children: `--workers 2` speed-up on {os.cpu_count()} cores",
            "1.00× (one core)",
            f"{workers[2]['speedup']:.2f}× ({workers[1]['best_s']:.1f} s → {workers[2]['best_s']:.1f} s)",
            "≥ 1.6×",
        )
    )

    memory = {
        side: {r["name"].split(",")[0]: r for r in child("bench_memory.py", "--repo", str(repo))}
        for side, repo in (("before", before), ("after", BENCH.parent))
    }
    for key, label in (
        ("Distributed Map", "peak RSS: Distributed Map, 1,000,000-line JSONL, ItemBatcher + ResultWriter"),
        ("inline Map", "peak RSS: inline Map, 100,000 items, `--history`"),
    ):
        found = [k for k in memory["after"] if k.startswith(key)]
        if found:
            b, a = memory["before"][found[0]], memory["after"][found[0]]
            out.append((label, f"{b['peak_rss_mib']:,.0f} MiB", f"{a['peak_rss_mib']:,.0f} MiB", "< 300 MB"))

    clock = child("ab.py", "--before", str(clock_before), *rounds)
    worst = min(clock, key=lambda r: r["speed_ratio"])
    out.append(
        (
            "virtual clock: speed ÷ the code before it, worst workload",
            "1.00×",
            f"{worst['speed_ratio']:.2f}× ({worst['name']})",
            "≥ 0.91× (≤ 10 % cost)",
        )
    )
    out.extend(
        (f"virtual clock: {r['name']} ÷ the code before it", "1.00×", f"{r['speed_ratio']:.2f}×", "≥ 0.91×")
        for r in clock
    )
    same_code = child("bench_clock.py", *rounds)
    worst = min(same_code, key=lambda r: r["ratio"])
    out.append(
        (
            "virtual clock ÷ real clock, same code, worst workload",
            "—",
            f"{worst['ratio']:.2f}× ({worst['name']})",
            "≥ 0.91×",
        )
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the code before the performance work")
    parser.add_argument("--clock-before", type=Path, required=True, help="the code before the virtual clock")
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a rough look")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    table = rows(args.before.resolve(), args.clock_before.resolve(), args.quick)
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| workload | before | after | target |\n|---|---|---|---|")
    for row in table:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
