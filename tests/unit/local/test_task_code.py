"""Task code outside Python: commands, a Lambda-API endpoint, and the HTTP Task over httpx (loopback only)."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from asl import test_state
from asl.config import load_config
from asl.runner import build_runner
from asl.testing import run


class _Server(BaseHTTPRequestHandler):
    """Answers the Lambda Invoke API and a few plain HTTP routes."""

    seen: ClassVar[list[tuple[str, str, dict[str, str], bytes]]] = []

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        _Server.seen.append((self.command, self.path, dict(self.headers), body))
        if self.path.startswith("/2015-03-31/functions/"):
            name = self.path.split("/")[3]
            if name == "double":
                self._reply(200, {"n": json.loads(body)["n"] * 2})
            elif name == "crash":
                self._reply(
                    200,
                    {"errorType": "ValueError", "errorMessage": "bad n", "stackTrace": ["at crash"]},
                    {"X-Amz-Function-Error": "Unhandled"},
                )
            else:
                self._reply(404, {"Type": "User", "message": "Function not found"})
        elif self.path.startswith("/orders"):
            self._reply(200, {"id": "o-1", "query": self.path.partition("?")[2]}, {"X-Trace": "t1"})
        elif self.path.startswith("/text"):
            self._reply(200, b"plain words", {"Content-Type": "text/plain"})
        else:
            self._reply(404, {"message": "nope"})

    do_GET = _handle
    do_POST = _handle


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _machine(tmp_path: Path, toml: str, definition: dict[str, Any]) -> Any:
    (tmp_path / "asl.toml").write_text(toml)
    (tmp_path / "flow.json").write_text(json.dumps(definition))
    return build_runner(load_config(tmp_path / "asl.toml")).load(tmp_path / "flow.json")


def _task(resource: str, **fields: Any) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **fields}}}


SCRIPT = """
import json, sys
event = json.load(sys.stdin)
if event.get("fail") == "json":
    print(json.dumps({"errorType": "OrderRejected", "errorMessage": "too big", "stackTrace": ["price.js:3"]}), file=sys.stderr)
    sys.exit(1)
if event.get("fail") == "plain":
    print("something broke", file=sys.stderr)
    sys.exit(3)
