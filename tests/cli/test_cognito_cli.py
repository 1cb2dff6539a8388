"""`asl cognito`: init, jwks, pools/users/codes/events listings, CSV import, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from click.testing import CliRunner

from cli.main import COMMANDS, cli
from cognito_tasks import UserDirectory, persist, tokens
from cognito_tasks.actions_admin import admin_create_user
from cognito_tasks.actions_pools import create_user_pool, create_user_pool_client

_PEMS = iter([tokens.generate_private_pem(), tokens.generate_private_pem()] * 50)
NOW = 1_700_000_000.0


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["cognito", *args], env={"COLUMNS": "250"})


@pytest.fixture
def users_file(tmp_path: Path) -> tuple[Path, str]:
    """A saved directory with one pool (keys made), a client and two users."""
    directory = UserDirectory(seed="cli", key_factory=lambda: next(_PEMS))
    pool_id = create_user_pool(directory, {"PoolName": "shop"}, NOW)["UserPool"]["Id"]
    create_user_pool_client(directory, {"UserPoolId": pool_id, "ClientName": "web"}, NOW)
    admin_create_user(
        directory,
        {
            "UserPoolId": pool_id,
            "Username": "ann",
            "UserAttributes": [{"Name": "email", "Value": "ann@example.com"}],
            "DesiredDeliveryMediums": ["EMAIL"],
        },
        NOW,
    )
    admin_create_user(directory, {"UserPoolId": pool_id, "Username": "ben", "MessageAction": "SUPPRESS"}, NOW)
    directory.keys(directory.pools[pool_id])
    path = tmp_path / "users.json"
    persist.save(directory, path)
    return path, pool_id


def test_registered_in_main() -> None:
    assert COMMANDS["cognito"] == ("cli.cognito", "cognito")
    result = CliRunner().invoke(cli, ["--help"])
    assert "cognito" in result.output
    result = invoke("--help")
    assert result.exit_code == 0
    for name in ("init", "jwks", "pools", "users", "codes", "events", "import-csv"):
        assert name in result.output


def test_jwks(users_file: tuple[Path, str]) -> None:
    path, pool_id = users_file
    result = invoke("jwks", "--users", str(path), "--pool", pool_id)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document == persist.load(path).jwks(pool_id)
    assert [k["kty"] for k in document["keys"]] == ["RSA", "RSA"]
    for key in document["keys"]:
        jwt.PyJWK(key)


def test_jwks_creates_and_saves_keys_once(tmp_path: Path) -> None:
    directory = UserDirectory(seed="fresh", key_factory=lambda: next(_PEMS))
    pool_id = create_user_pool(directory, {"PoolName": "p"}, NOW)["UserPool"]["Id"]
    path = tmp_path / "u.json"
    persist.save(directory, path)
    first = invoke("jwks", "--users", str(path), "--pool", pool_id)
    assert first.exit_code == 0, first.output
    assert persist.load(path).pools[pool_id].keys is not None
    second = invoke("jwks", "--users", str(path), "--pool", pool_id)
    assert json.loads(second.stdout) == json.loads(first.stdout)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pool", "us-east-1_nothere"], "no user pool 'us-east-1_nothere'"),
        ([], "Missing option '--pool'"),
    ],
)
def test_jwks_errors(users_file: tuple[Path, str], args: list[str], message: str) -> None:
    path, _ = users_file
    result = invoke("jwks", "--users", str(path), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_and_damaged_files(tmp_path: Path) -> None:
    result = invoke("jwks", "--users", str(tmp_path / "none.json"), "--pool", "us-east-1_x")
    assert result.exit_code == 2
    assert "cannot read Cognito user directory" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    result = invoke("users", "--users", str(bad))
    assert result.exit_code == 2
    assert "not a saved Cognito user directory" in result.output


def test_init(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    result = invoke(
        "init", "--users", str(path), "--pool-name", "demo", "--seed", "s", "--region", "eu-west-1"
    )
    assert result.exit_code == 0, result.output
    ids = json.loads(result.stdout)
    directory = persist.load(path)
    pool = directory.pools[ids["UserPoolId"]]
    assert ids["UserPoolId"].startswith("eu-west-1_")
    assert pool.name == "demo"
    assert "ALLOW_USER_PASSWORD_AUTH" in pool.clients[ids["ClientId"]].explicit_auth_flows
    again = invoke("init", "--users", str(path))
    assert again.exit_code == 2
    assert "--force" in again.output
    assert invoke("init", "--users", str(path), "--force").exit_code == 0


@pytest.mark.parametrize(
    ("option", "name", "fragment"),
    [
        ("--pool-name", "<img src=x>", "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"),
        ("--pool-name", "", "Member must have length greater than or equal to 1"),
        ("--client-name", "x" * 129, "Member must have length less than or equal to 128"),
        ("--client-name", "web/app", "Member must satisfy regular expression pattern"),
    ],
)
def test_init_refuses_names_aws_refuses(tmp_path: Path, option: str, name: str, fragment: str) -> None:
    """CreateUserPool's PoolName and CreateUserPoolClient's ClientName: 1 to 128 characters matching
    [\\w\\s+=,.@-]+ (Amazon Cognito API Reference, CreateUserPool and CreateUserPoolClient)."""
    path = tmp_path / "new.json"
    result = invoke("init", "--users", str(path), option, name)
    assert result.exit_code == 2
    assert f"{option}: 1 validation error detected" in result.output
    assert fragment in result.output
    assert not path.exists()
    accepted = invoke(
        "init", "--users", str(path), "--pool-name", "Shop pool+=,.@-_1", "--client-name", "web 2"
    )
    assert accepted.exit_code == 0, accepted.output


def test_pools_and_users(users_file: tuple[Path, str]) -> None:
    path, pool_id = users_file
    result = invoke("pools", "--users", str(path))
    assert result.exit_code == 0, result.output
    assert "shop" in result.stdout
    listed = invoke("users", "--users", str(path), "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["Username"], r["UserStatus"], r["UserPoolId"]) for r in rows] == [
        ("ann", "FORCE_CHANGE_PASSWORD", pool_id),
        ("ben", "FORCE_CHANGE_PASSWORD", pool_id),
    ]
    assert rows[0]["Attributes"]["email"] == "ann@example.com"
    table = invoke("users", "--users", str(path), "--pool", pool_id)
    assert table.exit_code == 0
    assert "ann" in table.stdout
    assert "FORCE_CHANGE" in table.stdout
    assert invoke("users", "--users", str(path), "--pool", "us-east-1_zz").exit_code == 2


def test_codes(users_file: tuple[Path, str]) -> None:
    path, pool_id = users_file
    directory = persist.load(path)
    result = invoke("codes", "--users", str(path), "--json", "--username", "ann")
    assert result.exit_code == 0, result.output
    (code,) = json.loads(result.stdout)
    assert code["Purpose"] == "AdminCreateUser"
    assert code["Code"] == directory.latest_code(pool_id, "ann")
    assert code["DeliveryMedium"] == "EMAIL"
    assert code["Destination"] == "ann@example.com"
    assert code["Message"] == f"Your username is ann and temporary password is {code['Code']}. "
    assert code["Subject"] == "Your temporary password"
    table = invoke("codes", "--users", str(path), "--pool", pool_id)
    assert table.exit_code == 0
    assert "(suppressed)" in table.stdout


def test_events(users_file: tuple[Path, str]) -> None:
    path, pool_id = users_file
    result = invoke("events", "--users", str(path), "--pool", pool_id)
    assert result.exit_code == 0, result.output
    for kind in ("PoolCreated", "ClientCreated", "UserCreated", "CodeIssued"):
        assert kind in result.stdout


def test_import_csv(users_file: tuple[Path, str], tmp_path: Path) -> None:
    path, pool_id = users_file
    csv_file = tmp_path / "import.csv"
    csv_file.write_text(
        "cognito:username,email,email_verified,cognito:mfa_enabled\ncara,cara@example.com,true,false\n"
    )
    result = invoke("import-csv", "--users", str(path), "--pool", pool_id, str(csv_file))
    assert result.exit_code == 0, result.output
    assert "imported 1 user(s)" in result.output
    assert persist.load(path).pools[pool_id].users["cara"].status == "RESET_REQUIRED"
    bad = tmp_path / "bad.csv"
    bad.write_text("cognito:username\nx\n")
    result = invoke("import-csv", "--users", str(path), "--pool", pool_id, str(bad))
    assert result.exit_code == 2
    assert "must include cognito:mfa_enabled" in result.output
    assert "x" not in persist.load(path).pools[pool_id].users
