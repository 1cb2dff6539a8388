"""The JavaScript clients users ship: the AWS SDK v3 and amazon-cognito-identity-js (Amplify's SRP), run by node.

The npm packages are installed into a temporary folder (by `.ci/run`, which names it in
ASL_NODE_MODULES, or here), never into the project; without node and npm the tests skip, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cognito_service.conftest import PASSWORD, new_client, new_pool, new_user
from tests.server.conftest import Server

PACKAGES = ["@aws-sdk/client-cognito-identity-provider", "amazon-cognito-identity-js"]
SCRIPTS = Path(__file__).parent / "node"


@pytest.fixture(scope="module")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed: the JavaScript SDK and Amplify tests need them")
    given = os.environ.get("ASL_NODE_MODULES")
    if given and (Path(given) / "amazon-cognito-identity-js").is_dir():
        return Path(given)
    folder = tmp_path_factory.mktemp("npm")
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"npm could not install {' '.join(PACKAGES)} (no registry access?): {done.stderr[-400:]}")
    return folder / "node_modules"


def run_node(node_modules: Path, script: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(SCRIPTS / script), *args],
        env={**os.environ, "NODE_PATH": str(node_modules)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def test_the_javascript_sdk_runs_a_sign_up_and_sign_in(server: Server, node_modules: Path) -> None:
    result = run_node(node_modules, "sdk_flow.cjs", server.url)
    assert "failed" not in result, result
    assert result["created"] is True
    assert result["tokenType"] == "Bearer"
    assert result["username"] == "jay"
    assert result["duplicate"]["name"] == "UsernameExistsException"
    assert result["duplicate"]["sdkClass"] is True


def test_amplify_signs_in_with_srp(server: Server, idp: Any, node_modules: Path) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(
        idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    new_user(idp, pool_id, "amy", email="amy@example.com")
    ok = run_node(node_modules, "amplify_srp.cjs", server.url, pool_id, client_id, "amy", PASSWORD)
    assert ok == {"ok": True, "username": "amy", "email": "amy@example.com"}
    wrong = run_node(
        node_modules, "amplify_srp.cjs", server.url, pool_id, client_id, "amy", "Wrong-passw0rd!"
    )
    assert (wrong["ok"], wrong["code"]) == (False, "NotAuthorizedException")
