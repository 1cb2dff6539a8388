"""Definitions shaped to stress the console's diagram."""

from __future__ import annotations

from typing import Any


def dense(states: int) -> dict[str, Any]:
    """Every Task state catches into every other one (QA's 949 KB definition has 150 of them)."""
    return {
        "StartAt": "T0",
        "States": {
            f"T{i}": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"},
                "Catch": [{"ErrorEquals": [f"E{j}"], "Next": f"T{j}"} for j in range(states) if j != i],
                **({"Next": f"T{i + 1}"} if i + 1 < states else {"End": True}),
            }
            for i in range(states)
        },
    }
