"""Running executions: start, drive to the end, stop, route task tokens, serve activity tasks, resume.

Every execution runs as a task in the server's task group. Its history events go to the store as
the interpreter records them; its start, its end and every callback are committed before the API
call that caused them is answered.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskGroup

from asl.errors import StatesRuntime
from asl.resources import Handler, ResourceArn, TaskContext
from asl.server import interpreter
from asl.server.errors import ServiceError
from asl.store import executions as sql

if TYPE_CHECKING:
    from asl.server.backend import Backend, Target

log = logging.getLogger("asl.server")


@dataclass
class Live:
    """An execution running in this process."""

    arn: str
    execution: Any
    machine: Any
    express: bool
    done: anyio.Event = field(default_factory=anyio.Event)
    result: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActivityTask:
    """A task waiting for an activity worker."""

    token: str
    input: str
    execution: Any


class Runtime:
    """The executions of one server."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.db = backend.db
        self.live: dict[str, Live] = {}
        self._owners: dict[int, Live] = {}
        self._tasks: TaskGroup | None = None
        self._closing = False
        self.activities: set[str] = set()
        self._queues: dict[str, deque[ActivityTask]] = {}
        self._arrivals: dict[str, anyio.Event] = {}

    # -- lifecycle --------------------------------------------------------------------------------

    async def open(self, tasks: TaskGroup) -> None:
        """Start serving: remember the task group, load activities, resume RUNNING executions."""
        self._tasks = tasks
        self.activities.update(await self.db.query(_activity_arns))
        for row in await self.db.query(sql.running):
            await self._resume(row)

    def close(self) -> None:
        """Stop recording: executions cancelled by the shutdown stay RUNNING, to resume next time."""
        self._closing = True

    def _record(self, arn: str) -> interpreter.OnRecord:
        def on_record(event: dict[str, Any]) -> None:
            if not self._closing:
                self.db.submit(sql.add_event, arn, event)

        return on_record

    def _on_wait(self, arn: str) -> Any:
        async def on_wait(execution: Any, state: str, payload: Any, token: str) -> None:
            self.db.submit(sql.add_token, token, arn, None, interpreter.now())

        return on_wait

    # -- starting ---------------------------------------------------------------------------------

    async def start(
        self, target: Target, name: str, input_text: str, value: Any, trace_header: str | None = None
    ) -> dict[str, Any]:
        """Start an execution (idempotent on name and input while it runs); return its row once durable."""
        where = self.backend.where
        express = target.type == "EXPRESS"
        arn = where.execution(target.name, name, str(uuid.uuid4()) if express else None)
        seed = random.getrandbits(63)
        row = {
            "arn": arn,
            "machine_arn": target.machine_arn,
            "version_arn": target.version_arn,
            "alias_arn": target.alias_arn,
            "name": name,
            "type": target.type,
            "test_case": target.test_case,
            "definition": target.definition,
            "revision_id": target.revision_id,
            "role_arn": target.role_arn,
            "status": "RUNNING",
            "input": input_text,
            "trace_header": trace_header,
            "start_date": interpreter.now(),
            "seed": seed,
        }
        machine = self.backend.machine(target, name, self._on_wait(arn))
        existing = await self.db.query(sql.claim_execution, row)
        if existing is not None:
            if existing["status"] == "RUNNING" and existing["input"] == input_text:
                await self.db.run(_barrier)  # the same start may still be on its way to the disk
                return existing
            raise ServiceError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
        try:
            execution = interpreter.start(
                machine,
                value,
                clock=self.backend.clock,
                execution_name=name,
                seed=seed,
                on_record=self._record(arn),
            )
        except Exception:
            await self.db.run(sql.delete_execution, arn)
            raise
        row["start_date"] = execution.start_time
        self.db.submit(sql.update_execution, arn, {"start_date": execution.start_time})
        self._launch(Live(arn, execution, machine, express))
        await self.db.run(_barrier)
        return row

    def _launch(self, live: Live) -> None:
        assert self._tasks is not None
        self.live[live.arn] = live
        self._owners[id(live.execution)] = live
        self._tasks.start_soon(self._drive, live)

    async def _drive(self, live: Live) -> None:
        try:
            result: Any = await interpreter.finish(live.machine, live.execution)
        except Exception as exc:  # an interpreter bug must not strand the execution
            log.exception("execution %s crashed", live.arn)
            result = exc
        if self._closing:
            return
        if isinstance(result, Exception):
            cause = f"asl serve failed while running this execution: {type(result).__name__}: {result}"
            changes: dict[str, Any] = {"status": "FAILED", "error": "States.Runtime", "cause": cause}
            live.execution.history.close("ExecutionFailed", {"error": "States.Runtime", "cause": cause})
            changes["stop_date"] = interpreter.now()
        else:
            changes = {"status": result.status, "error": result.error, "cause": result.cause}
            if result.status == "ABORTED":
                changes["error"], changes["cause"] = live.execution.stop_request
            if result.status == "SUCCEEDED":
                changes["output"] = interpreter.dumps(result.output)
            changes["stop_date"] = result.stop_time
        await self.db.run(sql.update_execution, live.arn, changes)
        live.result = changes
        self.live.pop(live.arn, None)
        self._owners.pop(id(live.execution), None)
        live.done.set()

    # -- stopping ---------------------------------------------------------------------------------

    async def stop(self, arn: str, error: str | None, cause: str | None) -> float | None:
        """Abort a running execution (recorded and committed before returning); return its stop date."""
        live = self.live.get(arn)
        if live is None:
            return None
        live.execution.stop(error, cause)
        await live.done.wait()
        stop_date: float = live.result["stop_date"]
        return stop_date

    # -- task tokens ------------------------------------------------------------------------------

    async def send(
        self, token: str, outcome: str, output: str | None, error: str | None, cause: str | None
    ) -> None:
        """Deliver SendTaskSuccess/Failure/Heartbeat for `token`, committed first."""
        live = self._holder(token)
        if live is None:
            known = await self.db.query(sql.get_token, token)
            if known is None:
                raise ServiceError("InvalidToken", "Invalid Token: 'Invalid token'")
            raise ServiceError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
        if outcome != "heartbeat":
            await self.db.run(
                sql.complete_token, token, live.arn, outcome, output, error, cause, interpreter.now()
            )
        execution = live.execution
        try:
            if outcome == "success":
                execution.send_task_success(token, json.loads(output or "null"))
            elif outcome == "failure":
                execution.send_task_failure(token, error or "", cause or "")
            else:
                execution.send_task_heartbeat(token)
        except interpreter.TaskTokenError:
            raise ServiceError(
                "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'"
            ) from None

    def _holder(self, token: str) -> Live | None:
        for live in self.live.values():
            waiter = live.execution.waiters.get(token)
            if waiter is not None and not waiter.done:
                return live
        return None

    # -- activities -------------------------------------------------------------------------------

    def activity_fallback(self, arn: ResourceArn) -> Handler | None:
        """Serve activity ARNs to GetActivityTask workers (unless a handler in asl.toml serves them)."""
        if not arn.is_activity:
            return None
        activity_arn = arn.base

        async def handler(payload: Any, ctx: TaskContext) -> Any:
            if activity_arn not in self.activities:
                raise StatesRuntime(
                    f"The activity {activity_arn} does not exist on this server: create it with CreateActivity"
                )
            live = self._owners[id(ctx.execution)]
            # The interpreter's token: the same when the execution resumes after a restart.
            token = ctx.task_token or ""
            waiter = interpreter.TokenWaiter(ctx)
            ctx.execution.waiters[token] = waiter
            self.db.submit(sql.add_token, token, live.arn, activity_arn, interpreter.now())
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
        """The next open task of an activity, waiting up to `seconds` for one."""
        with anyio.move_on_after(seconds):
            while True:
                queue = self._queues.get(activity_arn)
                while queue:
                    task = queue.popleft()
                    waiter = task.execution.waiters.get(task.token)
                    if waiter is not None and not waiter.done:
                        return task
                arrival = self._arrivals.setdefault(activity_arn, anyio.Event())
                await arrival.wait()
        return None

    # -- resuming ---------------------------------------------------------------------------------

    async def redrive(self, row: dict[str, Any]) -> float:
        """RedriveExecution: run again what did not succeed (see `interpreter.redrive`); the redrive date."""
        arn = row["arn"]
        target = _target(row)
        events = await self.db.query(sql.all_events, arn)
        machine = self.backend.machine(target, row["name"], self._on_wait(arn))
        execution = interpreter.redrive(
            machine,
            events,
            clock=self.backend.clock,
            execution_name=row["name"],
            seed=row["seed"],
            on_record=self._record(arn),
        )
        redriven = interpreter.now()
        changes = {
            "status": "RUNNING",
            "redrive_count": row["redrive_count"] + 1,
            "redrive_date": redriven,
            "stop_date": None,
            "error": None,
            "cause": None,
            "output": None,
        }
        await self.db.run(sql.update_execution, arn, changes)
        self._launch(Live(arn, execution, machine, False))
        await self.db.run(_barrier)  # ExecutionRedriven is on disk before the answer
        return redriven

    async def _resume(self, row: dict[str, Any]) -> None:
        """Continue an execution that was RUNNING when the server stopped (see `interpreter.resume`)."""
        arn = row["arn"]
        target = _target(row)
        events = await self.db.query(sql.all_events, arn)
        execution = None
        machine = None
        if row["type"] == "STANDARD":
            machine = self.backend.machine(target, row["name"], self._on_wait(arn))
            execution = interpreter.resume(
                machine,
                events,
                clock=self.backend.clock,
                execution_name=row["name"],
                seed=row["seed"],
                on_record=self._record(arn),
            )
        if execution is None:
            await self._strand(arn, events)
            return
        self._launch(Live(arn, execution, machine, False))
        for sent in await self.db.query(sql.sent_outcomes, arn):
            assert self._tasks is not None
            self._tasks.start_soon(self._redeliver, sent)

    async def _strand(self, arn: str, events: list[dict[str, Any]]) -> None:
        """Close an execution this server cannot continue, saying why (never leave it RUNNING forever)."""
        cause = (
            "asl serve stopped while this execution ran, and this version cannot resume it"
            if events
            else "asl serve stopped before this execution started"
        )
        last = events[-1]["id"] if events else 0
        event = {
            "id": last + 1,
            "previousEventId": last,
            "timestamp": interpreter.now(),
            "type": "ExecutionFailed",
            "executionFailedEventDetails": {"error": "States.Runtime", "cause": cause},
        }
        changes = {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": cause,
            "stop_date": interpreter.now(),
        }
        await self.db.run(_close_stranded, arn, event, changes)

    async def _redeliver(self, sent: dict[str, Any]) -> None:
        """Hand a callback committed before a restart to the resumed task once it waits again."""
        with anyio.move_on_after(60):
            while self._holder(sent["token"]) is None:
                if sent["execution_arn"] not in self.live:
                    return
                await anyio.sleep(0.05)
            await self.send(sent["token"], sent["outcome"], sent["output"], sent["error"], sent["cause"])


def _target(row: dict[str, Any]) -> Any:
    """What an execution runs, from its stored row."""
    from asl.server.backend import Target

    return Target(
        row["machine_arn"],
        row["arn"].split(":")[6],
        row["type"],
        row["definition"],
        row["revision_id"],
        row["role_arn"],
        row["version_arn"],
        row["alias_arn"],
        row["test_case"],
    )


def _barrier(connection: Any) -> None:
    """Nothing: awaiting it waits for everything queued before it to be committed."""


def _activity_arns(connection: Any) -> list[str]:
    from asl.store.executions import list_activities

    return [row["arn"] for row in list_activities(connection, 0, 1_000_000)]


def _close_stranded(connection: Any, arn: str, event: dict[str, Any], changes: dict[str, Any]) -> None:
    sql.add_event(connection, arn, event)
    sql.update_execution(connection, arn, changes)
