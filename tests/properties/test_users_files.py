"""Odd users files (issue 17): a mutated saved directory either fails to load with a message, or loads
into a directory every action can use, answering only with Cognito's own errors.

The mutations replace a value anywhere in a real saved document (a pool with schema, MFA, triggers,
clients, groups, users in every status, codes, sessions and challenges) by another JSON value, remove
a member, or add one. Allowed outcomes: InputError when loading; after loading, a response or a
CognitoError / NotEmulated from every action tried. A TypeError, KeyError, ValueError (...) is a bug.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pyotp
from hypothesis import given, settings
from hypothesis import strategies as st

from asl.errors import InputError
from cognito_tasks import api, passwords, persist
from cognito_tasks.errors import CognitoError, NotEmulated
from tests.bounded import bounded
from tests.unit.cognito_tasks.cognito_harness import PASSWORD, make_harness

_EXAMPLES = int(os.environ.get("ASL_FUZZ_EXAMPLES", "0") or 0)
NOW = 1_700_000_500.0

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.sampled_from([1e300, -1.0, 2**63, 253402300800])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@cache
def baseline() -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A saved directory with most kinds of data, and the tokens and ids issued with it."""
    h = make_harness()
    pool_id = h.pool(
        Schema=[
            {"Name": "tier", "AttributeDataType": "String"},
            {"Name": "age", "AttributeDataType": "Number"},
        ],
        AutoVerifiedAttributes=["email"],
        AliasAttributes=["email"],
        LambdaConfig={"CustomMessage": "arn:aws:lambda:us-east-1:123456789012:function:none"},
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:us-east-1:1:identity/x",
        },
    )
    h.directory.pools[pool_id].lambda_config = {}
    client_id = h.client(pool_id, GenerateSecret=False)
    h.call(
        "setUserPoolMfaConfig",
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    h.call("createGroup", UserPoolId=pool_id, GroupName="g", Precedence=1, RoleArn="arn:aws:iam::1:role/r")
    h.user(pool_id, "ann", email="ann@example.com", email_verified="true", **{"custom:tier": "gold"})
    h.call("adminAddUserToGroup", UserPoolId=pool_id, Username="ann", GroupName="g")
    h.call("adminCreateUser", UserPoolId=pool_id, Username="ben", TemporaryPassword="Temp-Passw0rd!")
    h.call("signUp", ClientId=client_id, Username="cat", Password=PASSWORD)
    tokens = h.sign_in(pool_id, client_id, "ann")
    secret = h.call("associateSoftwareToken", AccessToken=tokens["AccessToken"])["SecretCode"]
    h.call(
        "verifySoftwareToken",
        AccessToken=tokens["AccessToken"],
        UserCode=pyotp.TOTP(secret).at(h.clock.now()),
    )
    h.call(
        "adminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ben", "PASSWORD": "Temp-Passw0rd!"},
    )
    document = json.loads(json.dumps(persist.to_dict(h.directory)))
    return json.dumps(document), {"pool": pool_id, "client": client_id}, tokens


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@cache
def all_paths() -> list[tuple[Any, ...]]:
    return [p for p in paths(json.loads(baseline()[0])) if p]


def mutate(document: dict[str, Any], path: tuple[Any, ...], how: str, replacement: Any) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    parent: Any = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if how == "replace":
        parent[last] = replacement
    elif how == "remove":
        del parent[last]
    elif isinstance(parent, dict):
        parent[f"extra{len(parent)}"] = replacement
    else:
        parent.append(replacement)
    return doc


