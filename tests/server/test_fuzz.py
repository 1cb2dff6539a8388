"""No request body, however wrong, makes the server answer 500 or stop serving (hypothesis-generated)."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.conftest import Server
from tests.server.test_protocol import post

MODEL = botocore.session.get_session().get_service_model("stepfunctions")
ARN = "arn:aws:states:us-east-1:123456789012:"
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            ARN + "stateMachine:m",
            ARN + "stateMachine:m:1",
            ARN + "stateMachine:m:prod",
            ARN + "stateMachine:m#Case",
            ARN + "execution:m:e",
            ARN + "express:m:e:1",
            ARN + "activity:a",
            "{}",
            '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}',
            "[" * 600,
            '"\\udc00"',
            "",
        ]
    ),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def requests(draw: Any) -> tuple[str, bytes]:
    operation = draw(st.sampled_from(sorted(MODEL.operation_names)))
    members = list(MODEL.operation_model(operation).input_shape.members)
    body = draw(st.dictionaries(st.sampled_from(members), VALUES, max_size=len(members)))
    return operation, json.dumps(body).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_no_body_gets_a_500(server: Server, request: tuple[str, bytes]) -> None:
    operation, body = request
    status, payload, _ = post(server, f"AWSStepFunctions.{operation}", body)
    assert status != 500, (operation, body, payload)
    if status != 200:
        assert set(payload) == {"__type", "message"}
