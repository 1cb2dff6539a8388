"""Saving and loading directories (atomically, even when the writer is killed) and CSV import."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import jwt
import pytest
from cognito_harness import PASSWORD, START, Harness, make_harness, shared_key_factory

from asl.errors import InputError
from asl.resources import TaskRegistry
from cognito_tasks import persist, register
from cognito_tasks.model import UserStatus
from cognito_tasks.users import secret_hash
from tests.bounded import bounded

ROOT = Path(__file__).resolve().parents[3]


def populated() -> tuple[Harness, str, str, dict[str, str]]:
    h = make_harness()
    pool_id = h.pool(
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "tier", "AttributeDataType": "String"}],
        UsernameConfiguration={"CaseSensitive": False},
    )
    client_id = h.client(pool_id, GenerateSecret=True)
    h.call("createGroup", UserPoolId=pool_id, GroupName="g", Precedence=1)
    h.user(pool_id, "Keeper", email="k@example.com", **{"custom:tier": "gold"})
    h.call("adminAddUserToGroup", UserPoolId=pool_id, Username="keeper", GroupName="g")
    h.call(
        "signUp",
        ClientId=client_id,
        Username="pending",
        Password=PASSWORD,
        SecretHash=_hash(h, pool_id, client_id, "pending"),
        UserAttributes=[{"Name": "email", "Value": "p@example.com"}],
    )
    auth = h.call(
        "adminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "keeper",
            "PASSWORD": PASSWORD,
            "SECRET_HASH": _hash(h, pool_id, client_id, "keeper"),
        },
    )["AuthenticationResult"]
    return h, pool_id, client_id, auth


def _hash(h: Harness, pool_id: str, client_id: str, username: str) -> str:
    return secret_hash(h.directory.pools[pool_id].clients[client_id], username)


def test_round_trip(tmp_path: Path) -> None:
    h, pool_id, client_id, auth = populated()
    path = tmp_path / "users.json"
    persist.save(h.directory, path)
    loaded = persist.load(path)
    assert persist.to_dict(loaded) == persist.to_dict(h.directory)
    assert loaded.jwks(pool_id) == h.directory.jwks(pool_id)
    assert loaded.latest_code(pool_id, "pending") == h.directory.latest_code(pool_id, "pending")
    pool = loaded.pools[pool_id]
    assert pool.users["keeper"].status == UserStatus.CONFIRMED
    assert pool.users["keeper"].groups == ["g"]
    text = path.read_text()
    assert PASSWORD not in text
    assert "BEGIN PRIVATE KEY" in text

    # The next run continues: tokens still verify, refresh tokens still work, ids do not repeat.
    again = make_harness()
    again.directory = loaded

    again.registry = TaskRegistry()
    register(again.registry, loaded)
    assert again.call("getUser", AccessToken=auth["AccessToken"])["Username"] == "Keeper"
    jwk = loaded.jwks(pool_id)["keys"][0]
    claims = jwt.decode(
        auth["IdToken"],
        key=jwt.PyJWK(jwk),
        algorithms=["RS256"],
        audience=client_id,
        options={"verify_exp": False},
    )
    assert claims["cognito:username"] == "Keeper"
    refreshed = again.call(
        "initiateAuth",
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": auth["RefreshToken"],
            "SECRET_HASH": _hash(again, pool_id, client_id, "Keeper"),
        },
    )
    assert "AccessToken" in refreshed["AuthenticationResult"]
    assert again.pool() not in h.directory.pools


def test_save_replaces_and_keeps_mode(tmp_path: Path) -> None:
    h, *_ = populated()
    path = tmp_path / "users.json"
    path.write_text("old")
    os.chmod(path, 0o600)
    persist.save(h.directory, path)
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert json.loads(path.read_text())["format"] == persist.FORMAT
    assert [p.name for p in tmp_path.iterdir()] == ["users.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"format": "something else"}', "not a saved Cognito user directory"),
        ('{"format": "asl-runner/cognito-directory", "version": 99}', "unsupported"),
        ('{"format": "asl-runner/cognito-directory", "version": 1}', "'region' is a required property"),
    ],
)
def test_load_rejects_bad_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        persist.load(path)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        persist.load(tmp_path / "missing.json")


WRITER = textwrap.dedent(
    """
    import sys
    from cognito_tasks import persist
    from cognito_tasks.actions_pools import create_user_pool
    from cognito_tasks.directory import UserDirectory
    from cognito_tasks.model import User, UserStatus

    path, count = sys.argv[1], int(sys.argv[2])
    directory = UserDirectory(seed="writer")
    pool_id = create_user_pool(directory, {"PoolName": "v0"}, 0.0)["UserPool"]["Id"]
    pool = directory.pools[pool_id]
    for i in range(count):
        user = User(f"user{i}", {"sub": f"sub-{i}", "name": "x" * 300}, UserStatus.CONFIRMED, 0.0, 0.0)
        pool.users[user.username] = user
    version = 0
    while True:
        version += 1
        pool.name = f"v{version}"
        persist.save(directory, path)
    """
)


def test_save_is_atomic_when_the_writer_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    count = 3000
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(5)
    versions: list[int] = []
    for _ in range(6):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(count)], cwd=ROOT, env=env)
        try:
            deadline = time.monotonic() + 30
            while not path.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            stop = time.monotonic() + rng.uniform(0.05, 0.4)
            while time.monotonic() < stop:
                data = json.loads(path.read_text())
                assert len(data["pools"][0]["users"]) == count
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait()
        assert writer.returncode == -signal.SIGKILL
        loaded = persist.load(path)
        (pool,) = loaded.pools.values()
        assert len(pool.users) == count
        versions.append(int(pool.name[1:]))
    assert all(v >= 1 for v in versions)


# -- CSV import -----------------------------------------------------------------------------------


def test_csv_header(h: Harness) -> None:
    pool_id = h.pool(
        Schema=[
            {"Name": "tier", "AttributeDataType": "String"},
            {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
        ]
    )
    header = persist.csv_header(h.directory.pools[pool_id])
    assert header[0] == "cognito:username"
    assert "cognito:mfa_enabled" in header
    assert {"email", "email_verified", "phone_number_verified", "updated_at"} <= set(header)
    assert header[-1] == "custom:tier"
    assert "dev:custom:secret" not in header


def test_import_csv(h: Harness, tmp_path: Path) -> None:
    pool_id = h.pool(Schema=[{"Name": "tier", "AttributeDataType": "String"}])
    client_id = h.client(pool_id)
    csv_file = tmp_path / "users.csv"
    csv_file.write_text(
        "cognito:username,name,email,email_verified,phone_number,phone_number_verified,cognito:mfa_enabled,custom:tier\n"
        "ivy,Ivy,ivy@example.com,TRUE,,false,false,gold\n"
        "jay,Jay,,,+14325551212,true,true,\n",
        encoding="utf-8",
    )
    added = persist.import_csv(h.directory, pool_id, csv_file, START)
    assert [u.username for u in added] == ["ivy", "jay"]
    ivy = h.call("adminGetUser", UserPoolId=pool_id, Username="ivy")
    assert ivy["UserStatus"] == "RESET_REQUIRED"
    values = {a["Name"]: a["Value"] for a in ivy["UserAttributes"]}
    assert values["email_verified"] == "true"
    assert values["custom:tier"] == "gold"
    assert "phone_number" not in values
    assert h.directory.pools[pool_id].users["jay"].mfa.sms_enabled is True
    h.fails(
        "adminInitiateAuth",
        "NotAuthorizedException",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ivy", "PASSWORD": PASSWORD},
    )
    h.call("forgotPassword", ClientId=client_id, Username="ivy")
    code = h.directory.latest_code(pool_id, "ivy")
    h.call(
        "confirmForgotPassword", ClientId=client_id, Username="ivy", ConfirmationCode=code, Password=PASSWORD
    )
    h.sign_in(pool_id, client_id, "ivy")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cognito:username,email\nx,x@example.com\n", "must include cognito:mfa_enabled"),
        ("cognito:username,cognito:mfa_enabled,shoe_size\n", "not in the pool's header: shoe_size"),
        (
            "cognito:username,cognito:mfa_enabled,email,email_verified\nx,false,x@example.com,false\n",
            "line 2: email_verified or phone_number_verified must be true",
        ),
        (
            "cognito:username,cognito:mfa_enabled,email,email_verified\n,false,x@example.com,true\n",
            "line 2: cognito:username is empty",
        ),
        (
            "cognito:username,cognito:mfa_enabled,email,email_verified\nx,false,bad,true\n",
            "line 2: Attributes did not conform to the schema: email: Invalid email address format.",
        ),
        (
            "cognito:username,cognito:mfa_enabled,email,email_verified\nx,false,x@example.com,true\nx,false,y@example.com,true\n",
            "line 3: duplicate user x",
        ),
        (
            "cognito:username,cognito:mfa_enabled,email,email_verified\nexisting,false,x@example.com,true\n",
            "line 2: User account already exists",
        ),
    ],
)
def test_import_csv_errors(h: Harness, text: str, message: str) -> None:
    pool_id = h.pool()
    h.user(pool_id, "existing")
    with pytest.raises(InputError, match=message.replace(".", r"\.")):
        persist.import_csv(h.directory, pool_id, io.StringIO(text), START)
    assert list(h.directory.pools[pool_id].users) == ["existing"]


def test_import_csv_unknown_pool() -> None:
    h = make_harness()
    with pytest.raises(InputError, match="does not exist"):
        persist.import_csv(h.directory, "us-east-1_none", io.StringIO(""), START)


def test_load_uses_given_key_factory(tmp_path: Path) -> None:
    h = make_harness()
    pool_id = h.pool()
    path = tmp_path / "u.json"
    persist.save(h.directory, path)
    loaded = persist.load(path, key_factory=shared_key_factory())
    assert loaded.pools[pool_id].keys is None
    assert len(loaded.jwks(pool_id)["keys"]) == 2


@pytest.mark.parametrize(("kind", "message"), [("fifo", "named pipe"), ("binary", "not UTF-8 text")])
def test_import_csv_refuses_a_pipe_or_binary_file_at_once(
    h: Harness, tmp_path: Path, kind: str, message: str
) -> None:
    pool_id = h.pool()
    source = tmp_path / "users.csv"
    if kind == "fifo":
        os.mkfifo(source)
    else:
        source.write_bytes(b"cognito:username\xff\n")
    with bounded(5, "importing from a special file"), pytest.raises(InputError, match=message):
        persist.import_csv(h.directory, pool_id, source, START)
