"""The `--users` file under stress (issue 17): odd bytes, read-only folders, concurrent runs, piped tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from cognito_tasks import UserDirectory, persist
from cognito_tasks.actions_pools import create_user_pool, create_user_pool_client

ROOT = Path(__file__).resolve().parents[2]
CREATE_USER = {
    "StartAt": "Create",
    "States": {
        "Create": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminCreateUser",
            "Parameters": {"UserPoolId.$": "$.pool", "Username.$": "$.name", "MessageAction": "SUPPRESS"},
            "ResultSelector": {"name.$": "$.User.Username"},
            "End": True,
        }
    },
}


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, str]:
    directory = UserDirectory()
    pool_id = create_user_pool(directory, {"PoolName": "p"}, 0.0)["UserPool"]["Id"]
    create_user_pool_client(directory, {"UserPoolId": pool_id, "ClientName": "c"}, 0.0)
    users = tmp_path / "data" / "users.json"
    users.parent.mkdir()
    persist.save(directory, users)
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps(CREATE_USER))
    return workflow, users, pool_id


def test_users_file_not_utf8_is_a_message_for_run_and_cognito(setup: tuple[Path, Path, str]) -> None:
    workflow, users, pool_id = setup
    users.write_bytes(b'{"format": "\xff\xfe"}')
    result = run(
        "run", str(workflow), "--users", str(users), "--input", json.dumps({"pool": pool_id, "name": "a"})
    )
    assert result.exit_code == 2
    assert "is not UTF-8 text" in result.output
    assert "Traceback" not in result.output
    listed = run("cognito", "users", "--users", str(users))
    assert listed.exit_code == 2
    assert "is not UTF-8 text" in listed.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_users_file_in_a_read_only_folder_is_a_message(setup: tuple[Path, Path, str]) -> None:
    workflow, users, pool_id = setup
    os.chmod(users.parent, 0o555)
    try:
        result = run(
            "run", str(workflow), "--users", str(users), "--input", json.dumps({"pool": pool_id, "name": "a"})
        )
    finally:
        os.chmod(users.parent, 0o755)
    assert result.exit_code == 2
    assert "is a file, not a folder" in result.output  # refused before anything runs
    assert "Traceback" not in result.output


def test_a_failed_save_keeps_the_runs_output(setup: tuple[Path, Path, str], monkeypatch: Any) -> None:
    """The save fails after the run (here: the disk refuses the write); the result is still printed."""
    workflow, users, pool_id = setup

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persist, "write_atomically", refuse)
    result = run(
        "run", str(workflow), "--users", str(users), "--input", json.dumps({"pool": pool_id, "name": "a"})
    )
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {"name": "a"}
    assert "cannot write the Cognito user directory" in result.stderr
    assert "No space left on device" in result.stderr


def test_ten_concurrent_runs_lose_no_update(setup: tuple[Path, Path, str]) -> None:
    workflow, users, pool_id = setup
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from cli.main import main; main()",
                "run",
                str(workflow),
                "--users",
                str(users),
                "--input",
                json.dumps({"pool": pool_id, "name": f"user{i}"}),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(10)
    ]
    outcomes = [(p.wait(timeout=120), p.stdout.read() if p.stdout else b"") for p in runs]
    assert [code for code, _ in outcomes] == [0] * 10, [p.stderr.read() if p.stderr else b"" for p in runs]
    saved = persist.load(users).pools[pool_id].users
    assert sorted(saved) == sorted(f"user{i}" for i in range(10))


def test_pools_and_events_json(setup: tuple[Path, Path, str]) -> None:
    _, users, pool_id = setup
    pools = run("cognito", "pools", "--users", str(users), "--json")
    assert pools.exit_code == 0, pools.output
    (pool,) = json.loads(pools.stdout)
    assert pool["UserPoolId"] == pool_id
    assert pool["Issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert [c["ClientName"] for c in pool["Clients"]] == ["c"]
    events = run("cognito", "events", "--users", str(users), "--json")
    assert events.exit_code == 0, events.output
    assert [e["Event"] for e in json.loads(events.stdout)] == ["PoolCreated", "ClientCreated"]


def test_piped_tables_do_not_wrap_ids(setup: tuple[Path, Path, str]) -> None:
    _, users, pool_id = setup
    result = CliRunner().invoke(cli, ["cognito", "pools", "--users", str(users)], env={"COLUMNS": "40"})
    assert result.exit_code == 0
    client_id = next(iter(persist.load(users).pools[pool_id].clients))
    lines = result.stdout.splitlines()
    assert any(pool_id in line for line in lines)
    assert any(client_id in line for line in lines)
    assert any(f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}" in line for line in lines)


def test_users_file_whose_folder_cannot_be_written_is_a_message(setup: tuple[Path, Path, str]) -> None:
    """A folder that is a file cannot hold the lock or the saved file (this also holds for root)."""
    workflow, users, pool_id = setup
    blocker = users.parent / "blocker"
    blocker.write_text("a file, not a folder")
    result = run(
        "run",
        str(workflow),
        "--users",
        str(blocker / "users.json"),
        "--input",
        json.dumps({"pool": pool_id, "name": "a"}),
    )
    assert result.exit_code == 2
    assert "is a file, not a folder" in result.output  # refused before anything runs
    assert "Traceback" not in result.output
    init = run("cognito", "init", "--users", str(blocker / "new.json"))
    assert init.exit_code == 2
    assert "cannot write the Cognito user directory" in init.output