print(json.dumps({"total": event["n"] * 10}))
"""


@pytest.mark.parametrize(
    ("event", "status", "expected"),
    [
        ({"n": 4}, "SUCCEEDED", {"total": 40}),
        ({"fail": "json"}, "FAILED", ("OrderRejected", "too big", ["price.js:3"])),
        (
            {"fail": "plain"},
            "FAILED",
            ("Runtime.ExitError", "Runtime exited with error: exit status 3", ["something broke"]),
        ),
    ],
    ids=["stdout-is-the-result", "stderr-json-error", "exit-status"],
)
def test_a_command_serves_a_lambda_function(tmp_path: Path, event: Any, status: str, expected: Any) -> None:
    (tmp_path / "price.py").write_text(SCRIPT)
    command = f'"price-order" = "{sys.executable} price.py"'
    arn = "arn:aws:lambda:us-east-1:123456789012:function:price-order"
    result = run(_machine(tmp_path, f"[commands]\n{command}\n", _task(arn)), event)
    assert result.status == status
    if status == "SUCCEEDED":
        assert result.output == expected
    else:
        cause = json.loads(result.cause or "{}")
        assert (result.error, cause["errorMessage"], cause["stackTrace"]) == expected
        assert cause["errorType"] == expected[0]


def test_a_command_through_lambda_invoke_is_wrapped_as_aws_wraps_it(tmp_path: Path) -> None:
    (tmp_path / "price.py").write_text(SCRIPT)
    flow = _task(
        "arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "price-order", "Payload.$": "$"}
    )
    machine = _machine(tmp_path, f'[commands]\n"price-order" = "{sys.executable} price.py"\n', flow)
    result = run(machine, {"n": 2})
    assert result.output["Payload"] == {"total": 20}
    assert result.output["StatusCode"] == 200


@pytest.mark.parametrize(
    ("name", "status", "error"),
    [
        ("double", "SUCCEEDED", None),
        ("crash", "FAILED", "ValueError"),
        ("missing", "FAILED", "Lambda.ResourceNotFoundException"),
    ],
)
def test_functions_nothing_local_serves_go_to_the_lambda_endpoint(
    tmp_path: Path, server: str, name: str, status: str, error: str | None
) -> None:
    flow = _task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": name, "Payload.$": "$"})
    result = run(_machine(tmp_path, f'lambda_endpoint = "{server}"\n', flow), {"n": 21})
    assert (result.status, result.error) == (status, error)
    if status == "SUCCEEDED":
        assert result.output["Payload"] == {"n": 42}
    direct = run(
        _machine(
            tmp_path,
            f'lambda_endpoint = "{server}"\n',
            _task(f"arn:aws:lambda:us-east-1:123456789012:function:{name}"),
        ),
        {"n": 1},
    )
    assert direct.status == status


def test_http_task_request_and_response_shapes(tmp_path: Path, server: str) -> None:
    parameters = {
        "ApiEndpoint": f"{server}/orders",
        "Method": "POST",
        "Headers": {"X-Api-Key": "k"},
        "QueryParameters": {"page": "2"},
        "RequestBody": {"ids": [1, 2], "note": "hi"},
        "Transform": {
            "RequestBodyEncoding": "URL_ENCODED",
            "RequestEncodingOptions": {"ArrayFormat": "INDICES"},
        },
        "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"},
    }
    result = run(_machine(tmp_path, "", _task("arn:aws:states:::http:invoke", Parameters=parameters)), {})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["StatusCode"] == 200
    assert result.output["StatusText"] == "OK"
    assert result.output["ResponseBody"] == {"id": "o-1", "query": "page=2"}
    assert result.output["Headers"]["x-trace"] == ["t1"]
    method, path, headers, body = _Server.seen[-1]
    assert (method, path, headers["X-Api-Key"]) == ("POST", "/orders?page=2", "k")
    assert body == b"ids%5B0%5D=1&ids%5B1%5D=2&note=hi"


@pytest.mark.parametrize(
    ("path", "allow", "status", "error"),
    [
        ("/text", None, "SUCCEEDED", None),
        ("/nowhere", None, "FAILED", "States.Http.StatusCode.404"),
    ],
)
def test_http_task_statuses(
    tmp_path: Path, server: str, path: str, allow: Any, status: str, error: str | None
) -> None:
    flow = _task("arn:aws:states:::http:invoke", Parameters={"ApiEndpoint": server + path, "Method": "GET"})
    result = run(_machine(tmp_path, "", flow), {})
    assert (result.status, result.error) == (status, error)
    if status == "SUCCEEDED":
        assert result.output["ResponseBody"] == "plain words"
    else:
        assert result.cause == "Not Found"


def test_http_task_reaches_only_allowed_hosts(tmp_path: Path) -> None:
    flow = _task(
        "arn:aws:states:::http:invoke",
        Parameters={"ApiEndpoint": "https://api.example.com/x", "Method": "GET"},
    )
    result = run(_machine(tmp_path, "", flow), {})
    assert result.error == "States.Runtime"
    assert "may not reach 'api.example.com'" in (result.cause or "")
    assert "http_allow" in (result.cause or "")


def test_http_task_in_test_state_trace(server: str) -> None:
    from asl import TaskRegistry
    from asl.http_task import ARN, http_handler

    registry = TaskRegistry()
    registry.register(ARN, http_handler())
    definition = {
        "Type": "Task",
        "Resource": ARN,
        "Parameters": {"ApiEndpoint": f"{server}/nowhere", "Method": "GET"},
        "End": True,
    }
    response = test_state({"definition": definition, "inspectionLevel": "TRACE"}, registry=registry)
    assert response["status"] == "FAILED"
    assert response["error"] == "States.Http.StatusCode.404"
    assert response["inspectionData"]["response"]["statusCode"] == "404"
    assert json.loads(response["inspectionData"]["response"]["body"]) == {"message": "nope"}
    assert response["inspectionData"]["request"]["method"] == "GET"
