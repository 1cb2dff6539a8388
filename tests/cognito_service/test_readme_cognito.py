"""README's "Amazon Cognito on the server" stays true: the action table is what is served, the boto3 example runs."""

from __future__ import annotations

import re

from cognito_tasks import api, identity_pools
from tests.server.conftest import REPO, Server


def section() -> str:
    text = (REPO / "README.md").read_text()
    return text.split("### Amazon Cognito on the server", 1)[1].split("\n### ", 1)[0]


def test_the_cognito_action_table_lists_exactly_what_is_served() -> None:
    table = section().split("**Cognito actions served**", 1)[1]
    rows = re.findall(r"^\| [^|]+ \| (.+) \|$", table, re.MULTILINE)[1:]
    listed = [name.strip() for row in rows for name in row.split(",")]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(api.operations()) | set(identity_pools.ACTIONS)


def test_the_boto3_example_runs(server: Server) -> None:
    code = re.findall(r"```python\n(.*?)```", section(), re.DOTALL)[0]
    scope: dict[str, object] = {}
    exec(code.replace("http://127.0.0.1:8083", server.url), scope)  # the README's own example
    assert scope["tokens"]["TokenType"] == "Bearer"  # type: ignore[index]