def exercise(directory: Any, ids: dict[str, Any], tokens: dict[str, Any]) -> None:
    """Every kind of action against the loaded directory: only Cognito's errors are allowed."""
    pool_ids = list(directory.pools) or [ids["pool"]]
    requests: list[tuple[str, dict[str, Any]]] = []
    for pool_id in pool_ids:
        pool = directory.pools.get(pool_id)
        clients = list(pool.clients) if pool else [ids["client"]]
        requests += [
            ("DescribeUserPool", {"UserPoolId": pool_id}),
            ("GetUserPoolMfaConfig", {"UserPoolId": pool_id}),
            ("ListUsers", {"UserPoolId": pool_id}),
            ("ListUsers", {"UserPoolId": pool_id, "Filter": 'email ^= "a"'}),
            ("ListGroups", {"UserPoolId": pool_id}),
            ("AdminCreateUser", {"UserPoolId": pool_id, "Username": "new-user", "MessageAction": "SUPPRESS"}),
        ]
        for client_id in clients[:2]:
            requests.append(("DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id}))
        for user in list(pool.users.values())[:4] if pool else []:
            requests += [
                ("AdminGetUser", {"UserPoolId": pool_id, "Username": user.username}),
                ("AdminListGroupsForUser", {"UserPoolId": pool_id, "Username": user.username}),
                (
                    "AdminUpdateUserAttributes",
                    {
                        "UserPoolId": pool_id,
                        "Username": user.username,
                        "UserAttributes": [{"Name": "name", "Value": "x"}],
                    },
                ),
            ]
            for client_id in clients[:1]:
                for password in (PASSWORD, "Temp-Passw0rd!"):
                    requests.append(
                        (
                            "AdminInitiateAuth",
                            {
                                "UserPoolId": pool_id,
                                "ClientId": client_id,
                                "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                                "AuthParameters": {"USERNAME": user.username, "PASSWORD": password},
                            },
                        )
                    )
                requests.append(("ForgotPassword", {"ClientId": client_id, "Username": user.username}))
            requests.append(("AdminResetUserPassword", {"UserPoolId": pool_id, "Username": user.username}))
    requests += [
        ("GetUser", {"AccessToken": tokens["AccessToken"]}),
        ("GlobalSignOut", {"AccessToken": tokens["AccessToken"]}),
        (
            "InitiateAuth",
            {
                "ClientId": ids["client"],
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]},
            },
        ),
        ("ListUserPools", {"MaxResults": 10}),
    ]
    for challenge in list(directory.challenges.values())[:2]:
        requests.append(
            (
                "RespondToAuthChallenge",
                {
                    "ClientId": challenge.client_id,
                    "ChallengeName": challenge.name,
                    "Session": challenge.session,
                    "ChallengeResponses": {
                        "USERNAME": challenge.username,
                        "NEW_PASSWORD": "N3w-Passw0rd!",
                        "ANSWER": "x",
                    },
                },
            )
        )
    for name, request in requests:
        with contextlib.suppress(CognitoError, NotEmulated):
            api.call(directory, name, request, NOW)
    for pool_id in list(directory.pools):
        directory.jwks(pool_id)
    persist.to_dict(directory)


@settings(max_examples=_EXAMPLES or 150)
@given(
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["replace", "replace", "remove", "add"]),
    JSON_VALUES,
)
def test_odd_users_files_load_with_a_message_or_work(pick: int, how: str, replacement: Any) -> None:
    text, ids, tokens = baseline()
    targets = all_paths()
    path = targets[pick % len(targets)]
    document = mutate(json.loads(text), path, how, replacement)
    with bounded(20, f"loading and using a users file mutated at {path}"):
        try:
            directory = persist.from_dict(document)
        except InputError:
            return
        directory.hasher = passwords.FAST_HASHER
        exercise(directory, ids, tokens)


V1_SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "password-reset" / "users.json"


@settings(max_examples=_EXAMPLES or 40)
@given(
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["replace", "remove", "add"]),
    JSON_VALUES,
)
def test_odd_version_1_files_upgrade_with_a_message_or_work(pick: int, how: str, replacement: Any) -> None:
    document = json.loads(V1_SAMPLE.read_text())
    targets = [p for p in paths(document) if p]
    path = targets[pick % len(targets)]
    with bounded(20, f"loading a version-1 users file mutated at {path}"):
        try:
            directory = persist.from_dict(mutate(document, path, how, replacement))
        except InputError:
            return
        directory.hasher = passwords.FAST_HASHER
        pool_id = next(iter(directory.pools), "us-east-1_x")
        exercise(directory, {"pool": pool_id, "client": "none"}, {"AccessToken": "x", "RefreshToken": "y"})
