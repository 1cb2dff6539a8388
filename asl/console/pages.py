"""The console's pages and its three actions (start, stop, send a callback's outcome).

Actions call the same functions the Step Functions API runs, so a page does exactly what
StartExecution, StopExecution, SendTaskSuccess and SendTaskFailure do, with AWS's errors shown
on the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from asl.console import data, runs, users
from asl.console.render import page
from asl.console.security import PAGE_HEADERS, Guard
from asl.server.errors import ServiceError

if TYPE_CHECKING:
    from asl.server.backend import Backend
    from asl.server.protocol import JsonService

#: The largest form accepted (an input or a callback output is at most 256 KiB on AWS).
MAX_FORM = 1024 * 1024


class Pages:
    """The handlers, bound to one server's backend and guard."""

    def __init__(self, backend: Backend, guard: Guard, service: JsonService) -> None:
        self.backend = backend
        self.guard = guard
        #: The Step Functions API: actions run as requests run, checked against AWS's model first.
        self.service = service

    def context(self, request: Request, **values: Any) -> dict[str, Any]:
        """What every template gets: the CSRF token, the section being shown."""
        return {"csrf": self.guard.token, "request_path": request.url.path, **values}

    # -- state machines -------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        """State machines, and the latest executions."""
        machines = await data.machines(self.backend)
        recent, _ = await data.executions(self.backend, None, None, 2**62)
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
        row = await data.machine(self.backend, name)
        if row is None:
            return self._missing(request, f"There is no state machine named '{name}' on this server.")
        status = request.query_params.get("status") or None
        status = status if status in data.STATUSES else None
        before = _int(request.query_params.get("before"), 2**62)
        found, next_before = await data.executions(self.backend, row["arn"], status, before)
        drawn = await data.diagram(self.backend, row["definition"])
        return page(
            "machine.html",
            400 if error else 200,
            **self.context(
                request,
                section="machines",
                machine=row,
                definition=runs.pretty(row["definition"], 2**18, "DescribeStateMachine"),
                diagram=drawn.svg(),
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
        status = request.query_params.get("status") or None
        status = status if status in data.STATUSES else None
        before = _int(request.query_params.get("before"), 2**62)
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
        return page("execution.html", **self.context(request, section="executions", view=view))

    async def live(self, request: Request) -> Response:
        """The changing part of an execution page, or 204 when nothing changed since `seen` events."""
        arn = request.query_params.get("arn", "")
        now = await data.progress(self.backend, arn)
        if now is None:
            return Response(status_code=404, headers=PAGE_HEADERS)
        seen = _int(request.query_params.get("seen"), -1)
        if now == (request.query_params.get("status"), seen):
            return Response(status_code=204, headers=PAGE_HEADERS)
        view = await self._view(request)
        if view is None:
            return Response(status_code=404, headers=PAGE_HEADERS)
        return page("execution_live.html", **self.context(request, view=view))

    async def _view(self, request: Request) -> data.ExecutionView | None:
        params = request.query_params
        return await data.execution(
            self.backend, params.get("arn", ""), params.get("lane", ""), _int(params.get("after"), 0)
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
        arn, token = form.get("arn", ""), form.get("token", "")
        try:
            if form.get("outcome") == "success":
                await self.service.call(
                    "SendTaskSuccess", {"taskToken": token, "output": form.get("output", "")}
                )
            else:
                await self.service.call(
                    "SendTaskFailure",
                    {
                        "taskToken": token,
                        "error": form.get("error") or None,
                        "cause": form.get("cause") or None,
                    },
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

    async def _form(self, request: Request) -> dict[str, str] | Response:
        """The POSTed form, once its CSRF token and origin check out (else a 403 page)."""
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM:
                return self._refused(request, "The form is larger than the console accepts (1 MiB).", 413)
        try:
            fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            return self._refused(request, "The form is not UTF-8.", 400)
        allowed = self.guard.form_allowed(
            fields.get("csrf", ""), request.headers.get("origin"), request.headers.get("host", "")
        )
        if not allowed:
            return self._refused(
                request, "The form's CSRF token is missing or wrong: reload the page and try again.", 403
            )
        return fields

    def _refused(self, request: Request, message: str, status: int) -> Response:
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


#: Paging positions are execution sequence numbers: SQLite integers, far below this.
_LARGEST = 2**62


def _int(text: str | None, default: int) -> int:
    """A query parameter as an integer in what the store can compare (else `default`)."""
    try:
        value = int(text) if text is not None else default
    except ValueError:
        return default
    return max(-_LARGEST, min(value, _LARGEST))
