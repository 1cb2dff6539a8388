"""Interpreter benchmark (not a test): transitions per second, wall time and peak memory per workload.

    python bench/bench_interpreter.py [--only NAME] [--repeat N] [--json] [--compare] [--no-memory]

Each workload (see `workloads.py`) is built in code and run in-process through the Python API
(`StateMachine(...).run_sync(input)`). Per workload:

- transitions: states entered (`ExecutionResult.transitions`, Map iterations and Parallel branches included);
- best / transitions per second: the best wall time of N runs (default 3) of `run_sync`; loading and
  compiling the definition is timed apart (`load`);
- peak memory, two ways: `tracemalloc` = the Python heap's peak above the start of one extra traced run;
  `rss` = the peak resident set size during one run minus the RSS before it, in a fresh process per
  workload (Linux VmHWM, reset through /proc/self/clear_refs; the node runner measures it the same way).

`cli-startup` times whole `asl run` processes on a one-state workflow (best of 5) next to `python -c pass`.
`--compare` also runs the same definitions on aws-local-stepfunctions (`bench_alsf.mjs`, after
`cd bench && npm install`) and prints both with their ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from workloads import HANDLERS, LAMBDA_INVOKE, Workload, all_workloads, one_state

from asl import StateMachine, TaskRegistry

BENCH_DIR = Path(__file__).resolve().parent
NODE_SCRIPT = BENCH_DIR / "bench_alsf.mjs"
NODE_PACKAGE = BENCH_DIR / "node_modules" / "aws-local-stepfunctions"
CLI = "cli-startup"
CLI_REPEAT = 5


# -- asl-runner, in-process -----------------------------------------------------------------------


def load(workload: Workload) -> StateMachine:
    registry = TaskRegistry()
    for handler in sorted(set(workload.tasks.values())):
        registry.register(LAMBDA_INVOKE, HANDLERS[handler])
    # Some workloads record more than AWS's 25,000 history events: lift that quota for the benchmark.
    kwargs: dict[str, Any] = {"history_limit": 0}
    if workload.payload_limit is not None:
        kwargs["payload_limit"] = workload.payload_limit
    return StateMachine(workload.definition, registry=registry, **kwargs)


def run_checked(sm: StateMachine, workload: Workload, data: Any) -> Any:
    result = sm.run_sync(data)
    if result.status != "SUCCEEDED":
        raise RuntimeError(f"{result.status}: {result.error}: {(result.cause or '')[:300]}")
    if not workload.expect(result.output):
        raise RuntimeError("the output is not what the workload should produce")
    return result


def bench_python(workload: Workload, repeat: int, memory: bool) -> dict[str, Any]:
    start, cpu_start = time.perf_counter(), time.process_time()
    sm = load(workload)
    load_s = time.perf_counter() - start
    load_cpu_s = time.process_time() - cpu_start
    times: list[float] = []
    cpu_times: list[float] = []
    result: Any = None
    for _ in range(repeat):
        data = workload.make_input()  # fresh and untimed
        gc.collect()
        start, cpu_start = time.perf_counter(), time.process_time()
        result = run_checked(sm, workload, data)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    best = min(times)
    row: dict[str, Any] = {
        "name": workload.name,
        "runner": "asl-runner",
        "transitions": result.transitions,
        "best_s": best,
        "times_s": times,
        "transitions_per_s": result.transitions / best,
        # CPU time of the process: on a machine loaded by other work it varies far less than wall time.
        "best_cpu_s": min(cpu_times),
        "load_s": load_s,
        "load_cpu_s": load_cpu_s,
        "output": result.output,
    }
    if memory:
        data = workload.make_input()
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        run_checked(sm, workload, data)
        row["tracemalloc_peak_kb"] = (tracemalloc.get_traced_memory()[1] - base) / 1024
        tracemalloc.stop()
        row["rss_delta_kb"] = rss_in_fresh_process(workload.name)
    return row


def peak_rss_kb(reset: bool = False) -> int:
    """The process's peak RSS in KiB (VmHWM); `reset` first lowers the peak to the current RSS.

    Linux resets VmHWM on `5` written to /proc/self/clear_refs, so the growth one run causes is seen even
    when imports peaked higher before it; elsewhere this falls back to ru_maxrss (never lowered).
    """
    try:
        if reset:
            Path("/proc/self/clear_refs").write_text("5")
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def warm_up() -> None:
    """Run the one-state workflow once, so anyio's lazily imported event loop is not charged to a workload."""
    StateMachine(one_state()).run_sync({})


def rss_probe(name: str) -> None:
    """Child process: one run of `name`; print how much it raised the peak RSS, in KiB."""
    warm_up()
    workload = all_workloads()[name]
    sm = load(workload)
    data = workload.make_input()
    gc.collect()
    before = peak_rss_kb(reset=True)
    run_checked(sm, workload, data)
    print(json.dumps({"rss_delta_kb": peak_rss_kb() - before}))


