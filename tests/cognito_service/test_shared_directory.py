"""One directory for the server's Task integration, its HTTP clients, and other processes on the users file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from asl.config import Config
from cognito_tasks import UserDirectory, persist
from cognito_tasks.actions_pools import create_user_pool
from tests.cognito_service.conftest import client, new_pool
from tests.server.conftest import REPO, ROLE, Server, wait_done

ADMIN = "arn:aws:states:::aws-sdk:cognitoidentityprovider:"


def _task(action: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Call",
        "States": {
            "Call": {"Type": "Task", "Resource": ADMIN + action, "Parameters": parameters, "End": True}
        },
    }


def _execute(server: Server, definition: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    sfn = server.client()
    name = f"wf-{time.monotonic_ns()}"
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    done = wait_done(sfn, sfn.start_execution(stateMachineArn=arn, input=json.dumps(data))["executionArn"])
    assert done["status"] == "SUCCEEDED", done
    output: dict[str, Any] = json.loads(done["output"])
    return output


def test_a_workflow_and_boto3_see_the_same_users(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    create = _task(
        "adminCreateUser", {"UserPoolId.$": "$.pool", "Username.$": "$.name", "MessageAction": "SUPPRESS"}
    )
    _execute(server, create, {"pool": pool_id, "name": "from-workflow"})
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]] == ["from-workflow"]
    idp.admin_create_user(UserPoolId=pool_id, Username="from-boto3", MessageAction="SUPPRESS")
    got = _execute(
        server, _task("adminGetUser", {"UserPoolId.$": "$.pool", "Username": "from-boto3"}), {"pool": pool_id}
    )
    assert got["Username"] == "from-boto3"
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def _users_file(tmp_path: Path) -> tuple[Path, str]:
    directory = UserDirectory()
    pool_id = create_user_pool(directory, {"PoolName": "shared"}, time.time())["UserPool"]["Id"]
    users = tmp_path / "users.json"
    persist.save(directory, users)
    return users, pool_id


def test_an_answer_is_sent_once_the_users_file_holds_it_and_a_restart_keeps_it(
    start_server: Any, tmp_path: Path
) -> None:
    users, pool_id = _users_file(tmp_path)
    first = start_server(config=Config(root=REPO, users=users))
    client(first).admin_create_user(UserPoolId=pool_id, Username="kept", MessageAction="SUPPRESS")
    assert "kept" in persist.load(users).pools[pool_id].users
    assert os.stat(users).st_mode & 0o777 == 0o600
    first.stop()
    second = start_server(config=Config(root=REPO, users=users))
    assert [u["Username"] for u in client(second).list_users(UserPoolId=pool_id)["Users"]] == ["kept"]


def test_without_a_users_file_the_directory_is_kept_next_to_the_database(
    start_server: Any, tmp_path: Path
) -> None:
    db = tmp_path / "asl.db"
    first = start_server(config=Config(root=REPO), db=str(db))
    pool_id = new_pool(client(first))
    assert pool_id in persist.load(tmp_path / "asl.users.json").pools
    first.stop()
    second = start_server(config=Config(root=REPO), db=str(db))
    assert client(second).describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id


def test_the_server_waits_for_another_holder_of_the_file_and_keeps_its_changes(
    start_server: Any, tmp_path: Path
) -> None:
    users, pool_id = _users_file(tmp_path)
    server = start_server(config=Config(root=REPO, users=users))
    idp = client(server)
    done = threading.Event()
    with persist.lock(users):  # as `asl run --users` holds it for a whole run
        outside = persist.load(users)
        outside.pools[pool_id].name = "renamed outside"
        worker = threading.Thread(
            target=lambda: (
                idp.admin_create_user(UserPoolId=pool_id, Username="server-side", MessageAction="SUPPRESS"),
                done.set(),
            )
        )
        worker.start()
        assert not done.wait(0.5), "the server changed the file while another process held its lock"
        time.sleep(0.05)
        persist.save(outside, users)
    worker.join(10)
    assert done.is_set()
    saved = persist.load(users).pools[pool_id]
    assert saved.name == "renamed outside"
    assert "server-side" in saved.users
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "renamed outside"


def test_asl_run_on_the_servers_users_file_loses_no_update(start_server: Any, tmp_path: Path) -> None:
    users, pool_id = _users_file(tmp_path)
    server = start_server(config=Config(root=REPO, users=users))
    idp = client(server)
    workflow = tmp_path / "create.json"
    workflow.write_text(
        json.dumps(
            _task(
                "adminCreateUser",
                {"UserPoolId.$": "$.pool", "Username.$": "$.name", "MessageAction": "SUPPRESS"},
            )
        )
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
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
                json.dumps({"pool": pool_id, "name": f"run{i}"}),
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(3)
    ]
    for i in range(5):
        idp.admin_create_user(UserPoolId=pool_id, Username=f"http{i}", MessageAction="SUPPRESS")
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read() if run.stderr else b""
    expected = sorted([*(f"run{i}" for i in range(3)), *(f"http{i}" for i in range(5))])
    assert sorted(persist.load(users).pools[pool_id].users) == expected
    listed = [
        u["Username"]
        for u in idp.get_paginator("list_users").paginate(UserPoolId=pool_id).build_full_result()["Users"]
    ]
    assert sorted(listed) == expected


def test_reads_leave_the_file_alone_and_a_failed_sign_in_is_kept(start_server: Any, tmp_path: Path) -> None:
    users, pool_id = _users_file(tmp_path)
    server = start_server(config=Config(root=REPO, users=users))
    idp = client(server)
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="kim", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="kim", Password="Passw0rd!", Permanent=True)
    before = os.stat(users)
    idp.list_users(UserPoolId=pool_id)
    idp.admin_get_user(UserPoolId=pool_id, Username="kim")
    idp.describe_user_pool(UserPoolId=pool_id)
    after = os.stat(users)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "kim", "PASSWORD": "Wrong-passw0rd!"},
        )
    assert persist.load(users).pools[pool_id].users["kim"].throttle.failures == 1
