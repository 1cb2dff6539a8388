"""What asl.toml gives a server: its [state_machines] created on start, its Cognito users saved after executions."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from asl.config import Config
from cognito_tasks import UserDirectory, persist
from cognito_tasks.actions_pools import create_user_pool
from tests.server.conftest import PASS, REPO, Server, wait_done

CREATE_USER = "arn:aws:states:::aws-sdk:cognitoidentityprovider:adminCreateUser"


def test_configured_state_machines_exist_when_the_server_starts(start_server: Any, tmp_path: Path) -> None:
    (tmp_path / "child.json").write_text(json.dumps(PASS))
    server: Server = start_server(config=Config(root=REPO, state_machines={"Child": tmp_path / "child.json"}))
    sfn = server.client()
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:Child"
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == PASS
    execution = sfn.start_execution(stateMachineArn=arn, input='{"k": 1}')["executionArn"]
    assert json.loads(wait_done(sfn, execution)["output"]) == {"k": 1}


def test_cognito_tasks_use_and_save_the_users_file(start_server: Any, tmp_path: Path) -> None:
    directory = UserDirectory()
    pool = create_user_pool(directory, {"PoolName": "shop"}, time.time())["UserPool"]["Id"]
    users = tmp_path / "users.json"
    persist.save(directory, users)
    server: Server = start_server(config=Config(root=REPO, users=users))
    sfn = server.client()
    flow = {
        "StartAt": "Create",
        "States": {
            "Create": {
                "Type": "Task",
                "Resource": CREATE_USER,
                "Parameters": {"UserPoolId": pool, "Username.$": "$.name", "MessageAction": "SUPPRESS"},
                "End": True,
            }
        },
    }
    arn = sfn.create_state_machine(
        name="signup", definition=json.dumps(flow), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    done = wait_done(sfn, sfn.start_execution(stateMachineArn=arn, input='{"name": "ann"}')["executionArn"])
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"])["User"]["Username"] == "ann"
    saved = persist.load(users)
    assert "ann" in saved.pools[pool].users