def rss_in_fresh_process(name: str) -> float | None:
    proc = subprocess.run(
        [sys.executable, __file__, "--rss-probe", name], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return None
    value: float = json.loads(proc.stdout)["rss_delta_kb"]
    return value


# -- CLI start-up ---------------------------------------------------------------------------------


def best_process_time(argv: list[str], stdin: bytes = b"", repeat: int = CLI_REPEAT) -> float | None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(argv, input=stdin, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            return None
    return min(times)


def bench_cli(node: bool) -> dict[str, Any]:
    asl = shutil.which("asl") or str(Path(sys.executable).with_name("asl"))
    with tempfile.TemporaryDirectory() as tmp:
        workflow = Path(tmp) / "one.json"
        workflow.write_text(json.dumps(one_state()))
        row: dict[str, Any] = {
            "name": CLI,
            "asl_run_s": best_process_time([asl, "run", str(workflow), "--input", "{}", "--output", "json"]),
            "python_floor_s": best_process_time([sys.executable, "-c", "pass"]),
        }
        if node:
            local_sfn = BENCH_DIR / "node_modules" / ".bin" / "local-sfn"
            # local-sfn reads its input from stdin whenever stdin is not a terminal.
            row["local_sfn_s"] = best_process_time([str(local_sfn), "-f", str(workflow)], stdin=b"{}\n")
            row["node_floor_s"] = best_process_time(["node", "-e", "0"])
    return row


# -- aws-local-stepfunctions ----------------------------------------------------------------------


def write_workloads(directory: Path, names: list[str]) -> Path:
    """Write each workload's definition and input as JSON plus a manifest for bench_alsf.mjs."""
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for name in names:
        workload = all_workloads()[name]
        if workload.node_skip:
            continue
        (directory / f"{name}.definition.json").write_text(json.dumps(workload.definition))
        (directory / f"{name}.input.json").write_text(json.dumps(workload.make_input()))
        entries.append(
            {
                "name": name,
                "definition": f"{name}.definition.json",
                "input": f"{name}.input.json",
                "output": f"{name}.node-output.json",
                "tasks": workload.tasks,
            }
        )
    (directory / "warm-up.definition.json").write_text(json.dumps(one_state()))
    manifest = directory / "manifest.json"
    manifest.write_text(json.dumps({"warmUp": "warm-up.definition.json", "workloads": entries}, indent=1))
    return manifest


def node_available() -> str | None:
    """Why the node comparison cannot run, or None if it can."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not NODE_PACKAGE.is_dir():
        return f"aws-local-stepfunctions is not installed: run `cd {BENCH_DIR} && npm install`"
    return None


def bench_node(manifest: Path, name: str, repeat: int) -> dict[str, Any]:
    argv = ["node", "--expose-gc", str(NODE_SCRIPT), "--manifest", str(manifest)]
    proc = subprocess.run(
        [*argv, "--only", name, "--repeat", str(repeat)], capture_output=True, text=True, check=False
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"name": name, "error": (proc.stderr.strip() or "no output")[-500:]}
    row: dict[str, Any] = json.loads(lines[-1])
    out_file = manifest.parent / f"{name}.node-output.json"
    if "error" not in row and out_file.exists():
        row["output"] = json.loads(out_file.read_text())
    return row


def node_version() -> str:
    try:
        package = json.loads((NODE_PACKAGE / "package.json").read_text())
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return "?"
    return f"node {node.strip()}, aws-local-stepfunctions {package['version']}"


# -- report ---------------------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.1f}"


def mb(kib: float | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.1f}"


def rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def python_table(py: list[dict[str, Any]]) -> str:
    headers = ["workload", "transitions", "best ms", "transitions/s", "cpu ms", "load ms", "1st run ms"]
    headers += ["peak MB tracemalloc", "rss Δ MB"]
    rows = [
        [
            r["name"],
            str(r["transitions"]),
            ms(r["best_s"]),
            rate(r["transitions_per_s"]),
            ms(r["best_cpu_s"]),
            ms(r["load_s"]),
            ms(r["times_s"][0]),
            mb(r.get("tracemalloc_peak_kb")),
            mb(r.get("rss_delta_kb")),
        ]
        for r in py
    ]
    return table(headers, rows)


def compare_tables(py: list[dict[str, Any]], node: dict[str, dict[str, Any]]) -> list[str]:
    rows, mem_rows, notes = [], [], []
    for r in py:
        n = node.get(r["name"], {})
        if "skip" in n:
            notes.append(f"  {r['name']}: not run on node: {n['skip']}")
        if "error" in n:
            notes.append(f"  {r['name']}: node failed: {n['error']}")
        if "skip" in n or "error" in n:
            n = {}
        ratio = r["transitions_per_s"] / n["transitions_per_s"] if n else None
        rows.append(
            [
                r["name"],
                f"{r['transitions']}/{n.get('transitions', '-')}",
                rate(r["transitions_per_s"]),
                rate(n.get("transitions_per_s")),
                "-" if ratio is None else f"{ratio:.2f}×",
                ms(r["best_s"]),
                ms(n.get("best_s")),
                "-" if not n else ("yes" if n.get("same_output") else "NO"),
            ]
        )
        mem_rows.append(
            [
                r["name"],
                ms(r["load_s"]),
                ms(n.get("load_s")),
                ms(r["times_s"][0]),
                ms(n["times_s"][0] if n else None),
                mb(r.get("tracemalloc_peak_kb")),
                mb(r.get("rss_delta_kb")),
                mb(n.get("rss_delta_kb")),
            ]
        )
    headers = ["workload", "transitions py/node", "py tr/s", "node tr/s", "py ÷ node", "py best ms"]
    headers += ["node best ms", "same output"]
    mem_headers = ["workload", "py load ms", "node load ms", "py 1st run ms", "node 1st run ms"]
    mem_headers += ["py peak MB tracemalloc", "py rss Δ MB", "node rss Δ MB"]
    parts = ["Throughput (py ÷ node > 1: asl-runner is faster)\n" + table(headers, rows)]
    if notes:
        parts.append("\n".join(notes))
    parts.append("Load time, first (cold) run and peak memory\n" + table(mem_headers, mem_rows))
    return parts


def cli_table(cli: dict[str, Any]) -> str:
    def row(label: str, wall: float | None, floor: float | None) -> list[str]:
        above = None if wall is None or floor is None else wall - floor
        return [label, ms(wall), ms(above)]

    rows = [
        row("asl run one-state.json", cli["asl_run_s"], cli["python_floor_s"]),
        row("python -c pass (floor)", cli["python_floor_s"], None),
    ]
    if "local_sfn_s" in cli:
        rows.append(row("local-sfn -f one-state.json", cli["local_sfn_s"], cli["node_floor_s"]))
        rows.append(row("node -e 0 (floor)", cli["node_floor_s"], None))
        if cli["asl_run_s"] and cli["local_sfn_s"]:
            speedup = cli["local_sfn_s"] / cli["asl_run_s"]
            rows.append(["local-sfn ÷ asl run (> 1: asl faster)", f"{speedup:.2f}×", ""])
    return f"CLI start-up (best of {CLI_REPEAT})\n" + table(["process", "wall ms", "above floor ms"], rows)


def report(
    py: list[dict[str, Any]], node: dict[str, dict[str, Any]] | None, cli: dict[str, Any] | None
) -> str:
    parts = []
    if py:
        parts += [python_table(py)] if node is None else compare_tables(py, node)
    if cli is not None:
        parts.append(cli_table(cli))
    return "\n\n".join(parts)


def main() -> None:
    names = [*all_workloads(), CLI]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=names, metavar="NAME", help=f"one workload: {', '.join(names)}")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per workload; the best counts (default 3)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--compare", action="store_true", help="also run aws-local-stepfunctions (node)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs (for profiling)")
    parser.add_argument(
        "--write-workloads", metavar="DIR", type=Path, help="write the JSON for bench_alsf.mjs"
    )
    parser.add_argument("--rss-probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_probe:
        rss_probe(args.rss_probe)
        return
    selected = [args.only] if args.only else names
    workload_names = [n for n in selected if n != CLI]
    if args.write_workloads:
        print(write_workloads(args.write_workloads, workload_names))
        return
    why_not = node_available() if args.compare else None
    compare = args.compare and why_not is None
    if not args.json:
        print(
            f"asl-runner on Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs"
        )
        if compare:
            print(f"aws-local-stepfunctions on {node_version()}")
        elif args.compare:
            print(f"--compare skipped: {why_not}")
        print(flush=True)
    warm_up()
    py = [bench_python(all_workloads()[n], args.repeat, not args.no_memory) for n in workload_names]
    node: dict[str, dict[str, Any]] | None = None
    if compare:
        node = {}
        with tempfile.TemporaryDirectory(prefix="asl-bench-") as tmp:
            manifest = write_workloads(Path(tmp), workload_names)
            for n in workload_names:
                skip = all_workloads()[n].node_skip
                node[n] = {"name": n, "skip": skip} if skip else bench_node(manifest, n, args.repeat)
    outputs = {r["name"]: r.pop("output") for r in py}
    for row in (node or {}).values():
        if "output" in row:
            row["same_output"] = row.pop("output") == outputs[row["name"]]
    cli = bench_cli(compare) if CLI in selected else None
    if args.json:
        nodes = None if node is None else list(node.values())
        print(json.dumps({"python": py, "node": nodes, "cli": cli}, indent=2))
    else:
        print(report(py, node, cli))


if __name__ == "__main__":
    main()
