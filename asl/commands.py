"""Task code outside Python: a command that reads the event JSON on stdin and answers on stdout.

`[commands]` in asl.toml maps what `[handlers]` maps (a Lambda function name, a resource ARN, an
activity ARN) to a command line, run from the configuration's folder:

```toml
[commands]
"price-order" = "node handlers/price.js"
"arn:aws:states:::aws-sdk:sqs:sendMessage" = "./send.sh"
```
Exit status 0: stdout is the result (JSON; empty is null). Another status fails the task as AWS reports
a Lambda error: when stderr's last line is a JSON object with `errorType` (and `errorMessage`, and
`stackTrace`), those are the error (as a Lambda runtime reports one); otherwise the error is
`Runtime.ExitError` and the message says the exit status, with stderr's lines as the stack trace.

A command runs in a process group of its own. When it exits, what it left running in that group is
stopped (Lambda freezes the environment once the function answers), and its answer is read until it
exits plus `GRACE_SECONDS`: a background child that keeps stdout open does not hold the task. At the
task's timeout the whole group is killed. Stdout is bounded by Lambda's response limit
(`RESPONSE_LIMIT`), stderr by its last `STDERR_LIMIT` bytes.

The environment is the caller's without its `AWS_*` variables (real credentials or a profile never reach
task code unasked), plus what Lambda (and `sam local invoke`) give a function: `AWS_LAMBDA_FUNCTION_NAME`,
`_VERSION`, `_MEMORY_SIZE`, `_TIMEOUT`, `AWS_LAMBDA_LOG_GROUP_NAME`, `_LOG_STREAM_NAME`, `AWS_REGION`,
`AWS_DEFAULT_REGION`, `LAMBDA_TASK_ROOT`, and placeholder credentials that only a local endpoint accepts.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import signal
from pathlib import Path
from typing import Any

from asl import jsonvalue
from asl.errors import StatesTimeout, TaskFailed

#: Lambda's largest synchronous response, in bytes; past it the invocation fails with
#: Function.ResponseSizeTooLarge (the Invoke API's answer for a larger response).
RESPONSE_LIMIT = 6_291_556
#: How much of stderr is kept (its end: the last line may be the error a runtime reports).
STDERR_LIMIT = 64 * 1024
#: How long after the command exits its output is still read (a background child may hold the pipes).
GRACE_SECONDS = 0.5
#: The credentials task code gets: accepted by `asl serve` and other local endpoints, refused by AWS.
PLACEHOLDER_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "ASLRUNNERLOCAL", "AWS_SECRET_ACCESS_KEY": "asl-runner-local"}
_SIGNALS = {
    "SIGKILL": "killed",
    "SIGTERM": "terminated",
    "SIGSEGV": "segmentation fault",
    "SIGABRT": "aborted",
}


class CommandFailed(Exception):
    """A command's failure, in Lambda's error shape (read by `asl.lambdas.lambda_error`)."""

    def __init__(self, error_type: str, message: str, stack_trace: list[str]) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.stack_trace = stack_trace


def parse_failure(status: int, stderr: str) -> CommandFailed:
    """The error a failed command reports (see the module docstring)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if lines:
        try:
            reported = json.loads(lines[-1])
        except ValueError:
            reported = None
        if isinstance(reported, dict) and isinstance(reported.get("errorType"), str):
            trace = reported.get("stackTrace")
            return CommandFailed(
                reported["errorType"],
                str(reported.get("errorMessage", "")),
                [str(t) for t in trace] if isinstance(trace, list) else lines[:-1],
            )
    if status < 0:
        name = signal.Signals(-status).name if -status in signal.valid_signals() else f"signal {-status}"
        ending = f"signal: {_SIGNALS.get(name, name.lower())}"
    else:
        ending = f"exit status {status}"
    return CommandFailed("Runtime.ExitError", f"Runtime exited with error: {ending}", lines)


