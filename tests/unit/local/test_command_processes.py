"""Commands as task code: process groups, timeouts, bounded output and the environment they get."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from asl.commands import RESPONSE_LIMIT, STDERR_LIMIT
from asl.config import load_config
from asl.runner import build_runner
from asl.testing import run
from tests.bounded import bounded

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:work"

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")


def _run(tmp_path: Path, script: str, timeout: int = 30, event: Any = None) -> Any:
    """Run a one-Task flow whose function `work` is `python script.py`."""
    (tmp_path / "work.py").write_text(script)
    (tmp_path / "asl.toml").write_text(
        f'region = "eu-west-1"\n[commands]\nwork = "{sys.executable} work.py"\n'
    )
    flow = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": ARN, "TimeoutSeconds": timeout, "End": True}},
    }
    (tmp_path / "flow.json").write_text(json.dumps(flow))
    machine = build_runner(load_config(tmp_path / "asl.toml")).load(tmp_path / "flow.json")
    return run(machine, event or {})


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie nobody has reaped yet counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


#: Starts a grandchild (in the command's process group) that writes its pid and sleeps.
SPAWN = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], stdout={stdout})
open("child.pid", "w").write(str(child.pid))
{then}
"""


def test_a_timeout_kills_the_commands_whole_process_group(tmp_path: Path) -> None:
    with bounded(20, "a command past its TimeoutSeconds"):
        result = _run(tmp_path, SPAWN.format(stdout="None", then="import time; time.sleep(300)"), timeout=2)
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert _gone(int((tmp_path / "child.pid").read_text()))


def test_a_background_child_holding_stdout_does_not_hold_the_task(tmp_path: Path) -> None:
    """The answer is read until the command exits (plus a short grace), then what it left is stopped."""
    script = SPAWN.format(stdout="sys.stdout", then="print('{\"done\": true}', flush=True)")
    with bounded(15, "a command whose child keeps stdout open"):
        result = _run(tmp_path, script, timeout=10)
    assert (result.status, result.output) == ("SUCCEEDED", {"done": True})
    assert _gone(int((tmp_path / "child.pid").read_text()))


def test_commands_get_lambdas_variables_and_never_the_callers_aws_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `sam local invoke` gives a function (aws-sam-cli, samcli/local/lambdafn/env_vars.py), without
    the caller's AWS_* variables: real keys or a profile must not reach task code unasked."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("ASL_TEST_KEEP", "kept")
    script = "import json, os; print(json.dumps(dict(os.environ)))"
    env = _run(tmp_path, script, timeout=7).output
    assert {key: env.get(key) for key in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")} == {
        "AWS_SECRET_ACCESS_KEY": "asl-runner-local",
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
    }
    assert env["ASL_TEST_KEEP"] == "kept"  # PATH, HOME and the rest: the command runs on this machine
    assert {key: env[key] for key in env if key.startswith("AWS_LAMBDA_FUNCTION")} == {
        "AWS_LAMBDA_FUNCTION_NAME": "work",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": "7",
    }
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("eu-west-1", "eu-west-1")
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/work"
    assert env["LAMBDA_TASK_ROOT"] == str(tmp_path)


def test_stdout_past_lambdas_response_limit_fails_as_lambda_reports_it(tmp_path: Path) -> None:
    """Lambda's Invoke answers Function.ResponseSizeTooLarge past 6,291,556 bytes (what moto emulates too)."""
    script = f"import sys\nwhile True: sys.stdout.write('x' * {RESPONSE_LIMIT // 4})"
    with bounded(20, "a command writing without end"):
        result = _run(tmp_path, script)
    assert result.error == "Function.ResponseSizeTooLarge"
    assert json.loads(result.cause)["errorMessage"] == (
        "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
    )


def test_stderr_keeps_only_its_end(tmp_path: Path) -> None:
    script = (
        "import json, sys\nfor _ in range(200): sys.stderr.write('noise ' * 10000 + '\\n')\n"
        'print(json.dumps({"errorType": "Flooded", "errorMessage": "after the noise"}), file=sys.stderr)\n'
        "sys.exit(1)"
    )
    result = _run(tmp_path, script)
    cause = json.loads(result.cause)
    assert (result.error, cause["errorMessage"]) == ("Flooded", "after the noise")
    assert sum(map(len, cause["stackTrace"])) <= STDERR_LIMIT


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (
            "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
            "Runtime exited with error: signal: killed",
        ),
        ("import sys; sys.exit(4)", "Runtime exited with error: exit status 4"),
    ],
)
def test_an_exit_by_signal_is_reported_as_lambda_reports_it(
    tmp_path: Path, script: str, message: str
) -> None:
    result = _run(tmp_path, script)
    assert (result.error, json.loads(result.cause)["errorMessage"]) == ("Runtime.ExitError", message)
