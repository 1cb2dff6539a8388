"""Map: run the item processor for every item, with bounded concurrency, keeping item order.

A fixed pool of workers pulls item indexes, so memory grows only with the result array, not
with the number of items. MaxConcurrency 0 means "no limit", which AWS's inline Map runs as up
to 40 iterations at once; we do the same. Distributed Maps run the same way, but their child
executions' events stay out of the parent history (MapRun* events instead), as on AWS.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import anyio

from asl import io
from asl.choice import is_number
from asl.clock import Group
from asl.errors import ExceedToleratedFailureThreshold, QueryEvaluationError, StatesError, StatesRuntime
from asl.history import EventType, History, Lane, dumps
from asl.io import dynamic_value
from asl.jsonvalue import json_type
from asl.model import Dynamic, MapState, QueryLanguage
from asl.paths import PathNotFound, Scope
from asl.runtime import Frame, Outcome, Runtime
from asl.states import map_io, map_stream
from asl.states.common import finish, run_now

if TYPE_CHECKING:
    from concurrent.futures import Future

    from asl.workers import Outcome as ChildOutcome
    from asl.workers import Workers

#: AWS runs at most this many inline Map iterations at once.
INLINE_CONCURRENCY = 40


def _items(state: MapState, raw: Any, scope: Scope) -> tuple[Any, list[Any]]:
    """(the value ItemSelector sees as `$`, the items)."""
    if state.query_language is QueryLanguage.JSONATA:
        value = state.items(scope) if state.items is not None else raw
        if not isinstance(value, list):
            if state.items is None:
                raise QueryEvaluationError(f"Map state input must be an array but was: {dumps(value)}")
            raise QueryEvaluationError(
                f"The JSONata expression '{state.items_text}' specified for the field 'Items' returned an "
                f"unexpected result type. Expected 'array', but was '{json_type(value)}' for value: {dumps(value)}",
                location="Items",
            )
        return raw, value
    effective = io.effective_input(state, raw, scope)
    if state.items_path is None:
        items = effective
    else:
        try:
            items = state.items_path.get(Scope(effective, scope.context, scope.variables))
        except PathNotFound:
            raise StatesRuntime(
                f"Invalid path '{state.items_path.text}' : No results for path: ItemsPath"
            ) from None
    if isinstance(items, dict):
        return effective, object_items(items)
    if not isinstance(items, list):
        raise StatesRuntime(
            f"Map state input must be an array or an object, but ItemsPath "
            f"'{state.items_path.text if state.items_path else '$'}' selected a value of type {json_type(items)}"
        )
    return effective, items


class KeyValue(dict[str, Any]):
    """One item of a Map over a JSON object: `{"Key": key, "Value": value}`."""


def object_items(value: dict[str, Any]) -> list[Any]:
    """The items of a Map over a JSON object: one `{"Key", "Value"}` pair per member, in order.

    AWS's ItemsPath page: "If the input to the Map state is a JSON object, it runs an iteration for
    each key-value pair in the object, passing the pair to the iteration as input". The shape of a
    pair, and `$$.Map.Item.Key`, are as observed on AWS and reported in floci-io/floci#1588.
    """
    return [KeyValue(Key=key, Value=member) for key, member in value.items()]


def _number(dyn: Dynamic | None, scope: Scope, integer: bool) -> float | None:
    if dyn is None:
        return None
    kind = "integer" if integer else "float"
    value = dynamic_value(dyn, scope)
    if dyn.path is not None and isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = int(value) if integer else float(value)
    if is_number(value) and not (dyn.path is not None and integer and int(value) != value):
        return float(value)
    if dyn.expr is not None:
        raise QueryEvaluationError(
            f"The JSONata expression '{dyn.text}' specified for the field '{dyn.field}' returned an unexpected "
            f"result type. Expected '{kind}', but was '{json_type(value)}'",
            location=dyn.field,
        )
    shown = value if isinstance(value, str) else dumps(value)
    raise StatesRuntime(
        f'The {dyn.field} field refers to value "{shown}" which is not a valid {kind}: {dyn.text}'
    )


async def run(ex: Runtime, state: MapState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Map state."""
    if "ItemReader" in state.extra:
        selector_input = (
            raw if state.query_language is QueryLanguage.JSONATA else io.effective_input(state, raw, scope)
        )
        reader_scope = Scope(selector_input, scope.context, scope.variables)
        batcher = state.extra.get("ItemBatcher")
        items = map_io.read_items(
            state.extra["ItemReader"],
            reader_scope,
            state.query_language,
            ex.settings.s3_root,
            sizes=isinstance(batcher, dict) and isinstance(batcher.get("MaxInputBytesPerBatch"), int),
        )
    else:
        selector_input, items = _items(state, raw, scope)
    if "ItemBatcher" in state.extra:
        items = map_io.batch(
            items, state.extra["ItemBatcher"], Scope(selector_input, scope.context, scope.variables)
        )
    history = frame.history
    read = Scope(selector_input, scope.context, scope.variables)
    # AWS reads MaxConcurrency before the Map starts and the tolerated failures after (its recorded
    # histories: an unusable MaxConcurrencyPath fails with no MapStateStarted, an unusable
    # ToleratedFailure*Path after it).
    max_concurrency = _number(state.max_concurrency, read, True)
    history.add(EventType.MAP_STATE_STARTED, {"length": len(items)})
    tolerated_count = _number(state.tolerated_failure_count, read, True)
    tolerated_pct = _number(state.tolerated_failure_percentage, read, False)
    if tolerated_pct is not None and not 0 <= tolerated_pct <= 100:
        raise StatesRuntime("ToleratedFailurePercentage must be between 0 and 100.")
    if tolerated_count is not None and tolerated_count < 0:
        raise StatesRuntime("ToleratedFailureCount cannot be negative.")
    run = _MapRun(ex, state, frame, scope, selector_input, items, tolerated_count, tolerated_pct)
    if state.distributed:
        history.add(EventType.MAP_RUN_STARTED, {"mapRunArn": _map_run_arn(ex, state)})
    limit = int(max_concurrency or 0) or INLINE_CONCURRENCY
    workers = _workers(ex, state, len(items), limit)
    if workers is not None:
        await run.in_workers(workers, limit)
    elif state.processor.never_waits or limit == 1:
        await run.in_order(chained=limit == 1)
    else:
        await run.concurrently(limit)
    if run.failure is not None:
        err, lane = run.failure
        if state.distributed:
            history.add(EventType.MAP_RUN_FAILED, {"error": err.error, "cause": err.cause or ""})
        elif err.error != "States.Runtime":
            lane.add_aside(EventType.MAP_ITERATION_FAILED, {"name": state.name, "index": run.failed_index})
            history.last = lane.last
        raise err
    if state.distributed:
        run_succeeded = history.add_aside(EventType.MAP_RUN_SUCCEEDED)
        history.add_aside(EventType.MAP_STATE_SUCCEEDED, previous=run_succeeded)
    output: Any = run.results
    if isinstance(run.results, map_stream.ResultSpool):
        writer_scope = Scope(selector_input, scope.context, scope.variables)
        output = map_io.write_results(
            state.extra["ResultWriter"],
            writer_scope,
            state.query_language,
            ex.settings.s3_root,
            _map_run_arn(ex, state),
            run.results,
        )
    if not state.distributed:
        history.join()
        history.add_aside(EventType.MAP_STATE_SUCCEEDED)
    return Outcome(finish(state, raw, output, scope), state.next, result=output)


