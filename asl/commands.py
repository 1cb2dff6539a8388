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
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from asl.errors import StatesTimeout, TaskFailed


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
    return CommandFailed("Runtime.ExitError", f"Runtime exited with error: exit status {status}", lines)


def command_function(command: str, cwd: Path, timeout: float = 900.0) -> Any:
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
        try:
            with anyio.fail_after(seconds):
                done = await anyio.run_process(argv, input=json.dumps(event).encode(), cwd=cwd, check=False)
        except TimeoutError:
            raise StatesTimeout(
                f"The command {command!r} did not answer within {seconds:g} seconds"
            ) from None
        except OSError as exc:
            raise TaskFailed(
                "Runtime.InvalidEntrypoint", f"cannot run {command!r}: {exc.strerror or exc}"
            ) from None
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode != 0:
            raise parse_failure(done.returncode, stderr)
        text = done.stdout.decode("utf-8", "replace").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise CommandFailed(
                "Runtime.MarshalError", f"the command's stdout is not JSON: {text[:200]}", []
            ) from None

    return function
