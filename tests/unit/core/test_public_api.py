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
