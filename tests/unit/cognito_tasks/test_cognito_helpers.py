"""Pure helpers: password policy and hashing, filters, masks, page tokens, timestamp rendering."""

from __future__ import annotations

import base64
import hashlib

import pytest

from cognito_tasks import filters, passwords, wire
from cognito_tasks.errors import InvalidParameterException, InvalidPasswordException
from cognito_tasks.model import PasswordPolicy


@pytest.mark.parametrize(
    ("policy", "password", "problem"),
    [
        (PasswordPolicy(), "Passw0rd!", None),
        (PasswordPolicy(), "Pa0!", "Password not long enough"),
        (PasswordPolicy(minimum_length=6, require_symbols=False), "Abc123", None),
        (
            PasswordPolicy(require_uppercase=False, require_symbols=False, require_numbers=False),
            "lowercase",
            None,
        ),
        (PasswordPolicy(), "Passw0rd ", "Password must have symbol characters"),
        (PasswordPolicy(), "Pass w0rd", "Password must have symbol characters"),
        (PasswordPolicy(), "Passw0rd~", None),
        (PasswordPolicy(), "PASSW0RD!", "Password must have lowercase characters"),
    ],
)
def test_password_policy(policy: PasswordPolicy, password: str, problem: str | None) -> None:
    assert passwords.problem(policy, password) == problem
    if problem is None:
        passwords.check(policy, password)
    else:
        with pytest.raises(InvalidPasswordException, match=problem):
            passwords.check(policy, password)


def test_password_hashes_are_salted_argon2id_at_owasp_cost() -> None:
    """OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, parallelism 1."""
    one = passwords.hash_password("Secret1!")
    two = passwords.hash_password("Secret1!")
    assert one != two
    assert one.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(one, "Secret1!")
    assert not passwords.verify_password(one, "secret1!")
    assert not passwords.verify_password(None, "Secret1!")
    assert not passwords.verify_password("md5$x", "Secret1!")
    assert not passwords.needs_rehash(one)
    assert passwords.needs_rehash(passwords.hash_password("Secret1!", passwords.FAST_HASHER))


def test_legacy_pbkdf2_hashes_are_wrapped_without_the_password() -> None:
    salt = base64.b64encode(b"0123456789abcdef").decode()
    digest = hashlib.pbkdf2_hmac("sha256", b"Secret1!", b"0123456789abcdef", 2000)
    legacy = f"pbkdf2_sha256$2000${salt}${base64.b64encode(digest).decode()}"
    assert passwords.verify_password(legacy, "Secret1!")
    wrapped = passwords.wrap_legacy(legacy)
    assert wrapped.startswith("argon2-pbkdf2$2000$")
    assert base64.b64encode(digest).decode() not in wrapped
    assert passwords.verify_password(wrapped, "Secret1!")
    assert not passwords.verify_password(wrapped, "Secret2!")
    assert passwords.needs_rehash(wrapped)
    assert passwords.wrap_legacy(wrapped) == wrapped


@pytest.mark.parametrize("length", [6, 8, 15, 40, 99])
def test_generated_passwords_satisfy_the_policy(length: int) -> None:
    policy = PasswordPolicy(minimum_length=length)
    for seed in range(20):
        generated = passwords.temporary_password(policy, bytes(range(seed, seed + 32)))
        assert passwords.problem(policy, generated) is None
        assert " " not in generated


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("  ", None),
        ('email = "a@b.c"', filters.Filter("email", False, "a@b.c")),
        ('email^="a"', filters.Filter("email", True, "a")),
        ('  name  =  "with \\"quotes\\""  ', filters.Filter("name", False, 'with "quotes"')),
        ('cognito:user_status = "UNCONFIRMED"', filters.Filter("cognito:user_status", False, "UNCONFIRMED")),
    ],
)
def test_filter_parse(text: str | None, expected: filters.Filter | None) -> None:
    assert filters.parse(text) == expected


@pytest.mark.parametrize("text", ['email "a"', 'email = "a', "email = 'a'", 'email == "a"', '= "a"'])
def test_filter_parse_errors(text: str) -> None:
    with pytest.raises(InvalidParameterException, match=r"Error while parsing filter\."):
        filters.parse(text)


@pytest.mark.parametrize(
    ("value", "masked"),
    [("jane@example.com", "j***@e***"), ("+14325551212", "+*******1212"), ("", "")],
)
def test_mask(value: str, masked: str) -> None:
    assert wire.mask(value) == masked


def test_page_tokens() -> None:
    items = list(range(7))
    first, token = wire.page(items, 3, None, "k")
    assert list(first) == [0, 1, 2]
    assert token is not None
    second, token = wire.page(items, 3, token, "k")
    assert list(second) == [3, 4, 5]
    third, token = wire.page(items, 3, token, "k")
    assert (list(third), token) == ([6], None)
    everything, token = wire.page(items, 0, None, "k")
    assert (list(everything), token) == (items, None)
    _, other = wire.page(items, 3, None, "other")
    with pytest.raises(InvalidParameterException):
        wire.page(items, 3, other, "k")


def test_render_timestamps() -> None:
    value = {"A": [wire.Timestamp(0.5)], "B": 1.5, "C": "x"}
    assert wire.render(value, "iso") == {"A": ["1970-01-01T00:00:00.500Z"], "B": 1.5, "C": "x"}
    assert wire.render(value, "epoch") == {"A": [0.5], "B": 1.5, "C": "x"}
    assert isinstance(value["A"][0], wire.Timestamp)