def environment(context: Any, cwd: Path, region: str, seconds: float) -> dict[str, str]:
    """The variables a command runs with (see the module docstring)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    arn = str(getattr(context, "invoked_function_arn", ""))
    parts = arn.split(":")
    if arn.startswith("arn:") and len(parts) > 3 and parts[3]:
        region = parts[3]
    env |= {"AWS_REGION": region, "AWS_DEFAULT_REGION": region, "LAMBDA_TASK_ROOT": str(cwd)}
    env |= PLACEHOLDER_CREDENTIALS
    name = getattr(context, "function_name", None)
    if isinstance(name, str):
        env |= {
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": str(getattr(context, "function_version", "$LATEST")),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(getattr(context, "memory_limit_in_mb", "128")),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(max(math.ceil(seconds), 1)),
            "AWS_LAMBDA_LOG_GROUP_NAME": str(getattr(context, "log_group_name", f"/aws/lambda/{name}")),
            "AWS_LAMBDA_LOG_STREAM_NAME": str(getattr(context, "log_stream_name", "$LATEST")),
        }
    return env


class _Output:
    """A bounded capture of one stream: the head up to `limit` (stdout), or the tail (stderr)."""

    def __init__(self, limit: int, keep_tail: bool = False) -> None:
        self.limit = limit
        self.keep_tail = keep_tail
        self.data = bytearray()
        self.size = 0

    @property
    def over(self) -> bool:
        """True when more than `limit` bytes came."""
        return self.size > self.limit

    def add(self, chunk: bytes) -> None:
        """Keep `chunk` within the bound."""
        self.size += len(chunk)
        if self.keep_tail:
            self.data += chunk
            del self.data[: max(len(self.data) - self.limit, 0)]
        elif len(self.data) <= self.limit:
            self.data += chunk[: self.limit + 1 - len(self.data)]


def _kill_group(pid: int) -> None:
    """Kill the command's process group (its session: the command and whatever it started)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows has no process groups
            os.kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass


async def _run(argv: list[str], data: bytes, cwd: Path, env: dict[str, str]) -> tuple[int, _Output, _Output]:
    """Run the command to its exit: (exit status, stdout, stderr); the caller bounds the time."""
    import anyio
    from anyio.abc import ByteReceiveStream, ByteSendStream

    stdout, stderr = _Output(RESPONSE_LIMIT), _Output(STDERR_LIMIT, keep_tail=True)
    process = await anyio.open_process(argv, cwd=cwd, env=env, start_new_session=True)
    drained = [anyio.Event(), anyio.Event()]

    async def feed(stream: ByteSendStream) -> None:
        try:
            await stream.send(data)
            await stream.aclose()
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass  # the command exited without reading its event

    async def drain(stream: ByteReceiveStream, output: _Output, done: anyio.Event) -> None:
        async for chunk in stream:
            output.add(chunk)
            if output is stdout and output.over:
                _kill_group(process.pid)  # Lambda refuses the response anyway: stop a runaway writer
                break
        done.set()

    stdin, out, err = process.stdin, process.stdout, process.stderr
    if stdin is None or out is None or err is None:  # pragma: no cover - open_process pipes all three
        raise OSError("the command's standard streams are not pipes")
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(feed, stdin)
            group.start_soon(drain, out, stdout, drained[0])
            group.start_soon(drain, err, stderr, drained[1])
            status = await process.wait()
            with anyio.move_on_after(GRACE_SECONDS):
                for event in drained:
                    await event.wait()
            group.cancel_scope.cancel()
    finally:
        _kill_group(process.pid)
        with anyio.CancelScope(shield=True), anyio.move_on_after(5):
            await process.aclose()
    return status, stdout, stderr


def command_function(command: str, cwd: Path, timeout: float = 900.0, region: str = "us-east-1") -> Any:
    """A Lambda-style function `(event, context)` that runs `command` (async; see the module docstring)."""
    argv = shlex.split(command)
    if not argv:
        raise ValueError("an empty command")

    async def function(event: Any, context: Any) -> Any:
        import anyio

        millis = (
            context.get_remaining_time_in_millis() if hasattr(context, "get_remaining_time_in_millis") else 0
        )
        seconds = millis / 1000 if millis else timeout
        env = environment(context, cwd, region, seconds)
        try:
            with anyio.fail_after(seconds):
                status, stdout, stderr = await _run(argv, json.dumps(event).encode(), cwd, env)
        except TimeoutError:
            raise StatesTimeout(
                f"The command {command!r} did not answer within {seconds:g} seconds"
            ) from None
        except OSError as exc:
            raise TaskFailed(
                "Runtime.InvalidEntrypoint", f"cannot run {command!r}: {exc.strerror or exc}"
            ) from None
        if stdout.over:
            message = f"Response payload size exceeded maximum allowed payload size ({RESPONSE_LIMIT} bytes)."
            raise CommandFailed("Function.ResponseSizeTooLarge", message, [])
        if status != 0:
            raise parse_failure(status, stderr.data.decode("utf-8", "replace"))
        text = stdout.data.decode("utf-8", "replace").strip()
        if not text:
            return None
        try:
            return jsonvalue.loads(text)
        except ValueError:  # JSONDecodeError, and JsonValueError (NaN, nested too deeply...)
            raise CommandFailed(
                "Runtime.MarshalError", f"the command's stdout is not JSON: {text[:200]}", []
            ) from None

    return function
