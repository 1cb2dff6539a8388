"""Password policy checks with AWS's messages, password hashing, and policy-satisfying temporary passwords.

Hashing: Argon2id (argon2-cffi) at OWASP's minimum cost for it, 19 MiB of memory, 2 iterations, 1
lane (`HASHER`, about 40 ms a hash). The PHC string records the parameters, so a hash made at
another cost still verifies, and `needs_rehash` tells a caller (a successful sign-in) to replace it.
Hashes written by asl-runner before 0.2 were `pbkdf2_sha256$2000$<salt>$<hash>`; loading such a file
wraps each one at once as `argon2-pbkdf2$<iterations>$<salt>$<argon2id of the PBKDF2 digest>`
(`wrap_legacy`), so no weak hash stays on disk, and the next successful sign-in replaces the wrapper
with a plain Argon2id hash. `FAST_HASHER` (8 KiB, 1 iteration) exists for test suites that
hash thousands of passwords; it is never the default.

Policy messages [obs]: `Password did not conform with policy: Password not long enough`, then
`... Password must have lowercase characters`, `uppercase`, `numeric`, `symbol`, checked in that
order (the order is our choice [belief]); the first failing rule is reported.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import string

import argon2

from cognito_tasks.errors import InvalidPasswordException
from cognito_tasks.model import PasswordPolicy

#: The characters AWS counts as symbols.
SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"
_PREFIX = "Password did not conform with policy: "
#: OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
HASHER = argon2.PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: For test fixtures only: verifies like any other hash, costs almost nothing.
FAST_HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_LEGACY = "pbkdf2_sha256"
_WRAPPED = "argon2-pbkdf2"


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


def hash_password(password: str, hasher: argon2.PasswordHasher = HASHER) -> str:
    """An Argon2id PHC string for `password` (salt from the OS's CSPRNG)."""
    return hasher.hash(password)


def _pbkdf2(password: str, salt: str, iterations: str) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))


def verify_password(stored: str | None, password: str) -> bool:
    """True if `password` matches the stored hash (Argon2id, or a wrapped legacy PBKDF2 hash)."""
    if not stored:
        return False
    try:
        if stored.startswith(_WRAPPED + "$"):
            _, iterations, salt, inner = stored.split("$", 3)
            digest = base64.b64encode(_pbkdf2(password, salt, iterations)).decode()
            return HASHER.verify(inner, digest)
        if stored.startswith(_LEGACY + "$"):
            _, iterations, salt, digest = stored.split("$")
            return hmac.compare_digest(_pbkdf2(password, salt, iterations), base64.b64decode(digest))
        return HASHER.verify(stored, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError, ValueError):
        return False


def needs_rehash(stored: str, hasher: argon2.PasswordHasher = HASHER) -> bool:
    """True if `stored` is a legacy/wrapped hash or cheaper than `hasher` (never a downgrade)."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        made = argon2.extract_parameters(stored)
    except argon2.exceptions.InvalidHashError:
        return True
    return made.memory_cost < hasher.memory_cost or made.time_cost < hasher.time_cost


def is_legacy(stored: str) -> bool:
    """True for a bare PBKDF2 hash as written before 0.2."""
    return stored.startswith(_LEGACY + "$")


def wrap_legacy(stored: str) -> str:
    """A bare PBKDF2 hash wrapped in Argon2id (the password is not needed); other hashes unchanged."""
    parts = stored.split("$")
    if not is_legacy(stored) or len(parts) != 4:
        return stored
    _, iterations, salt, digest = parts
    return f"{_WRAPPED}${iterations}${salt}${HASHER.hash(digest)}"


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
