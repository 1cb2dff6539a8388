"""The public names of `asl` are exactly the curated ones, and each resolves."""

from __future__ import annotations

import pytest

import asl


def test_public_names() -> None:
    assert asl.__all__ == sorted(asl.__all__)
    for name in asl.__all__:
        assert getattr(asl, name) is not None


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NotAThing"):
        _ = asl.NotAThing  # type: ignore[attr-defined]


def test_sdk_service_table_matches_botocore() -> None:
    import botocore.session

    from asl.sdk_models import botocore_name, operation

    loader = botocore.session.get_session().get_component("data_loader")
    for sfn_name in ("cognitoidentityprovider", "sfn", "cloudwatchlogs", "secretsmanager", "dynamodb"):
        name = botocore_name(sfn_name)
        assert name is not None
        model = loader.load_service_model(name, "service-2")
        assert model["metadata"]["serviceId"].lower().replace(" ", "") == sfn_name
    assert botocore_name("nosuchservice") is None
    op = operation("cognitoidentityprovider", "adminCreateUser")
    assert op is not None
    assert op.required == {"UserPoolId", "Username"}
