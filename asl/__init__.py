"""asl-runner's interpreter: load Amazon States Language definitions and run them locally."""

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
    "VirtualClock",
    "parse_arn",
]
