"""`asl run --workers N`: Distributed Map children in worker processes give exactly what one process gives.

Correctness only (bench/bench_workers.py measures the speed): the output, the history file and the
ResultWriter's files are byte for byte those of `--workers 1`, for successes, tolerated failures, a failure
that ends the Map, an ItemSelector that fails, and batches of a JSON Lines file (ItemReader, ItemBatcher). Children that cannot go to workers stay in this process,
with a note saying why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli

HANDLERS = """
import os
from pathlib import Path

def work(payload, context=None):
    if os.environ.get("ASL_WORKER"):  # a side channel: which runs used worker processes
        Path(os.environ["ASL_TEST_MARKERS"], f"worker-{os.getpid()}").touch()
    n = payload["n"]
    return {"n": n, "square": n * n, "refused": n % 7 == 3, "function": context.function_name}

def batch(payload, context=None):
    if os.environ.get("ASL_WORKER"):
        Path(os.environ["ASL_TEST_MARKERS"], f"worker-{os.getpid()}").touch()
    numbers = [item["n"] for item in payload["Items"]]
    return {"count": len(numbers), "total": sum(numbers), "refused": 13 in numbers, **payload["BatchInput"]}
"""


def workflow(tolerated: int | None, processor_extra: dict[str, Any] | None = None) -> dict[str, Any]:
    states: dict[str, Any] = {
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
            "Next": "Refused?",
        },
        "Refused?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.refused", "BooleanEquals": True, "Next": "Refuse"}],
            "Default": "Tag",
        },
        "Refuse": {"Type": "Fail", "Error": "Refused", "CausePath": "States.Format('item {} refused', $.n)"},
        "Tag": {
            "Type": "Pass",
            "Parameters": {
                "result.$": "$",
                "entered.$": "$$.State.EnteredTime",
                "run.$": "$$.Execution.Name",
            },
            "End": True,
        },
        **(processor_extra or {}),
    }
    map_state: dict[str, Any] = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemSelector": {"n.$": "$$.Map.Item.Value.n", "index.$": "$$.Map.Item.Index"},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": states,
        },
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "out", "Prefix": "r"},
        },
        "End": True,
    }
    if tolerated is not None:
        map_state["ToleratedFailureCount"] = tolerated
    return {
        "StartAt": "Wait",
        "States": {"Wait": {"Type": "Wait", "Seconds": 5, "Next": "Fan"}, "Fan": map_state},
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Read when a child runs, not from the handler's file: a forked worker has the module this process
    # imported first (in an earlier test's folder), as one process running every child would.
    monkeypatch.setenv("ASL_TEST_MARKERS", str(tmp_path))
    (tmp_path / "handlers.py").write_text(HANDLERS)
    (tmp_path / "asl.toml").write_text(
        's3_root = "s3"\n[handlers]\nwork = "handlers:work"\nbatch = "handlers:batch"\n'
    )
    (tmp_path / "s3" / "out").mkdir(parents=True)
    return tmp_path


def run(project: Path, workers: int, definition: dict[str, Any], items: list[Any]) -> dict[str, Any]:
    """One `asl run`: its exit code, stdout, stderr, history file and ResultWriter files."""
    folder = project / f"run-{workers}"
    shutil_rmtree(project / "s3" / "out")
    (project / "s3" / "out").mkdir(parents=True)
    folder.mkdir(exist_ok=True)
    (project / "workflow.json").write_text(json.dumps(definition))
    history = folder / "history.json"
    args = [
        "run",
        str(project / "workflow.json"),
        "--input",
        json.dumps({"items": items}),
        "--output",
        "json",
    ]
    args += ["--workers", str(workers), "--history", str(history), "--name", "fixed"]
    args += ["--start-time", "2024-01-01T00:00:00Z", "--config", str(project / "asl.toml")]
    result = CliRunner().invoke(cli, args)
    files = {
        str(path.relative_to(project / "s3")): path.read_text()
        for path in sorted((project / "s3" / "out").rglob("*"))
        if path.is_file()
    }
    return {
        "code": result.exit_code,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "history": history.read_text() if history.exists() else None,
        "files": files,
    }


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


ITEMS = [{"n": n} for n in range(40)]
CASES = [
    ("tolerated failures, ResultWriter", workflow(tolerated=10), ITEMS),
    ("a failure past the threshold ends the Map", workflow(tolerated=2), ITEMS),
    ("an ItemSelector that fails", workflow(tolerated=50), [*ITEMS[:20], "not an object", *ITEMS[20:]]),
    ("all succeed", workflow(tolerated=None), [{"n": n} for n in range(40) if n % 7 != 3]),
]


@pytest.mark.parametrize(("definition", "items"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_workers_give_what_one_process_gives(
    project: Path, definition: dict[str, Any], items: list[Any]
) -> None:
    one = run(project, 1, definition, items)
    assert not list(project.glob("worker-*"))
    two = run(project, 2, definition, items)
    assert list(project.glob("worker-*")), "no child ran in a worker process"
    assert one["history"] is not None
    assert two == one
    assert "note:" not in two["stderr"]


def test_children_that_wait_stay_in_this_process_with_a_note(project: Path) -> None:
    extra = {"Tag": {"Type": "Wait", "Seconds": 1, "End": True}}
    definition = workflow(tolerated=50, processor_extra=extra)
    one = run(project, 1, definition, ITEMS[:12])
    two = run(project, 2, definition, ITEMS[:12])
    assert (
        "note: Distributed Map 'Fan' runs its child executions in this process: state 'Tag' is a Wait state"
        in (two["stderr"])
    )
    assert {k: v for k, v in two.items() if k != "stderr"} == {k: v for k, v in one.items() if k != "stderr"}


def batches_of_a_jsonl_file(tolerated: int) -> dict[str, Any]:
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSONL"},
                    "Parameters": {"Bucket": "in", "Key": "items.jsonl"},
                },
                "ItemBatcher": {"MaxItemsPerBatch": 3, "BatchInput": {"source.$": "$.source"}},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Sum",
                    "States": {
                        "Sum": {
                            "Type": "Task",
                            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:batch",
                            "Next": "Refused?",
                        },
                        "Refused?": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$.refused", "BooleanEquals": True, "Next": "Refuse"}],
                            "Default": "Done",
                        },
                        "Refuse": {
                            "Type": "Fail",
                            "Error": "Refused",
                            "CausePath": "States.Format('batch of {} refused', $.count)",
                        },
                        "Done": {"Type": "Succeed"},
                    },
                },
                "ToleratedFailureCount": tolerated,
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "out", "Prefix": "batches"},
                },
                "End": True,
            }
        },
    }


@pytest.mark.parametrize("tolerated", [1, 0], ids=["a failed batch tolerated", "a failed batch ends the Map"])
def test_workers_give_what_one_process_gives_for_batches_of_a_jsonl_file(
    project: Path, tolerated: int
) -> None:
    (project / "s3" / "in").mkdir(parents=True)
    lines = [json.dumps({"n": n}) for n in range(50)]
    (project / "s3" / "in" / "items.jsonl").write_text("\n".join(lines) + "\n")
    definition = batches_of_a_jsonl_file(tolerated)
    one = run(project, 1, definition, [])
    assert not list(project.glob("worker-*"))
    two = run(project, 2, definition, [])
    assert list(project.glob("worker-*")), "no child ran in a worker process"
    assert one["history"] is not None
    if tolerated:  # the run succeeds: both kinds of results are written
        assert sorted(name.rsplit("/", 1)[-1] for name in one["files"]) == [
            "FAILED_0.json",
            "SUCCEEDED_0.json",
            "manifest.json",
        ]
    assert two == one