class _MapRun:
    """The iterations of one Map state: results in item order, failures, and their history lanes.

    History, as AWS records it: each iteration's events chain from `MapIterationStarted`. With
    MaxConcurrency 1 each iteration starts from the previous iteration's last state event; otherwise
    every iteration starts from `MapStateStarted`. `MapIterationSucceeded` and `MapStateSucceeded`
    point at the last event before them; `MapStateExited` points where `MapStateSucceeded` does. When an
    iteration fails (beyond the tolerated failures), the iterations still running record
    `MapIterationAborted` and their states `<Type>StateAborted`, all pointing at the failing
    iteration's last event, then the failing iteration records `MapIterationFailed` and the state
    `MapStateFailed`, pointing at that event too.
    """

    def __init__(
        self,
        ex: Runtime,
        state: MapState,
        frame: Frame,
        scope: Scope,
        selector_input: Any,
        items: Sequence[Any],
        tolerated_count: float | None,
        tolerated_pct: float | None,
    ) -> None:
        self.ex = ex
        self.state = state
        self.frame = frame
        self.scope = scope
        self.selector_input = selector_input
        self.items = items
        self.tolerated_count = tolerated_count
        self.tolerated_pct = tolerated_pct
        self.tolerant = tolerated_count is not None or tolerated_pct is not None
        self.failed_indexes: set[int] = set()
        #: In item order; a ResultWriter's go to temporary files as they complete (never all in memory).
        self.results: list[Any] | map_stream.ResultSpool = (
            map_io.result_spool(_map_run_arn(ex, state), len(items), self.failed_indexes)
            if "ResultWriter" in state.extra
            else [None] * len(items)
        )
        self.failed_count = 0
        #: The failure that ends the Map, and the lane of the iteration it came from.
        self.failure: tuple[StatesError, Lane] | None = None
        self.failed_index = -1
        #: Iterations started and not ended, by index, with whether their abort is recorded.
        self.running: dict[int, Lane] = {}
        self.aborted: set[int] = set()
        self.group: Group | None = None
        self.previous = frame.history.last
        self.chained = False

    def _lane(self, index: int) -> Lane:
        if self.state.distributed:
            # A child execution: its own history (with the execution's limit), not the parent's.
            history = History(self.ex.clock, self.ex.settings.history_limit)
            return Lane(history, 0, f"{self.frame.history.key}/{self.state.name}.{index}")
        lane = self.frame.history.fork(index)
        lane.last = self.previous
        return lane

    def _threshold_exceeded(self) -> bool:
        if self.tolerated_count is not None and self.failed_count > self.tolerated_count:
            return True
        return self.tolerated_pct is not None and self.failed_count * 100 > self.tolerated_pct * len(
            self.items
        )

    async def iteration(self, index: int) -> None:
        """Run one item through the processor; record its outcome."""
        state = self.state
        distributed = state.distributed
        lane = self._lane(index)
        iteration = {"name": state.name, "index": index}
        if not distributed:
            lane.add(EventType.MAP_ITERATION_STARTED, iteration)
        self.running[index] = lane
        try:
            item_input = _item_input(state, self.selector_input, self.items[index], index, self.scope)
            # Distributed Map children are separate executions: they cannot read the parent's variables.
            child = Frame({}, lane) if distributed else self.frame.child(lane)
            self.results[index] = await self.ex.run_machine(state.processor, item_input, child)
        except StatesError as err:
            del self.running[index]
            self._failed(index, lane, err)
            return
        except anyio.get_cancelled_exc_class():
            # Cancelled from outside the Map (a sibling branch failed): record it as it unwinds.
            self.running.pop(index, None)
            if not distributed and index not in self.aborted and not self.ex.ending:
                lane.add(EventType.MAP_ITERATION_ABORTED, iteration)
            raise
        del self.running[index]
        if not distributed:
            last_state_event = lane.last
            lane.add(EventType.MAP_ITERATION_SUCCEEDED, iteration)
            if self.chained:
                self.previous = last_state_event

    def _failed(self, index: int, lane: Lane, err: StatesError) -> None:
        self.failed_count += 1
        self.failed_indexes.add(index)
        if self.tolerant:
            self.results[index] = {"Error": err.error, "Cause": err.cause}
            if not self._threshold_exceeded():
                if not self.state.distributed:
                    lane.add_aside(EventType.MAP_ITERATION_FAILED, {"name": self.state.name, "index": index})
                return
            err = ExceedToleratedFailureThreshold("The specified tolerated failure threshold was exceeded")
        if self.failure is not None:
            return
        self.failure = (err, lane)
        self.failed_index = index
        if err.error == "States.Runtime":
            self.ex.ending = True  # uncatchable: the execution fails, nothing is recorded as aborted
        elif not self.state.distributed:
            for other, other_lane in sorted(self.running.items()):
                self.aborted.add(other)
                other_lane.last = lane.last
                other_lane.add(EventType.MAP_ITERATION_ABORTED, {"name": self.state.name, "index": other})
                other_lane.last = lane.last
        if self.group is not None:
            self.group.stop()

    async def in_order(self, *, chained: bool, start: int = 0) -> None:
        """One iteration after another (MaxConcurrency 1, or a processor that never waits)."""
        self.chained = chained
        for index in range(start, len(self.items)):
            if self.state.processor.never_waits:
                run_now(self.iteration(index))
            else:
                await self.iteration(index)
            if self.failure is not None:
                return

    async def in_workers(self, workers: Workers, limit: int) -> None:
        """Children in worker processes, their outcomes taken in item order (see `asl.workers`)."""
        from asl import workers as worker_pool

        prefix = f"{self.frame.history.key}/{self.state.name}."
        ranges = worker_pool.batches(len(self.items), workers.count)
        in_flight = 2 * min(workers.count, limit)
        pending: deque[Future[list[ChildOutcome]] | list[ChildOutcome]] = deque()

        context_file = worker_pool.share_context(self.ex)

        def submit(items: list[tuple[int, Any]]) -> None:
            if items:
                job = worker_pool.job(self.ex, self.state, context_file, prefix, items)
                pending.append(workers.submit(job))

        def fill() -> None:
            while len(pending) < in_flight and self.failure is None:
                indexes = next(ranges, None)
                if indexes is None:
                    return
                items: list[tuple[int, Any]] = []
                for index in indexes:
                    try:
                        item = _item_input(
                            self.state, self.selector_input, self.items[index], index, self.scope
                        )
                    except StatesError as err:  # the child fails before it starts, as it would here
                        submit(items)
                        items = []
                        pending.append([(index, False, err, 0)])
                    else:
                        items.append((index, item))
                submit(items)

        try:
            resume = await self._take_in_order(pending, fill, workers)
        finally:
            for rest in pending:
                if not isinstance(rest, list):
                    rest.cancel()
            with contextlib.suppress(OSError):
                os.unlink(context_file)
        if resume is not None:  # the workers failed: the children not yet taken run here
            await self.in_order(chained=False, start=resume)

    async def _take_in_order(
        self,
        pending: deque[Future[list[ChildOutcome]] | list[ChildOutcome]],
        fill: Callable[[], None],
        workers: Workers,
    ) -> int | None:
        """Commit the children's outcomes in item order, sending more as batches complete.

        Returns None when done, or the first child not taken when a worker process failed (it died, or
        could not build the state machine): the rest then runs in this process, with a warning.
        """
        import anyio.to_thread

        taken = 0
        fill()
        while pending:
            entry = pending.popleft()
            try:
                outcomes = entry if isinstance(entry, list) else await anyio.to_thread.run_sync(entry.result)
            except Exception as exc:
                workers.broken(self.state, exc)
                return taken
            for index, ok, value, transitions in outcomes:
                self.ex.transitions += transitions
                if ok:
                    self.results[index] = value
                else:
                    self._failed(index, self._lane(index), value)
                taken = index + 1
                if self.failure is not None:
                    return None
            fill()
        return None

    async def concurrently(self, limit: int) -> None:
        """A fixed pool of `limit` workers pulling item indexes in order."""
        next_index = 0

        async def worker() -> None:
            nonlocal next_index
            while next_index < len(self.items) and self.failure is None:
                index = next_index
                next_index += 1
                await self.iteration(index)

        async with Group(self.ex.clock) as group:
            self.group = group
            for _ in range(min(limit, len(self.items))):
                group.start(worker)


