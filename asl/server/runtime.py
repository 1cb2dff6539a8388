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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskGroup

from asl.errors import InputError
from asl.server import interpreter
from asl.server.activities import Activities
from asl.server.errors import ServiceError
from asl.store import executions as sql
from asl.store import tokens as token_sql

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


#: How long a callback for a task that waited when the server stopped waits for the resumed
#: execution to reach that task again (it replays its history first).
CATCH_UP_SECONDS = 10.0


class Runtime:
    """The executions of one server."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.db = backend.db
        self.live: dict[str, Live] = {}
        self._owners: dict[int, Live] = {}
        self._tasks: TaskGroup | None = None
        self._closing = False
        #: True once the server starts to stop: requests waiting for an execution answer at once.
        self._stopping = False
        #: Set to wake a StartSyncExecution waiting for its execution (see `stop_waiting`).
        self._sync_waits: set[anyio.Event] = set()
        self.activities = Activities(self.db, lambda execution: self._owners[id(execution)].arn)
        #: Open tokens of resumed executions (token -> execution ARN), until their task waits again.
        self._reopened: dict[str, str] = {}

    # -- lifecycle --------------------------------------------------------------------------------

    async def open(self, tasks: TaskGroup) -> None:
        """Start serving: remember the task group, load activities, resume RUNNING executions.

        Executions whose start was never acknowledged (no ExecutionStarted stored) are forgotten.
        """
        self._tasks = tasks
        self.activities.arns.update(await self.db.query(_activity_arns))
        forgotten = await self.db.run(sql.forget_unstarted)
        if forgotten:
            log.warning("forgot %d executions whose start a crash cut short", len(forgotten))
        for row in await self.db.query(sql.running):
            await self._resume(row)

    def stop_waiting(self) -> None:
        """The server is stopping: answer the requests that wait (GetActivityTask, StartSyncExecution).

        Otherwise they hold the graceful shutdown for its whole timeout and are then cancelled. A poll
        gets no task (as one that timed out); a StartSyncExecution gets ServiceUnavailable, which the
        SDKs retry (its Express execution is not resumed: the next start closes it as FAILED).
        """
        self._stopping = True
        for woken in self._sync_waits:
            woken.set()
        self.activities.stop_polls()

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
            self.db.submit(token_sql.add_token, token, arn, None, interpreter.now())

        return on_wait

    # -- starting ---------------------------------------------------------------------------------

    async def start(
        self,
        target: Target,
        name: str,
        input_text: str,
        value: Any,
        trace_header: str | None = None,
        parent_token: str | None = None,
    ) -> dict[str, Any]:
        """Start an execution (idempotent on name and input while it runs); return its row once durable.

        `parent_token`: the `states:startExecution` task starting it (see `sql.child_of`).
        """
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
        existing = await self.db.query(sql.claim_execution, row, parent_token)
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
        except InputError as exc:  # an input the interpreter refuses: AWS's answer, not a 500
            await self.db.run(sql.delete_execution, arn)
            raise ServiceError(
                "InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'"
            ) from None
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
        for token in [token for token, arn in self._reopened.items() if arn == live.arn]:
            del self._reopened[token]
        live.done.set()

    async def closed(self, arn: str) -> dict[str, Any]:
        """An execution's row once it has closed (after a restart it may still be resuming)."""
        while True:
            live = self.live.get(arn)
            if live is not None and not self._stopping:
                woken = anyio.Event()
                self._sync_waits.add(woken)
                try:
                    await _first(live.done, woken)
                finally:
                    self._sync_waits.discard(woken)
            row: dict[str, Any] | None = await self.db.query(sql.get_execution, arn)
            if row is None:
                raise ServiceError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
            if row["status"] != "RUNNING":
                return row
            if self._stopping:
                raise ServiceError(
                    "ServiceUnavailable",
                    f"asl serve is stopping before the execution {arn} finished (Express executions are "
                    "not resumed after a restart): start it again",
                    503,
                )
            await anyio.sleep(0.05)

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
        """Deliver SendTaskSuccess/Failure/Heartbeat for `token`, committed first.

        Only the first outcome sent for a token is stored and delivered: a later one is refused as
        AWS refuses it (TaskTimedOut), also when several arrive at once.
        """
        live = self._holder(token) or await self._resumed_holder(token)
        if live is None:
            known = await self.db.query(token_sql.get_token, token)
            if known is None:
                raise ServiceError("InvalidToken", "Invalid Token: 'Invalid token'")
            raise _timed_out()
        now = interpreter.now()
        if outcome == "heartbeat":
            await self.db.run(token_sql.beat, token, live.arn, now)
        elif not await self.db.run(
            token_sql.complete_token, token, live.arn, outcome, output, error, cause, now
        ):
            raise _timed_out()
        if not _deliver(live, token, outcome, output, error, cause):
            raise _timed_out()

    def _holder(self, token: str) -> Live | None:
        for live in self.live.values():
            waiter = live.execution.waiters.get(token)
            if waiter is not None and not waiter.done:
                return live
        return None

    async def _resumed_holder(self, token: str) -> Live | None:
        """The execution a task that waited before a restart belongs to, once it waits again."""
        if token not in self._reopened:
            return None
        with anyio.move_on_after(CATCH_UP_SECONDS):
            while token in self._reopened:
                live = self._holder(token)
                if live is not None:
                    self._reopened.pop(token, None)
                    return live
                await anyio.sleep(0.02)
        return None

    # -- resuming ---------------------------------------------------------------------------------

    async def redrive(self, row: dict[str, Any]) -> float | None:
        """RedriveExecution: run again what did not succeed (see `interpreter.redrive`); the redrive date.

        None when another redrive changed the execution first: the redrive is claimed in one store
        call, with its ExecutionRedriven event, so exactly one of concurrent calls runs it.
        """
        arn = row["arn"]
        events = await self.db.query(sql.all_events, arn)
        machine = self.backend.machine(_target(row), row["name"], self._on_wait(arn))
        first: list[dict[str, Any]] = []
        record = self._record(arn)
        claimed = False

        def on_record(event: dict[str, Any]) -> None:
            if claimed:
                record(event)
            else:
                first.append(event)  # held until the claim stores it with the row

        try:
            execution = interpreter.redrive(
                machine,
                events,
                clock=self.backend.clock,
                execution_name=row["name"],
                seed=row["seed"],
                on_record=on_record,
            )
        except ValueError as exc:  # a stored history this version cannot continue
            raise ServiceError("ExecutionNotRedrivable", f"Execution cannot be redriven: {exc}") from None
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
        if not await self.db.run(sql.claim_redrive, arn, row["redrive_count"], changes, first):
            return None
        claimed = True
        self._launch(Live(arn, execution, machine, False))
        return redriven

    async def _resume(self, row: dict[str, Any]) -> None:
        """Continue an execution that was RUNNING when the server stopped (see `interpreter.resume`).

        Its tokens come back as they were acknowledged: outcomes are delivered again, heartbeats
        count, and activity tasks a worker holds are not handed out again.
        """
        arn = row["arn"]
        events = await self.db.query(sql.all_events, arn)
        tokens = await self.db.query(token_sql.tokens_of, arn)
        open_tokens = [token for token in tokens if token["outcome"] is None]
        execution = None
        machine = None
        if row["type"] == "STANDARD":
            machine = self.backend.machine(_target(row), row["name"], self._on_wait(arn))
            execution = interpreter.resume(
                machine,
                events,
                clock=self.backend.clock,
                execution_name=row["name"],
                seed=row["seed"],
                on_record=self._record(arn),
                heartbeats={t["token"]: t["heartbeat"] for t in open_tokens if t["heartbeat"] is not None},
            )
        if execution is None:
            await self._strand(arn, events, row["type"])
            return
        self.activities.held.update(t["token"] for t in open_tokens if t["handed_out"] is not None)
        self._reopened.update((t["token"], arn) for t in open_tokens)
        self._launch(Live(arn, execution, machine, False))
        assert self._tasks is not None
        for sent in tokens:
            if sent["outcome"] is not None:
                self._tasks.start_soon(self._redeliver, sent)

    async def _strand(self, arn: str, events: list[dict[str, Any]], kind: str) -> None:
        """Close an execution this server cannot continue, saying why (never leave it RUNNING forever)."""
        cause = (
            "asl serve stopped while this execution ran, and this version cannot resume it"
            if kind == "STANDARD"
            else "asl serve stopped while this Express execution ran; Express executions are not resumed"
        )
        last = events[-1]["id"]
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
        token = sent["token"]
        with anyio.move_on_after(60):
            while (live := self._holder(token)) is None:
                if sent["execution_arn"] not in self.live:
                    return
                await anyio.sleep(0.05)
            self._reopened.pop(token, None)
            _deliver(live, token, sent["outcome"], sent["output"], sent["error"], sent["cause"])


def _deliver(
    live: Live, token: str, outcome: str, output: str | None, error: str | None, cause: str | None
) -> bool:
    """Hand an outcome (or a heartbeat) to the task waiting for `token`; False when none waits any more."""
    execution = live.execution
    try:
        if outcome == "success":
            execution.send_task_success(token, json.loads(output or "null"))
        elif outcome == "failure":
            execution.send_task_failure(token, error or "", cause or "")
        else:
            execution.send_task_heartbeat(token)
    except interpreter.TaskTokenError:
        return False
    return True


async def _first(*events: anyio.Event) -> None:
    """Wait until any of `events` is set."""
    async with anyio.create_task_group() as group:

        async def watch(event: anyio.Event) -> None:
            await event.wait()
            group.cancel_scope.cancel()

        for event in events:
            group.start_soon(watch, event)


def _timed_out() -> ServiceError:
    return ServiceError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")


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
