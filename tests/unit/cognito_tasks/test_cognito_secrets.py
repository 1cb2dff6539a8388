"""Secrets at rest (issue 17): file modes, unpredictable randomness, current KDF, no stale temporary passwords."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from cognito_harness import PASSWORD, make_harness

from asl.errors import InputError
from cognito_tasks import UserDirectory, passwords, persist
from cognito_tasks.actions_pools import create_user_pool, create_user_pool_client

ROOT = Path(__file__).resolve().parents[3]
V1_FIXTURE = ROOT / "samples" / "password-reset" / "users.json"


def test_users_file_is_0600_whatever_the_umask_or_old_mode(tmp_path: Path) -> None:
    h = make_harness()
    h.pool()
    path = tmp_path / "users.json"
    old = os.umask(0o022)
    try:
        persist.save(h.directory, path)
        assert path.stat().st_mode & 0o777 == 0o600
        os.chmod(path, 0o644)
        persist.save(h.directory, path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600


def test_without_a_seed_ids_come_from_secrets_and_no_seed_is_saved(tmp_path: Path) -> None:
    first, second = UserDirectory(), UserDirectory()
    one = create_user_pool(first, {"PoolName": "p"}, 0.0)["UserPool"]["Id"]
    two = create_user_pool(second, {"PoolName": "p"}, 0.0)["UserPool"]["Id"]
    assert one != two
    assert first.seed is None
    assert first.counter == 0
    assert persist.to_dict(first)["seed"] is None


def test_a_seed_makes_ids_repeat_and_is_saved() -> None:
    ids = []
    for _ in range(2):
        d = UserDirectory(seed="fixture")
        pool_id = create_user_pool(d, {"PoolName": "p"}, 0.0)["UserPool"]["Id"]
        ids.append(create_user_pool_client(d, {"UserPoolId": pool_id, "ClientName": "c"}, 0.0))
    assert ids[0] == ids[1]
    assert persist.to_dict(d)["seed"] == "fixture"


def test_temporary_password_is_erased_once_replaced() -> None:
    h = make_harness()
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.call("adminCreateUser", UserPoolId=pool_id, Username="u", TemporaryPassword="Temp-Passw0rd!")
    assert h.directory.latest_code(pool_id, "u") == "Temp-Passw0rd!"
    challenge = h.call(
        "adminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "u", "PASSWORD": "Temp-Passw0rd!"},
    )
    h.call(
        "adminRespondToAuthChallenge",
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "u", "NEW_PASSWORD": PASSWORD},
    )
    assert "Temp-Passw0rd!" not in json.dumps(persist.to_dict(h.directory))
    assert h.directory.latest_code(pool_id, "u") is None


def test_version_1_file_is_upgraded_on_load(tmp_path: Path) -> None:
    """A file written before 0.2: PBKDF2 hashes wrapped at once, explicit seed kept, sign-in upgrades."""
    path = tmp_path / "users.json"
    shutil.copy(V1_FIXTURE, path)
    old = json.loads(path.read_text())
    assert old["version"] == 1
    legacy = [u["password_hash"] for p in old["pools"] for u in p["users"] if u["password_hash"]]
    assert legacy
    assert all(h.startswith("pbkdf2_sha256$") for h in legacy)
    directory = persist.load(path)
    saved = persist.to_dict(directory)
    assert saved["version"] == 2
    assert saved["seed"] == old["seed"]
    hashes = [u["password_hash"] for p in saved["pools"] for u in p["users"] if u["password_hash"]]
    assert all(h.startswith("argon2-pbkdf2$") for h in hashes)
    assert not any(part in json.dumps(saved) for h in legacy for part in [h.rsplit("$", 1)[-1]])


def test_a_seed_drawn_by_version_1_is_dropped(tmp_path: Path) -> None:
    data = json.loads(V1_FIXTURE.read_text())
    data["seed"] = "0123456789abcdef0123456789abcdef"
    directory = persist.from_dict(data)
    assert directory.seed is None


def test_legacy_hash_is_replaced_at_the_next_sign_in() -> None:
    h = make_harness()
    pool_id = h.pool()
    client_id = h.client(pool_id)
    h.user(pool_id, "u")
    user = h.directory.pools[pool_id].users["u"]
    user.password_hash = passwords.wrap_legacy(_pbkdf2(PASSWORD))
    user.srp_verifier = None
    h.sign_in(pool_id, client_id, "u")
    assert user.password_hash.startswith("$argon2id$")
    assert user.srp_verifier is not None
    h.sign_in(pool_id, client_id, "u")


def _pbkdf2(password: str) -> str:
    import base64
    import hashlib

    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 2000)
    return f"pbkdf2_sha256$2000${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_passwords_and_keys_are_not_readable_by_others(tmp_path: Path) -> None:
    h = make_harness()
    pool_id = h.pool()
    h.directory.keys(h.directory.pools[pool_id])
    path = tmp_path / "users.json"
    persist.save(h.directory, path)
    assert "PRIVATE KEY" in path.read_text()
    assert path.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b'{"format": "asl-runner/cognito-directory", "version": 2, "counter": NaN}', "NaN is not valid"),
        (b"[" * 100_000, "is not usable JSON"),
        (b'{"x": 1' + b"0" * 5000 + b"}", "is not usable JSON"),
    ],
)
def test_odd_bytes_give_a_message(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "users.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        persist.load(path)


def test_schema_problems_name_the_json_pointer(tmp_path: Path) -> None:
    h = make_harness()
    pool_id = h.pool()
    h.user(pool_id, "u")
    data = persist.to_dict(h.directory)
    data["pools"][0]["users"][0]["status"] = "HAPPY"
    data["pools"][0]["clients"] = [{"id": 3}]
    with pytest.raises(InputError) as info:
        persist.from_dict(data, where="users.json")
    text = str(info.value)
    assert "users.json: not a valid Cognito user directory" in text
    assert "/pools/0/users/0/status: 'HAPPY' is not one of" in text
    assert "/pools/0/clients/0" in text


def test_duplicates_and_bad_keys_are_refused() -> None:
    h = make_harness()
    pool_id = h.pool()
    h.user(pool_id, "u")
    h.directory.keys(h.directory.pools[pool_id])
    data = persist.to_dict(h.directory)
    data["pools"][0]["users"].append(dict(data["pools"][0]["users"][0]))
    with pytest.raises(InputError, match="/pools/0/users/1: duplicate 'u'"):
        persist.from_dict(data)
    data = persist.to_dict(h.directory)
    data["pools"][0]["keys"]["id"] = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"
    with pytest.raises(InputError, match="/pools/0/keys/id: not an RSA private key"):
        persist.from_dict(data)
