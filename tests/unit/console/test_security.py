"""The console's guard: which Host names it answers, which forms it accepts."""

from __future__ import annotations

import pytest

from asl.console.security import CSP, Guard


@pytest.mark.parametrize(
    ("bind", "host", "allowed"),
    [
        ("127.0.0.1", "127.0.0.1:8083", True),
        ("127.0.0.1", "localhost:8083", True),
        ("127.0.0.1", "LOCALHOST", True),
        ("127.0.0.1", "[::1]:8083", True),
        ("127.0.0.1", "evil.example:8083", False),  # DNS rebinding: a name that resolves to 127.0.0.1
        ("127.0.0.1", "", False),
        ("::1", "[::1]:9000", True),
        ("192.168.1.20", "192.168.1.20:8083", True),
        ("192.168.1.20", "localhost:8083", False),
        ("0.0.0.0", "anything.example", True),
        ("localhost", "localhost:1", True),
    ],
)
def test_host_must_name_the_bind_address(bind: str, host: str, allowed: bool) -> None:
    assert Guard(bind).host_allowed(host) is allowed


def test_forms_need_this_servers_token_and_origin() -> None:
    guard = Guard("127.0.0.1")
    token = guard.token
    assert guard.form_allowed(token, None, "127.0.0.1:8083")
    assert guard.form_allowed(token, "http://127.0.0.1:8083", "127.0.0.1:8083")
    assert not guard.form_allowed(token, "http://evil.example", "127.0.0.1:8083")
    assert not guard.form_allowed(token, "null", "127.0.0.1:8083")
    assert not guard.form_allowed("", None, "127.0.0.1:8083")
    assert not guard.form_allowed(token[:-1] + "0" if token[-1] != "0" else token[:-1] + "1", None, "x")
    assert Guard("127.0.0.1").token != token  # a new server, a new secret


def test_the_policy_allows_no_inline_script_and_no_framing() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CSP
