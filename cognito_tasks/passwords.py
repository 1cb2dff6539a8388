"""Password policy checks with AWS's messages, salted hashing, and policy-satisfying temporary passwords.

Passwords are stored only as `pbkdf2_sha256$<iterations>$<salt>$<hash>` (hashlib.pbkdf2_hmac).
The iteration count is modest because this is a local emulator that hashes on every test; it is
recorded in each hash, so raising it later keeps old hashes valid.

Policy messages [obs]: `Password did not conform with policy: Password not long enough`, then
`... Password must have lowercase characters`, `uppercase`, `numeric`, `symbol`, checked in that
order (the order is our choice [belief]); the first failing rule is reported.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import string

from cognito_tasks.errors import InvalidPasswordException
from cognito_tasks.model import PasswordPolicy

#: The characters AWS counts as symbols.
SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"
ITERATIONS = 2000
_PREFIX = "Password did not conform with policy: "


def problem(policy: PasswordPolicy, password: str) -> str | None:
    """The first rule `password` breaks, as AWS words it, or None."""
    if len(password) < policy.minimum_length:
        return "Password not long enough"
    if policy.require_lowercase and not any(c.islower() for c in password):
        return "Password must have lowercase characters"
    if policy.require_uppercase and not any(c.isupper() for c in password):
        return "Password must have uppercase characters"
    if policy.require_numbers and not any(c in string.digits for c in password):
        return "Password must have numeric characters"
    if policy.require_symbols and not any(c in SYMBOLS for c in password.strip()):
        return "Password must have symbol characters"
    return None


def check(policy: PasswordPolicy, password: str) -> None:
    """Raise InvalidPasswordException if `password` breaks the policy."""
    reason = problem(policy, password)
    if reason is not None:
        raise InvalidPasswordException(_PREFIX + reason)


def hash_password(password: str, salt: bytes, iterations: int = ITERATIONS) -> str:
    """A self-describing salted PBKDF2-SHA256 hash."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    enc = base64.b64encode
    return f"pbkdf2_sha256${iterations}${enc(salt).decode()}${enc(digest).decode()}"


def verify_password(stored: str | None, password: str) -> bool:
    """True if `password` matches the stored hash."""
    if not stored:
        return False
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def temporary_password(policy: PasswordPolicy, random_bytes: bytes) -> str:
    """A password that satisfies `policy`, built from `random_bytes` (at least 16 bytes)."""
    length = max(policy.minimum_length, 12)
    pools = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "^$*.!@#%&?+-=_"]
    alphabet = "".join(pools)
    stream = (random_bytes * (length // len(random_bytes) + 2))[: length + 1]
    chars = [pool[b % len(pool)] for pool, b in zip(pools, stream, strict=False)]
    chars += [alphabet[b % len(alphabet)] for b in stream[len(pools) : length]]
    shift = stream[-1] % len(chars)
    return "".join(chars[shift:] + chars[:shift])
