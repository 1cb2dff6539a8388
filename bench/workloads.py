"""The benchmark's workloads: each definition and input is built in code, the same for both runners.

`bench_interpreter.py` runs them through asl-runner's Python API and writes them as JSON files for
`bench_alsf.mjs`, which runs them on aws-local-stepfunctions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LOOP_ITERATIONS = 10_000
MAP_ITEMS = 10_000


@dataclass(frozen=True)
class Workload:
    """One benchmark case: a definition, an input, and what a correct run produces."""

    name: str
    about: str
    definition: dict[str, Any]
    make_input: Callable[[], Any]
    expect: Callable[[Any], bool]
    payload_limit: int | None = None  # None: asl-runner's default (AWS's 256 KiB)
    #: Task state name -> handler name (see HANDLERS); both runners bind the same handler.
    tasks: dict[str, str] = field(default_factory=dict)
    #: Why aws-local-stepfunctions cannot run this workload, or None if it can.
    node_skip: str | None = None


async def increment(payload: Any, ctx: Any = None) -> Any:
    """The trivial Task handler: `{"i": Payload.i + 1}`."""
    return {"i": payload["Payload"]["i"] + 1}


#: Task handlers by name, so the node runner binds the same behaviour (bench_alsf.mjs has its twin).
HANDLERS = {"increment": increment}


def pass_chain(n: int = 1000) -> Workload:
    states: dict[str, Any] = {}
    for i in range(n):
        state: dict[str, Any] = {
            "Type": "Pass",
            "Parameters": {
                "step": i,
                "name.$": "$.name",
                "previous.$": "$.last.step",
                "label.$": "States.Format('{} reached step {}', $.name, $.last.step)",
            },
            "ResultPath": "$.last",
        }
        if i + 1 < n:
            state["Next"] = f"Step{i + 1:04d}"
        else:
            state["End"] = True
        states[f"Step{i:04d}"] = state
    return Workload(
        name=f"pass-chain-{n}",
        about=f"{n} Pass states, each Parameters (2 paths + States.Format) and ResultPath",
        definition={"StartAt": "Step0000", "States": states},
        make_input=lambda: {"name": "bench", "last": {"step": -1}},
        expect=lambda out: (
            out["last"]["step"] == n - 1 and out["last"]["label"] == f"bench reached step {n - 2}"
        ),
    )


def choice_loop(n: int = LOOP_ITERATIONS) -> Workload:
    definition = {
        "StartAt": "Increment",
        "States": {
            "Increment": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericLessThan": n, "Next": "Increment"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    return Workload(
        name=f"choice-loop-{n}",
        about=f"Pass (States.MathAdd) + Choice counter loop, {n} iterations",
        definition=definition,
        make_input=lambda: {"i": 0},
        expect=lambda out: out == {"i": n},
    )


def jsonata_loop(n: int = LOOP_ITERATIONS) -> Workload:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Increment",
        "States": {
            "Increment": {"Type": "Pass", "Output": {"i": "{% $states.input.i + 1 %}"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Condition": f"{{% $states.input.i < {n} %}}", "Next": "Increment"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    return Workload(
        name=f"jsonata-loop-{n}",
        about=f"the same loop in JSONata (Output + Condition), {n} iterations",
        definition=definition,
        make_input=lambda: {"i": 0},
        expect=lambda out: out == {"i": n},
        node_skip="aws-local-stepfunctions 3.0.0 has no JSONata (QueryLanguage, Output, Condition)",
    )


def big_document(records: int = 2000) -> dict[str, Any]:
    """About 1 MB of JSON: `records` records of ~500 bytes each, deterministic."""
    return {
        "header": {"source": "bench", "records": records},
        "records": [
            {
                "id": f"rec-{k:06d}",
                "index": k,
                "active": k % 3 != 0,
                "score": (k * 7919) % 1000 / 10,
                "tags": [f"tag{(k + j) % 17}" for j in range(5)],
                "address": {"street": f"{k} Main Street", "city": "Springfield", "zip": f"{10000 + k}"},
                "note": "lorem ipsum dolor sit amet " * 10,
            }
            for k in range(records)
        ],
    }


def big_doc(n: int = 50) -> Workload:
    # Input {"env": E}: InputPath selects E, ResultPath writes it to $.next.env, OutputPath keeps $.next,
    # so every state moves the whole ~1 MB document through all three fields and the shape is kept.
    states: dict[str, Any] = {}
    for i in range(n):
        state: dict[str, Any] = {
            "Type": "Pass",
            "InputPath": "$.env",
            "ResultPath": "$.next.env",
            "OutputPath": "$.next",
        }
        if i + 1 < n:
            state["Next"] = f"Move{i + 1:02d}"
        else:
            state["End"] = True
        states[f"Move{i:02d}"] = state
    return Workload(
        name=f"big-doc-{n}",
        about=f"~1 MB document through {n} states with InputPath/ResultPath/OutputPath (payload_limit=0)",
        definition={"StartAt": "Move00", "States": states},
        make_input=lambda: {"env": big_document()},
        expect=lambda out: len(out["env"]["records"]) == 2000,
        payload_limit=0,
    )


def map_items(concurrency: int, n: int = MAP_ITEMS) -> Workload:
    suffix = "unbounded" if concurrency == 0 else f"c{concurrency}"
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": concurrency,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Item",
                    "States": {
                        "Item": {
                            "Type": "Pass",
                            "Parameters": {"n.$": "$.id", "next.$": "States.MathAdd($.id, 1)"},
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    return Workload(
        name=f"map-{n}-{suffix}",
        about=f"inline Map over {n} items, MaxConcurrency {concurrency}, item = one Pass with Parameters",
        definition=definition,
        # Objects, not bare numbers: aws-local-stepfunctions 3.0.0 fails `"n.$": "$"` on the item 0
        # ("Path expression '$' does not point to a value"), treating a falsy value as missing.
        make_input=lambda: {"items": [{"id": k} for k in range(n)]},
        expect=lambda out: len(out) == n and out[-1] == {"n": n - 1, "next": n},
        # Input ~120 KB, results ~230 KB of compact JSON: both under AWS's 256 KiB, so the default limit holds.
    )


def parallel(branches: int = 100) -> Workload:
    branch_list = [
        {
            "StartAt": f"First{b:03d}",
            "States": {
                f"First{b:03d}": {
                    "Type": "Pass",
                    "Parameters": {"branch": b, "x.$": "$.x"},
                    "Next": f"Second{b:03d}",
                },
                f"Second{b:03d}": {"Type": "Pass", "ResultPath": "$.second", "End": True},
            },
        }
        for b in range(branches)
    ]
    return Workload(
        name=f"parallel-{branches}",
        about=f"a Parallel of {branches} branches, each two Pass states",
        definition={
            "StartAt": "Fan",
            "States": {"Fan": {"Type": "Parallel", "Branches": branch_list, "End": True}},
        },
        make_input=lambda: {"x": 1},
        expect=lambda out: len(out) == branches and out[-1]["branch"] == branches - 1,
    )


def task_chain(n: int = 1000) -> Workload:
    states: dict[str, Any] = {}
    for i in range(n):
        state: dict[str, Any] = {
            "Type": "Task",
            "Resource": LAMBDA_INVOKE,
            "Parameters": {"FunctionName": "bench-increment", "Payload": {"i.$": "$.i"}},
        }
        if i + 1 < n:
            state["Next"] = f"Call{i + 1:04d}"
        else:
            state["End"] = True
        states[f"Call{i:04d}"] = state
    return Workload(
        name=f"task-{n}",
        about=f"{n} Task states ({LAMBDA_INVOKE}) with a trivial async handler",
        definition={"StartAt": "Call0000", "States": states},
        make_input=lambda: {"i": 0},
        expect=lambda out: out == {"i": n},
        tasks=dict.fromkeys(states, "increment"),
    )


def one_state() -> dict[str, Any]:
    """The CLI start-up workflow: one Pass state."""
    return {
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Pass", "Result": {"hello": "world"}, "End": True}},
    }


def all_workloads() -> dict[str, Workload]:
    """Every in-process workload, by name, in report order."""
    workloads = [
        pass_chain(),
        choice_loop(),
        jsonata_loop(),
        big_doc(),
        map_items(0),
        map_items(10),
        parallel(),
        task_chain(),
    ]
    return {w.name: w for w in workloads}
