"""The console's pages and its three actions (start, stop, send a callback's outcome).

Actions go through the Step Functions API's own path (the request checked against AWS's model,
then the same action), so a page does exactly what StartExecution, StopExecution, SendTaskSuccess
and SendTaskFailure do, with AWS's errors (sizes, names, JSON) shown on the page. A query
parameter the console cannot use (`before=abc`, a number past SQLite's range, an unknown status)
is a 400 page that names it.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

import anyio
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from asl.console import data, runs, users
from asl.console.render import element_text, page
from asl.console.security import PAGE_HEADERS, Guard
from asl.server.errors import ServiceError

if TYPE_CHECKING:
    from asl.server.backend import Backend
    from asl.server.protocol import JsonService

#: The largest form accepted (an input or a callback output is at most 256 KiB on AWS).
MAX_FORM = 1024 * 1024
#: The most of a definition shown (AWS's largest is 1 MiB; DescribeStateMachine has it all).
DEFINITION_SHOWN = 256 * 1024
#: The largest position a list page or an event page starts from (SQLite's integers are 64-bit).
LAST = 2**62
_WHOLE = re.compile("-?[0-9]{1,19}")


class BadRequest(Exception):
    """A query parameter or form field the console cannot use: a 400 page says which, and why."""


class Pages:
    """The handlers, bound to one server's backend and guard."""

    def __init__(self, backend: Backend, guard: Guard, service: JsonService) -> None:
        self.backend = backend
        self.guard = guard
        #: The Step Functions API: actions run as requests run, checked against AWS's model first.
        self.service = service
        #: Diagrams are drawn, and histories read, in a worker thread, one at a time.
        self.drawing = anyio.CapacityLimiter(1)

    def context(self, request: Request, **values: Any) -> dict[str, Any]:
        """What every template gets: the CSRF token, the section being shown."""
        return {"csrf": self.guard.token, "request_path": request.url.path, **values}

    # -- state machines -------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        """State machines, and the latest executions."""
        machines = await data.machines(self.backend)
        recent, _ = await data.executions(self.backend, None, None, LAST)
        counts = await data.counts(self.backend, None)
        return page(
            "home.html",
            **self.context(request, machines=machines, recent=recent[:10], counts=counts, section="machines"),
        )

    async def machine(self, request: Request) -> Response:
        """A state machine: definition, diagram, start form, its executions."""
        return await self._machine_page(request, request.path_params["name"])

    async def _machine_page(
        self, request: Request, name: str, error: str = "", form: dict[str, str] | None = None
    ) -> Response:
        status, before = _list_filter(request)
        row = await data.machine(self.backend, name)
        if row is None:
            return self._missing(request, f"There is no state machine named '{name}' on this server.")
        found, next_before = await data.executions(self.backend, row["arn"], status, before)
        drawn = await data.diagram(self.backend, self.drawing, row["definition"])
        picture = await drawn.svg(self.drawing)
        shown = partial(runs.pretty, row["definition"], DEFINITION_SHOWN, "DescribeStateMachine")
        definition = element_text(await anyio.to_thread.run_sync(shown, limiter=self.drawing))
        return page(
            "machine.html",
            400 if error else 200,
            **self.context(
                request,
                section="machines",
                machine=row,
                definition=definition,
                diagram=picture,
                executions=found,
                next_before=next_before,
                status=status,
                statuses=data.STATUSES,
                counts=await data.counts(self.backend, row["arn"]),
                error=error,
                form=form or {"name": "", "input": "{}"},
            ),
        )

    async def start(self, request: Request) -> Response:
        """Start an execution from the form (StartExecution)."""
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        name = request.path_params["name"]
        payload: dict[str, Any] = {
            "stateMachineArn": self.backend.where.machine(name),
            "input": form.get("input", "") or "{}",
        }
        if form.get("name", "").strip():
            payload["name"] = form["name"].strip()
        try:
            started = await self.service.call("StartExecution", payload)
        except ServiceError as error:
            shown = {"name": form.get("name", ""), "input": form.get("input", "")}
            return await self._machine_page(request, name, f"{error.code}: {error.message}", shown)
        return _see(f"/console/execution?arn={quote(started['executionArn'], safe='')}")

    # -- executions -----------------------------------------------------------------------------

    async def executions(self, request: Request) -> Response:
        """Executions of every state machine, newest first, filtered by status."""
        status, before = _list_filter(request)
        found, next_before = await data.executions(self.backend, None, status, before)
        return page(
            "executions.html",
            **self.context(
                request,
                section="executions",
                executions=found,
                next_before=next_before,
                status=status,
                statuses=data.STATUSES,
                counts=await data.counts(self.backend, None),
            ),
        )

    async def execution(self, request: Request) -> Response:
        """One execution: summary, diagram, callbacks, branches and iterations, states, events."""
        view = await self._view(request)
        if view is None:
            return self._missing(request, "There is no such execution on this server.")
        return await self.rendered("execution.html", **self.context(request, section="executions", view=view))

    async def live(self, request: Request) -> Response:
        """The changing part of an execution page, or 204 when nothing changed since `seen` events."""
        arn = request.query_params.get("arn", "")
        now = await data.progress(self.backend, arn)
        if now is None:
            return Response(status_code=404, headers=PAGE_HEADERS)
        seen = _int(request, "seen", -1, -1)
        if now == (request.query_params.get("status"), seen):
            return Response(status_code=204, headers=PAGE_HEADERS)
        view = await self._view(request)
        if view is None:
            return Response(status_code=404, headers=PAGE_HEADERS)
        return await self.rendered("execution_live.html", **self.context(request, view=view))

    async def _view(self, request: Request) -> data.ExecutionView | None:
        params = request.query_params
        return await data.execution(
            self.backend,
            self.drawing,
            params.get("arn", ""),
            params.get("lane", ""),
            _int(request, "after", 0, 0),
        )

    async def stop(self, request: Request) -> Response:
        """Stop a running execution (StopExecution)."""
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        arn = form.get("arn", "")
        request_body = {
            "executionArn": arn,
            "error": form.get("error") or None,
            "cause": form.get("cause") or None,
        }
        try:
            await self.service.call("StopExecution", request_body)
        except ServiceError as error:
            return self._failed(request, arn, "stop the execution", error)
        return _see(f"/console/execution?arn={quote(arn, safe='')}")

    async def callback(self, request: Request) -> Response:
        """Send a waiting task's outcome (SendTaskSuccess or SendTaskFailure)."""
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        arn, token, outcome = form.get("arn", ""), form.get("token", ""), form.get("outcome", "")
        try:
            if outcome == "success":
                await self.service.call(
                    "SendTaskSuccess", {"taskToken": token, "output": form.get("output", "")}
                )
            elif outcome == "failure":
                failure = {
                    "taskToken": token,
                    "error": form.get("error") or None,
                    "cause": form.get("cause") or None,
                }
                await self.service.call("SendTaskFailure", failure)
            else:
                raise BadRequest(
                    f"The form field 'outcome' must be 'success' or 'failure', not {_shown(outcome)}."
                )
        except ServiceError as error:
            return self._failed(request, arn, "send the task's outcome", error)
        return _see(f"/console/execution?arn={quote(arn, safe='')}")

    # -- Cognito --------------------------------------------------------------------------------

    async def cognito(self, request: Request) -> Response:
        """The user pools of the server's user directory."""
        found = users.pools(self.backend.runner.directory)
        return page("cognito.html", **self.context(request, section="cognito", pools=found))

    async def pool(self, request: Request) -> Response:
        """One pool: users, groups, outbox."""
        found = users.pool(self.backend.runner.directory, request.query_params.get("id", ""))
        if found is None:
            return self._missing(request, "There is no such user pool in this server's user directory.")
        return page("pool.html", **self.context(request, section="cognito", pool=found))

    # -- helpers --------------------------------------------------------------------------------

    async def rendered(self, template: str, **context: Any) -> Response:
        """A page rendered in the worker thread (an execution's page lists hundreds of documents)."""
        return await anyio.to_thread.run_sync(partial(page, template, **context), limiter=self.drawing)

    async def _form(self, request: Request) -> dict[str, str] | Response:
        """The POSTed form, once its CSRF token and origin check out (else a 403 page)."""
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM:
                return self.refused(request, "The form is larger than the console accepts (1 MiB).", 413)
        try:
            fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            return self.refused(request, "The form is not UTF-8.", 400)
        allowed = self.guard.form_allowed(
            fields.get("csrf", ""), request.headers.get("origin"), request.headers.get("host", "")
        )
        if not allowed:
            return self.refused(
                request, "The form's CSRF token is missing or wrong: reload the page and try again.", 403
            )
        return fields

    def refused(self, request: Request, message: str, status: int) -> Response:
        """A page saying why the request was refused."""
        return page(
            "message.html", status, **self.context(request, section="", title="Refused", message=message)
        )

    def _missing(self, request: Request, message: str) -> Response:
        return page(
            "message.html", 404, **self.context(request, section="", title="Not found", message=message)
        )

    def _failed(self, request: Request, arn: str, what: str, error: ServiceError) -> Response:
        return page(
            "message.html",
            400,
            **self.context(
                request,
                section="executions",
                title=f"Could not {what}",
                message=f"{error.code}: {error.message}",
                back=f"/console/execution?arn={quote(arn, safe='')}",
            ),
        )


def _see(location: str) -> Response:
    return RedirectResponse(location, 303, headers={"Cache-Control": "no-store"})


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:59] + "…")


def _int(request: Request, name: str, default: int, low: int) -> int:
    """A whole-number query parameter from `low` to `LAST`, or `default` when absent."""
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    value = int(text) if _WHOLE.fullmatch(text) else None
    if value is None or not low <= value <= LAST:
        raise BadRequest(
            f"The query parameter '{name}' must be a whole number from {low} to {LAST}, not {_shown(text)}."
        )
    return value


def _list_filter(request: Request) -> tuple[str | None, int]:
    """A list page's `status` (one of the statuses, or all) and `before` (where the page starts)."""
    status = request.query_params.get("status") or None
    if status is not None and status not in data.STATUSES:
        raise BadRequest(
            f"The query parameter 'status' must be one of {', '.join(data.STATUSES)}, not {_shown(status)}."
        )
    return status, _int(request, "before", LAST, 0)
