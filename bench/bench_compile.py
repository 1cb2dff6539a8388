"""Compile time: `StateMachine(definition)` (parse, compile and validate) on large definitions, in states/s.

    python bench/bench_compile.py                       # this checkout, best of 9
    python bench/bench_compile.py --before /tmp/before  # both checkouts, alternating fresh processes

Definitions: `pass-chain-1000` (the interpreter benchmark's: 1,000 Pass states with Parameters, two paths and
the same `States.Format` call in each), `distinct-chain-1000` (the same, but every state's call and paths
differ, so nothing compiled for one state serves another), and `mixed-200` (200 copies of a realistic
state mix: Task with Retry/Catch, Choice, Map, Parallel, JSONata). Times are CPU time (best of N) of
loading an already-parsed definition, validation included.
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

from workloads import pass_chain  # noqa: E402


def distinct_chain(n: int = 1000) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(n):
        states[f"Step{i:04d}"] = {
            "Type": "Pass",
            "Parameters": {
                "step": i,
                f"name{i}.$": f"$.name{i % 7}",
                "previous.$": f"$.last.step{i}",
                "label.$": f"States.Format('{{}} reached step {i} after {{}}', $.name, $.last.step{i})",
            },
            "ResultPath": f"$.last{i}",
            **({"Next": f"Step{i + 1:04d}"} if i + 1 < n else {"End": True}),
        }
    return {"StartAt": "Step0000", "States": states}


def mixed(copies: int = 200) -> dict[str, Any]:
    lam = "arn:aws:states:::lambda:invoke"
    states: dict[str, Any] = {}
    for c in range(copies):
        nxt = f"Task{c + 1}" if c + 1 < copies else "Done"
        states[f"Task{c}"] = {
            "Type": "Task",
            "Resource": lam,
            "Parameters": {"FunctionName": f"f{c}", "Payload.$": "$"},
            "ResultSelector": {"body.$": "$.Payload"},
            "ResultPath": "$.result",
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 3}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": f"Choose{c}"}],
            "Next": f"Choose{c}",
        }
        states[f"Choose{c}"] = {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.result.body.ok", "BooleanEquals": True, "Next": f"Fan{c}"},
                {
                    "And": [
                        {"Variable": "$.n", "IsPresent": True},
                        {"Variable": "$.n", "NumericGreaterThan": c},
                    ],
                    "Next": f"Both{c}",
                },
            ],
            "Default": f"Both{c}",
        }
        states[f"Fan{c}"] = {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
            "ItemProcessor": {"StartAt": f"P{c}", "States": {f"P{c}": {"Type": "Pass", "End": True}}},
            "ResultPath": None,
            "Next": f"Both{c}",
        }
        states[f"Both{c}"] = {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": f"A{c}", "States": {f"A{c}": {"Type": "Pass", "Result": {"a": c}, "End": True}}},
                {
                    "StartAt": f"B{c}",
                    "States": {
                        f"B{c}": {
                            "Type": "Pass",
                            "QueryLanguage": "JSONata",
                            "Output": {"b": "{% $states.input.n + 1 %}"},
                            "End": True,
                        }
                    },
                },
            ],
            "ResultPath": "$.both",
            "Next": nxt,
        }
    states["Done"] = {"Type": "Succeed"}
    return {"StartAt": "Task0", "States": states}


def definitions() -> dict[str, dict[str, Any]]:
    return {
        "pass-chain-1000": pass_chain().definition,
        "distinct-chain-1000": distinct_chain(),
        "mixed-200": mixed(),
    }


def count_states(definition: Any) -> int:
    total = 0
    stack = [definition]
    while stack:
        machine = stack.pop()
        for state in machine["States"].values():
            total += 1
            stack.extend(state.get("Branches", []))
            if "ItemProcessor" in state:
                stack.append(state["ItemProcessor"])
    return total


def measure(rounds: int) -> dict[str, float]:
    """Best CPU seconds of StateMachine(definition) per definition, in this process."""
    from asl import StateMachine

    best: dict[str, float] = {}
    for name, definition in definitions().items():
        StateMachine(definition)  # caches, lazy imports
        times = []
        for _ in range(rounds):
            started = time.process_time()
            StateMachine(definition)
            times.append(time.process_time() - started)
        best[name] = min(times)
    return best


def in_process(repo: Path, rounds: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(BENCH)])}
    argv = [sys.executable, str(Path(__file__)), "--measure", "--rounds", str(rounds)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{repo}: {proc.stderr[-2000:]}")
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--before", type=Path, help="also measure this checkout, alternating processes")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.rounds)))
        return
    sides = {"after": BENCH.parent}
    if args.before is not None:
        sides = {"before": args.before.resolve(), **sides}
    best: dict[str, dict[str, float]] = {side: {} for side in sides}
    for round_ in range(3):
        for side, repo in sides.items() if round_ % 2 == 0 else list(sides.items())[::-1]:
            for name, seconds in in_process(repo, args.rounds).items():
                best[side][name] = min(best[side].get(name, 1e9), seconds)
    counts = {name: count_states(d) for name, d in definitions().items()}
    header = f"{'definition':<22}{'states':>7}" + "".join(
        f"{side + ' ms':>12}{side + ' states/s':>18}" for side in sides
    )
    print(f"CPU time, best of {3 * args.rounds} loads (3 processes per checkout)\n\n{header}")
    for name, states in counts.items():
        cells = "".join(f"{best[s][name] * 1000:>12.1f}{states / best[s][name]:>18,.0f}" for s in sides)
        print(f"{name:<22}{states:>7}{cells}")


if __name__ == "__main__":
    main()
