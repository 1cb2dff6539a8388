"""Validator benchmark (not a test): definitions validated per second, and `asl validate FILE` wall time.

    python bench/bench_validate.py [--rounds N] [--cli-repeat N]

The mix is every definition of ../shared/conformance/public.jsonl (when present), the repository's
samples/*/workflow.json, and a few built-in definitions of the size people write (a dozen states with
Retry/Catch, Choice, Parallel and Map; a JSONata workflow; a distributed Map). `validate()` runs
in-process on one core, after one warm-up pass (the schema validator is compiled once and cached).

Then whole `asl validate` processes on one file (best and median of N) next to `asl --version`, the
CLI's start-up time, and `python -c pass`: once with bytecode cached (as an installed tool runs; the cache
goes to a temporary folder) and once in the current environment as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = ROOT.parent / "shared" / "conformance" / "public.jsonl"
sys.path.insert(0, str(ROOT))

from asl.validate import validate  # noqa: E402

LAMBDA = "arn:aws:states:::lambda:invoke"
RETRY = [
    {
        "ErrorEquals": ["Lambda.TooManyRequestsException", "States.Timeout"],
        "IntervalSeconds": 2,
        "MaxAttempts": 3,
        "BackoffRate": 2,
    }
]


def order_workflow() -> dict[str, Any]:
    """A JSONPath order pipeline: validation, payment with retries and catches, fan-out, per-item Map."""
    task = {"Type": "Task", "Resource": LAMBDA, "Retry": RETRY, "ResultSelector": {"body.$": "$.Payload"}}
    return {
        "Comment": "Order processing",
        "StartAt": "Validate",
        "TimeoutSeconds": 900,
        "States": {
            "Validate": {
                **task,
                "Parameters": {"FunctionName": "validate", "Payload.$": "$"},
                "ResultPath": "$.validation",
                "Next": "Valid?",
            },
            "Valid?": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.validation.body.ok", "BooleanEquals": True, "Next": "Charge"},
                    {
                        "And": [
                            {"Variable": "$.retries", "IsPresent": True},
                            {"Variable": "$.retries", "NumericLessThan": 3},
                        ],
                        "Next": "Wait and retry",
                    },
                ],
                "Default": "Rejected",
            },
            "Wait and retry": {"Type": "Wait", "Seconds": 30, "Next": "Validate"},
            "Charge": {
                **task,
                "Parameters": {
                    "FunctionName": "charge",
                    "Payload": {
                        "order.$": "$.order",
                        "amount.$": "States.MathAdd($.order.total, $.order.shipping)",
                    },
                },
                "ResultPath": "$.payment",
                "Catch": [
                    {"ErrorEquals": ["PaymentDeclined"], "ResultPath": "$.error", "Next": "Rejected"},
                    {"ErrorEquals": ["States.ALL"], "Next": "Failed"},
                ],
                "Next": "Fulfil",
            },
            "Fulfil": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Email",
                        "States": {
                            "Email": {
                                **task,
                                "Parameters": {"FunctionName": "email", "Payload.$": "$"},
                                "End": True,
                            }
                        },
                    },
                    {
                        "StartAt": "Ship items",
                        "States": {
                            "Ship items": {
                                "Type": "Map",
                                "ItemsPath": "$.order.items",
                                "MaxConcurrency": 5,
                                "ItemSelector": {"item.$": "$$.Map.Item.Value", "order.$": "$.order.id"},
                                "ItemProcessor": {
                                    "StartAt": "Ship",
                                    "States": {
                                        "Ship": {
                                            **task,
                                            "Parameters": {"FunctionName": "ship", "Payload.$": "$"},
                                            "End": True,
                                        }
                                    },
                                },
                                "End": True,
                            }
                        },
                    },
                ],
                "ResultPath": "$.fulfilment",
                "Next": "Record",
            },
            "Record": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {
                    "TableName": "orders",
                    "Item": {"id": {"S.$": "$.order.id"}, "status": {"S": "DONE"}},
                },
                "ResultPath": None,
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
            "Rejected": {"Type": "Fail", "Error": "OrderRejected", "Cause": "validation or payment failed"},
            "Failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
        },
    }


def jsonata_workflow() -> dict[str, Any]:
    """A JSONata sign-up flow with variables, an SDK call and a loop with an exit."""
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Prepare",
        "States": {
            "Prepare": {
                "Type": "Pass",
                "Assign": {"user": "{% $states.input.user %}", "attempt": 0},
                "Next": "Create",
            },
            "Create": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminCreateUser",
                "Arguments": {
                    "UserPoolId": "{% $states.input.pool %}",
                    "Username": "{% $user.email %}",
                    "DesiredDeliveryMediums": ["EMAIL"],
                },
                "Assign": {"attempt": "{% $attempt + 1 %}", "sub": "{% $states.result.User.Username %}"},
                "Catch": [
                    {
                        "ErrorEquals": ["CognitoIdentityProvider.UsernameExistsException"],
                        "Output": "{% $states.errorOutput %}",
                        "Next": "Exists",
                    }
                ],
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $attempt < 3 and $not($exists($sub)) %}", "Next": "Pause"}],
                "Default": "Welcome",
            },
            "Pause": {"Type": "Wait", "Seconds": "{% $attempt * 2 %}", "Next": "Create"},
            "Welcome": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Arguments": {
                    "FunctionName": "welcome",
                    "Payload": {"user": "{% $user %}", "sub": "{% $sub %}"},
                },
                "Output": "{% $states.result.Payload %}",
                "End": True,
            },
            "Exists": {"Type": "Fail", "Error": "UserExists", "Cause": "{% $string($states.input) %}"},
        },
    }


def distributed_map() -> dict[str, Any]:
    """A distributed Map over an S3 CSV file with batching and a result writer."""
    return {
        "StartAt": "Process",
        "States": {
            "Process": {
                "Type": "Map",
                "Label": "Process",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                    "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"},
                },
                "ItemBatcher": {"MaxItemsPerBatch": 100},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "Batch",
                    "States": {
                        "Batch": {
                            "Type": "Task",
                            "Resource": LAMBDA,
                            "Parameters": {"FunctionName": "batch", "Payload.$": "$"},
                            "Retry": RETRY,
                            "End": True,
                        }
                    },
                },
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "results", "Prefix": "runs"},
                },
                "ToleratedFailurePercentage": 5,
                "MaxConcurrency": 100,
                "End": True,
            }
        },
    }


def mix() -> tuple[list[Any], list[Any]]:
    """(all definitions of the mix, the built-in and sample ones alone)."""
    typical: list[Any] = [order_workflow(), jsonata_workflow(), distributed_map()]
    for path in sorted((ROOT / "samples").glob("*/workflow.json")):
        typical.append(json.loads(path.read_text(encoding="utf-8")))
    conformance = []
    if CONFORMANCE.is_file():
        conformance = [
            json.loads(line)["definition"]
            for line in CONFORMANCE.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    return conformance + typical, typical


def rate(definitions: list[Any], rounds: int) -> tuple[float, int]:
    """Best definitions-per-second over `rounds` passes, and how many errors the last pass found."""
    best = float("inf")
    errors = 0
    for _ in range(rounds):
        start = time.perf_counter()
        errors = sum(d.is_error for definition in definitions for d in validate(definition))
        best = min(best, time.perf_counter() - start)
    return len(definitions) / best, errors


def wall(command: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Best and median wall time of `command`, in milliseconds (after one untimed run)."""
    subprocess.run(command, check=False, capture_output=True, env=env)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cli-repeat", type=int, default=7)
    args = parser.parse_args()

    everything, typical = mix()
    start = time.perf_counter()
    for definition in everything:
        validate(definition)  # warm-up: compiles the schema validator, imports JSONata, loads SDK models
    warm_up = time.perf_counter() - start
    print(
        f"warm-up pass over {len(everything)} definitions: {warm_up:.2f} s (includes one-time imports and compilation)"
    )
    for label, definitions in (("whole mix", everything), ("typical (built-in + samples)", typical)):
        per_second, errors = rate(definitions, args.rounds)
        print(
            f"{label:32} {len(definitions):4} definitions  {per_second:8.0f} definitions/s  ({errors} errors)"
        )

    asl = shutil.which("asl", path=str(Path(sys.executable).parent))
    cli = [asl] if asl else [sys.executable, "-c", "from cli.main import main; main()"]
    with tempfile.TemporaryDirectory() as tmp:
        one_file = Path(tmp) / "order.asl.json"
        one_file.write_text(json.dumps(order_workflow(), indent=2), encoding="utf-8")
        # As installed tools run: bytecode cached (here in a temporary folder, not in the source tree).
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("asl --version (CLI start-up)", [*cli, "--version"]),
            ("asl validate ONE_FILE", [*cli, "validate", str(one_file)]),
        ]
        print(f"{'':32} {'bytecode cached':>28}   {'this environment':>28}")
        for label, command in rows:
            warm = wall(command, args.cli_repeat, cached)
            here = wall(command, args.cli_repeat)
            print(
                f"{label:32} best {warm[0]:5.0f} ms median {warm[1]:5.0f} ms"
                f"   best {here[0]:5.0f} ms median {here[1]:5.0f} ms"
            )
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            print(
                "(this environment sets PYTHONDONTWRITEBYTECODE: every run recompiles the project's modules)"
            )


if __name__ == "__main__":
    main()
