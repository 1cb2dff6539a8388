"""Activity tasks: queued for GetActivityTask workers, handed out once, answered with SendTask*.

A task is queued when an execution reaches an activity's Task state. GetActivityTask takes the
oldest one and records that a worker holds it before answering, so after a restart the resumed
task waits for that worker's answer instead of being handed out again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio

from asl.errors import StatesRuntime
from asl.resources import Handler, ResourceArn, TaskContext
from asl.server import interpreter
from asl.store import tokens as token_sql
from asl.store.db import Database


@dataclass
class ActivityTask:
    """A task waiting for an activity worker."""

    token: str
    input: str
    execution: Any


class Activities:
    """The activities of one server and their open tasks."""

    def __init__(self, db: Database, owner: Callable[[Any], str]) -> None:
        self.db = db
        #: The execution ARN of a running Execution object.
        self._owner = owner
        #: The activities that exist (CreateActivity, or loaded from the store).
        self.arns: set[str] = set()
        #: Tokens a worker held when the server stopped: their resumed tasks are not queued again.
        self.held: set[str] = set()
        self._queues: dict[str, deque[ActivityTask]] = {}
        self._arrivals: dict[str, anyio.Event] = {}
        #: Set when the server stops: polls still waiting answer "no task" (as one that times out).
        self._stopping = False

    def fallback(self, arn: ResourceArn) -> Handler | None:
        """Serve activity ARNs to GetActivityTask workers (unless a handler in asl.toml serves them)."""
        if not arn.is_activity:
            return None
        activity_arn = arn.base

        async def handler(payload: Any, ctx: TaskContext) -> Any:
            if activity_arn not in self.arns:
                raise StatesRuntime(
                    f"The activity {activity_arn} does not exist on this server: create it with CreateActivity"
                )
            # The interpreter's token: the same when the execution resumes after a restart.
            token = ctx.task_token or ""
            waiter = interpreter.TokenWaiter(ctx)
            ctx.execution.waiters[token] = waiter
            self.db.submit(
                token_sql.add_token, token, self._owner(ctx.execution), activity_arn, interpreter.now()
            )
            if token in self.held:
                self.held.discard(token)  # its worker still has it, and answers with its token
            else:
                self._queues.setdefault(activity_arn, deque()).append(
                    ActivityTask(token, interpreter.dumps(payload), ctx.execution)
                )
                self._arrivals.pop(activity_arn, anyio.Event()).set()
            try:
                return await waiter.wait(outside=True)
            finally:
                waiter.done = True
                ctx.execution.waiters.pop(token, None)

        return handler

    async def poll(self, activity_arn: str, seconds: float) -> ActivityTask | None:
        """The next open task of an activity, waiting up to `seconds` for one; durable as handed out."""
        task = None
        with anyio.move_on_after(seconds):
            while task is None and not self._stopping:
                queue = self._queues.get(activity_arn)
                while queue and task is None:
                    candidate = queue.popleft()
                    waiter = candidate.execution.waiters.get(candidate.token)
                    if waiter is not None and not waiter.done:
                        task = candidate
                if task is None and not self._stopping:
                    await self._arrivals.setdefault(activity_arn, anyio.Event()).wait()
        if task is not None:
            with anyio.CancelScope(shield=True):  # taken from the queue: record it whatever happens
                await self.db.run(token_sql.hand_out, task.token, interpreter.now())
        return task

    def stop_polls(self) -> None:
        """Answer every waiting GetActivityTask with no task (the server is stopping); later ones too."""
        self._stopping = True
        for arrival in self._arrivals.values():
            arrival.set()
