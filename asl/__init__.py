"""asl-runner's interpreter: load Amazon States Language definitions and run them locally.

The public names are imported on first use, so tools that need only part of the package (the
validator, the CLI's start-up) do not pay for the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from asl.dataclass_cache import install as _install_dataclass_cache

# Before any of the package's dataclasses is created: their generated methods come from the bytecode cache.
_install_dataclass_cache()

if TYPE_CHECKING:
    from asl.clock import RealClock, VirtualClock
    from asl.errors import (
        AslError,
        DefinitionError,
        InputError,
        Problem,
        ResourceNotFound,
        StatesError,
        TaskFailed,
    )
    from asl.machine import ExecutionResult, StateMachine
    from asl.resources import ResourceArn, TaskContext, TaskRegistry, parse_arn
    from asl.teststate import TestStateError, test_state

_WHERE = {
    "AslError": "asl.errors",
    "DefinitionError": "asl.errors",
    "ExecutionResult": "asl.machine",
    "InputError": "asl.errors",
    "Problem": "asl.errors",
    "RealClock": "asl.clock",
    "ResourceArn": "asl.resources",
    "ResourceNotFound": "asl.errors",
    "StateMachine": "asl.machine",
    "StatesError": "asl.errors",
    "TaskContext": "asl.resources",
    "TaskFailed": "asl.errors",
    "TaskRegistry": "asl.resources",
    "TestStateError": "asl.teststate",
    "VirtualClock": "asl.clock",
    "parse_arn": "asl.resources",
    "test_state": "asl.teststate",
}

__all__ = [
    "AslError",
    "DefinitionError",
    "ExecutionResult",
    "InputError",
    "Problem",
    "RealClock",
    "ResourceArn",
    "ResourceNotFound",
    "StateMachine",
    "StatesError",
    "TaskContext",
    "TaskFailed",
    "TaskRegistry",
    "TestStateError",
    "VirtualClock",
    "parse_arn",
    "test_state",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'asl' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
