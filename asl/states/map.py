"""Map: run the item processor for every item, with bounded concurrency, keeping item order.

A fixed pool of workers pulls item indexes, so memory grows only with the result array, not
with the number of items. MaxConcurrency 0 means "no limit", which AWS's inline Map runs as up
to 40 iterations at once; we do the same. Distributed Maps run the same way, but their child
executions' events stay out of the parent history (MapRun* events instead), as on AWS.
"""

from __future__ import annotations

import contextlib
from typing import Any

import anyio

from asl import io
from asl.choice import is_number
from asl.errors import ExceedToleratedFailureThreshold, QueryEvaluationError, StatesError, StatesRuntime
from asl.executor import Execution, ExecutionTimedOut, Frame, Outcome, finish, run_now
from asl.history import EventType, History, Lane, dumps
from asl.io import dynamic_value
from asl.model import Dynamic, MapState, QueryLanguage
from asl.paths import PathNotFound, Scope
from asl.states import map_io

#: AWS runs at most this many inline Map iterations at once.
INLINE_CONCURRENCY = 40


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def _items(state: MapState, raw: Any, scope: Scope) -> tuple[Any, list[Any]]:
    """(the value ItemSelector sees as `$`, the items)."""
    if state.query_language is QueryLanguage.JSONATA:
        value = state.items(scope) if state.items is not None else raw
        if not isinstance(value, list):
            what = f"The JSONata expression '{state.items_text}' specified for the field 'Items'"
            if state.items is None:
                what = "The state input"
            raise QueryEvaluationError(
                f"{what} returned an unexpected result type. "
                f"Expected 'array', but was '{_json_type(value)}' for value: {dumps(value)}",
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
    if not isinstance(items, list):
        raise StatesRuntime(
            f"Map state input must be an array, but ItemsPath '{state.items_path.text if state.items_path else '$'}' "
            f"selected a value of type {_json_type(items)}"
        )
    return effective, items


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
            f"result type. Expected '{kind}', but was '{_json_type(value)}'",
            location=dyn.field,
        )
    shown = value if isinstance(value, str) else dumps(value)
    raise StatesRuntime(
        f'The {dyn.field} field refers to value "{shown}" which is not a valid {kind}: {dyn.text}'
    )


