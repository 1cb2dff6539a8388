"""`asl serve`: the Step Functions API (AWS JSON 1.0) over the interpreter, durable in SQLite.

`step_functions(backend)` is the service to mount with `create_app`; `lifespan(backend)` starts
and stops what it needs (the store's writer, running executions) around the app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import anyio

from asl.server.app import Lifespan, create_app
from asl.server.backend import Backend, Settings
from asl.server.protocol import JsonService

__all__ = ["Backend", "JsonService", "Settings", "create_app", "lifespan", "step_functions"]


def step_functions(backend: Backend) -> JsonService:
    """The Step Functions service (`X-Amz-Target: AWSStepFunctions.<Action>`) over `backend`."""
    from asl.server import executions, state_machines, tasks, teststate, versions

    actions: dict[str, Any] = {}
    for module in (state_machines, executions, tasks, versions, teststate):
        actions.update({name: partial(function, backend) for name, function in module.ACTIONS.items()})
    return JsonService("AWSStepFunctions", "stepfunctions", actions)


def lifespan(backend: Backend, on_ready: Callable[[], None] | None = None) -> Lifespan:
    """Run the store's writer and the executions for as long as the app serves."""

    @asynccontextmanager
    async def run(app: Any) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tasks:
            await tasks.start(backend.db.serve)
            await backend.open(tasks)
            if on_ready is not None:
                on_ready()
            try:
                yield
            finally:
                backend.runtime.close()
                tasks.cancel_scope.cancel()
        backend.db.close()

    return run
