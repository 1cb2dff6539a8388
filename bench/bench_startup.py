"""Cold start: whole `asl run` and `asl validate` processes on a one-state workflow, next to `python -c pass`.

    python bench/bench_startup.py                      # best of 15 each, this checkout
    python bench/bench_startup.py --repo /tmp/before   # another checkout's code
    python bench/bench_startup.py --before /tmp/before # both checkouts, alternating: before/after ratios
    python bench/bench_startup.py --importtime run     # what `asl run` imports, slowest first
    python bench/bench_startup.py --instructions       # CPU instructions (valgrind): the same on any load

Each command runs as a fresh process, alternating with the others round by round, with bytecode cached
(as an installed tool runs: the cache goes to a temporary folder, even when the environment sets
PYTHONDONTWRITEBYTECODE). Reported per command: the best wall time and the best CPU time (user + system,
from the kernel's accounting of the child), and each as a multiple of `python -c pass`. CPU time is the
steadier figure on a machine that other work keeps busy. `--instructions` counts each process's
instructions with valgrind (callgrind): slow (about 30 s per process), but independent of the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
ONE_STATE = {
    "StartAt": "Hello",
    "States": {"Hello": {"Type": "Pass", "Result": {"hello": "world"}, "End": True}},
}
ENTRY = "import sys; from cli.main import main; sys.argv[0] = 'asl'; main()"


def commands(workflow: Path) -> dict[str, list[str]]:
    """The processes measured: the floor, then the CLI commands."""
    asl = [sys.executable, "-c", ENTRY]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "asl --version": [*asl, "--version"],
        "asl run (one state)": [*asl, "run", str(workflow), "--input", "{}", "--output", "json"],
        "asl validate (one file)": [*asl, "validate", str(workflow)],
    }


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # From a neutral folder: `python -c` puts the current folder first on sys.path.
    proc = subprocess.run(argv, env=env, capture_output=True, check=False, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def environment(repo: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    env["PYTHONPATH"] = str(repo)
    return env


def measure(repos: list[Path], rounds: int) -> list[dict[str, dict[str, float]]]:
    """Best wall and CPU time per command and checkout over `rounds` rounds, everything alternating."""
    with tempfile.TemporaryDirectory(prefix="asl-startup-") as tmp:
        workflow = Path(tmp) / "one.json"
        workflow.write_text(json.dumps(ONE_STATE))
        envs = [environment(repo, Path(tmp) / f"pycache{i}") for i, repo in enumerate(repos)]
        argvs = commands(workflow)
        for env in envs:
            for argv in argvs.values():  # fill the bytecode cache
                timed(argv, env)
        best = [{name: {"wall": 1e9, "cpu": 1e9} for name in argvs} for _ in repos]
        for _ in range(rounds):
            for name, argv in argvs.items():
                for mine, env in zip(best, envs, strict=True):
                    wall, cpu = timed(argv, env)
                    mine[name]["wall"] = min(mine[name]["wall"], wall)
                    mine[name]["cpu"] = min(mine[name]["cpu"], cpu)
    return best


def importtime(repo: Path, command: str) -> str:
    """`python -X importtime` of one command: the 25 slowest imports (cumulative), bytecode cached."""
    with tempfile.TemporaryDirectory(prefix="asl-startup-") as tmp:
        workflow = Path(tmp) / "one.json"
        workflow.write_text(json.dumps(ONE_STATE))
        env = environment(repo, Path(tmp) / "pycache")
        argv = commands(workflow)[next(n for n in commands(workflow) if n.startswith(f"asl {command}"))]
        argv = [argv[0], "-X", "importtime", *argv[1:]]
        subprocess.run(argv, env=env, capture_output=True, check=False, cwd=tmp)
        lines = subprocess.run(
            argv, env=env, capture_output=True, text=True, check=False, cwd=tmp
        ).stderr.splitlines()
    rows = []
    for line in lines:
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), int(parts[0].split(":")[1]), parts[2].rstrip()))
    rows.sort(reverse=True)
    total = max((r[0] for r in rows if not r[2].startswith("  ")), default=0)
    out = [f"{'cumulative µs':>14} {'self µs':>9}  module"]
    out += [f"{c:>14,} {s:>9,}  {name}" for c, s, name in rows[:25]]
    return "\n".join(out) + f"\n(top-level total {total:,} µs)"


def instructions(repo: Path) -> dict[str, int]:
    """Instructions executed per command (valgrind --tool=callgrind), bytecode cached, hash seed fixed."""
    with tempfile.TemporaryDirectory(prefix="asl-startup-") as tmp:
        workflow = Path(tmp) / "one.json"
        workflow.write_text(json.dumps(ONE_STATE))
        env = {**environment(repo, Path(tmp) / "pycache"), "PYTHONHASHSEED": "0"}
        counts = {}
        for name, argv in commands(workflow).items():
            timed(argv, env)  # fill the bytecode cache
            proc = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
                env=env,
                capture_output=True,
                text=True,
                check=False,
                cwd=tmp,
            )
            found = [line for line in proc.stderr.splitlines() if "Collected :" in line]
            if proc.returncode != 0 or not found:
                raise SystemExit(f"valgrind failed on {name}:\n{proc.stderr[-2000:]}")
            counts[name] = int(found[-1].split(":")[-1])
    return counts


def report(best: dict[str, dict[str, float]], repo: Path, rounds: int) -> str:
    floor = best["python -c pass"]
    lines = [
        f"{repo}: best of {rounds} alternating rounds, bytecode cached",
        "",
        f"{'process':<26}{'wall ms':>9}{'× floor':>9}{'cpu ms':>9}{'× floor':>9}",
        "-" * 62,
    ]
    for name, row in best.items():
        lines.append(
            f"{name:<26}{row['wall'] * 1000:>9.1f}{row['wall'] / floor['wall']:>8.1f}×"
            f"{row['cpu'] * 1000:>9.1f}{row['cpu'] / floor['cpu']:>8.1f}×"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repo", type=Path, default=HERE, help="the checkout whose code runs (default: this one)"
    )
    parser.add_argument("--before", type=Path, help="also run this checkout, alternating, for before/after")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--importtime", choices=["run", "validate"], help="list one command's slowest imports"
    )
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions with valgrind instead"
    )
    args = parser.parse_args()
    repo = args.repo.resolve()
    if args.importtime:
        print(importtime(repo, args.importtime))
        return
    repos = [repo] if args.before is None else [args.before.resolve(), repo]
    if args.instructions:
        for r in repos:
            counts = instructions(r)
            floor = counts["python -c pass"]
            print(f"{r}: instructions (valgrind), bytecode cached")
            for name, count in counts.items():
                print(f"  {name:<26}{count / 1e6:>9.1f} M{count / floor:>8.2f}×")
        return
    results = measure(repos, args.rounds)
    if args.json:
        rows: list[dict[str, Any]] = [
            {"repo": str(r), "rounds": args.rounds, "best": b} for r, b in zip(repos, results, strict=True)
        ]
        print(json.dumps(rows, indent=2))
        return
    print("\n\n".join(report(b, r, args.rounds) for r, b in zip(repos, results, strict=True)))


if __name__ == "__main__":
    main()