async def run(ex: Execution, state: MapState, raw: Any, scope: Scope, frame: Frame) -> Outcome:
    """Run a Map state."""
    if "ItemReader" in state.extra:
        selector_input = (
            raw if state.query_language is QueryLanguage.JSONATA else io.effective_input(state, raw, scope)
        )
        reader_scope = Scope(selector_input, scope.context, scope.variables)
        items = map_io.read_items(
            state.extra["ItemReader"], reader_scope, state.query_language, ex.settings.s3_root
        )
    else:
        selector_input, items = _items(state, raw, scope)
    if "ItemBatcher" in state.extra:
        items = map_io.batch(
            items, state.extra["ItemBatcher"], Scope(selector_input, scope.context, scope.variables)
        )
    history = frame.history
    history.add(EventType.MAP_STATE_STARTED, {"length": len(items)})
    read = Scope(selector_input, scope.context, scope.variables)
    max_concurrency = _number(state.max_concurrency, read, True)
    tolerated_count = _number(state.tolerated_failure_count, read, True)
    tolerated_pct = _number(state.tolerated_failure_percentage, read, False)
    if tolerated_pct is not None and not 0 <= tolerated_pct <= 100:
        raise StatesRuntime("ToleratedFailurePercentage must be between 0 and 100.")
    if tolerated_count is not None and tolerated_count < 0:
        raise StatesRuntime("ToleratedFailureCount must be a non-negative integer.")
    if state.distributed:
        history.add(
            EventType.MAP_RUN_STARTED,
            {"mapRunArn": f"{ex.arn.replace(':execution:', ':mapRun:')}/{state.name}"},
        )
    tolerant = tolerated_count is not None or tolerated_pct is not None
    limit = int(max_concurrency or 0) or INLINE_CONCURRENCY
    results: list[Any] = [None] * len(items)
    failed_indexes: set[int] = set()
    failures: list[StatesError | ExecutionTimedOut] = []
    failed_count = 0
    next_index = 0

    def threshold_exceeded() -> bool:
        if tolerated_count is not None and failed_count > tolerated_count:
            return True
        return tolerated_pct is not None and failed_count * 100 > tolerated_pct * len(items)

    async def iteration(index: int) -> None:
        nonlocal failed_count
        item = items[index]
        lane = Lane(History(ex.clock), 0) if state.distributed else history.fork()
        if not state.distributed:
            lane.add(EventType.MAP_ITERATION_STARTED, {"name": state.name, "index": index})
        try:
            item_input = _item_input(state, selector_input, item, index, scope)
            # Distributed Map children are separate executions: they cannot read the parent's variables.
            child = (
                Frame({}, lane)
                if state.distributed
                else Frame(dict(frame.variables), lane, dict(frame.variable_sizes))
            )
            results[index] = await ex.run_machine(state.processor, item_input, child)
        except StatesError as err:
            if not state.distributed:
                lane.add(EventType.MAP_ITERATION_FAILED, {"name": state.name, "index": index})
            failed_count += 1
            failed_indexes.add(index)
            if tolerant:
                results[index] = {"Error": err.error, "Cause": err.cause}
                if not threshold_exceeded():
                    return
                err = ExceedToleratedFailureThreshold(
                    "The specified tolerated failure threshold was exceeded"
                )
            if not failures:
                failures.append(err)
            stop()
            return
        except ExecutionTimedOut as err:
            if not failures:
                failures.append(err)
            stop()
            return
        except anyio.get_cancelled_exc_class():
            if not state.distributed:
                lane.add(EventType.MAP_ITERATION_ABORTED, {"name": state.name, "index": index})
            raise
        if not state.distributed:
            lane.add(EventType.MAP_ITERATION_SUCCEEDED, {"name": state.name, "index": index})

    async def worker() -> None:
        nonlocal next_index
        while next_index < len(items) and not failures:
            index = next_index
            next_index += 1
            await iteration(index)

    if state.processor.never_waits:
        stop: Any = lambda: None  # noqa: E731 - nothing runs concurrently to cancel
        for index in range(len(items)):
            run_now(iteration(index))
            if failures:
                break
    else:
        async with anyio.create_task_group() as tg:
            stop = tg.cancel_scope.cancel
            for _ in range(min(limit, len(items))):
                tg.start_soon(worker)
    history.join()
    if failures:
        err = failures[0]
        if state.distributed and isinstance(err, StatesError):
            history.add(EventType.MAP_RUN_FAILED, {"error": err.error, "cause": err.cause or ""})
        raise err
    if state.distributed:
        history.add(EventType.MAP_RUN_SUCCEEDED)
    output: Any = results
    if "ResultWriter" in state.extra:
        map_run_arn = f"{ex.arn.replace(':execution:', ':mapRun:')}/{state.name}"
        writer_scope = Scope(selector_input, scope.context, scope.variables)
        output = map_io.write_results(
            state.extra["ResultWriter"],
            writer_scope,
            state.query_language,
            ex.settings.s3_root,
            map_run_arn,
            results,
            failed_indexes,
        )
    history.add(EventType.MAP_STATE_SUCCEEDED)
    return Outcome(finish(state, raw, output, scope), state.next, result=output)


def _item_input(state: MapState, selector_input: Any, item: Any, index: int, scope: Scope) -> Any:
    if state.item_selector is None:
        return item
    context = dict(scope.context)
    context["Map"] = {"Item": {"Index": index, "Value": item}}
    return state.item_selector(Scope(selector_input, context, scope.variables))