#: A Distributed Map sends its children to worker processes from this many children on.
MIN_WORKER_CHILDREN = 8


def _workers(ex: Runtime, state: MapState, count: int, limit: int) -> Workers | None:
    """The worker processes for this Map's children, or None to run them here (see `asl.workers`)."""
    workers: Workers | None = ex.settings.workers
    if workers is None or not state.distributed or count < MIN_WORKER_CHILDREN or limit == 1:
        return None
    from asl.clock import VirtualClock

    reason = workers.reason(state)
    if reason is None and type(ex.clock) is not VirtualClock:
        reason = "the execution runs on the real clock (--real-time)"
    if reason is None and ex.history.recording is not None:
        reason = "the execution continues from its recorded history"
    if reason is not None:
        workers.warn_once(state, reason)
        return None
    return workers


def _map_run_arn(ex: Runtime, state: MapState) -> str:
    return f"{ex.arn.replace(':execution:', ':mapRun:')}/{state.name}"


def _item_input(state: MapState, selector_input: Any, item: Any, index: int, scope: Scope) -> Any:
    if state.item_selector is None:
        return item
    context = dict(scope.context)
    current = {"Index": index, "Value": item}
    if type(item) is KeyValue:
        current["Key"] = item["Key"]
    context["Map"] = {"Item": current}
    return state.item_selector(Scope(selector_input, context, scope.variables))
