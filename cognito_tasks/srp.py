"""The server side of Cognito's SRP-6a variant (USER_SRP_AUTH, then the PASSWORD_VERIFIER challenge).

No maintained Python package implements Cognito's server side: pysrp (`srp`) follows RFC 5054
(other `x`, `k` and key derivation), warrant-lite and pycognito are clients. So the math is written
once here, with test vectors, and checked against pycognito's client in the tests. Cognito's choices
(as in amazon-cognito-identity-js `AuthenticationHelper`, which every client copies):

* N is the 3072-bit MODP group of RFC 3526 (the RFC 5054 3072-bit group), g = 2, H = SHA-256.
* Numbers are hashed as "padded hex": even length, with `00` prepended when the first digit is
  8-f (a positive two's-complement value), decoded to bytes. `k = H(pad(N) | pad(g))`.
* `x = H(pad(salt) | H(<pool suffix><USER_ID_FOR_SRP>:<password>))`, where the pool suffix is the
  part of the pool id after `_`; the verifier is `v = g^x mod N`.
* `B = k*v + g^b mod N`, `u = H(pad(A) | pad(B))`, `S = (A * v^u)^b mod N`.
* The key is HKDF-SHA256 with salt `pad(u)`, input `pad(S)`, info `"Caldera Derived Key" 0x01`,
  first 16 bytes.
* The client proves it holds the key with `PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(key,
  <pool suffix> | USER_ID_FOR_SRP | SECRET_BLOCK bytes | TIMESTAMP))`, where TIMESTAMP reads like
  `Tue Sep 5 08:09:40 UTC 2023` (day of month without a leading zero).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
_INFO = b"Caldera Derived Key\x01"
_DAYS = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_TIMESTAMP = re.compile(rf"^({_DAYS}) ({_MONTHS}) ([1-9]|[12][0-9]|3[01]) \d\d:\d\d:\d\d UTC \d{{4}}$")


def pad_hex(value: int | str) -> str:
    """Cognito's padded hex of a non-negative number (or of a hex string)."""
    text = value if isinstance(value, str) else format(value, "x")
    if len(text) % 2:
        return "0" + text
    if text[:1] in "89abcdefABCDEF":
        return "00" + text
    return text


def _hash_hex(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


K = _hash_hex(pad_hex(N) + pad_hex(G))


def pool_suffix(pool_id: str) -> str:
    """The part of the pool id Cognito mixes into `x` and the signature (after the `_`)."""
    return pool_id.split("_", 1)[-1]


def new_salt() -> str:
    """A fresh 128-bit salt, as padded hex."""
    return pad_hex(secrets.token_hex(16))


def private_x(pool_id: str, user_id: str, password: str, salt: str) -> int:
    """Cognito's `x` for this user, password and salt."""
    inner = hashlib.sha256(f"{pool_suffix(pool_id)}{user_id}:{password}".encode()).hexdigest()
    return _hash_hex(pad_hex(salt) + inner)


def verifier(pool_id: str, user_id: str, password: str, salt: str) -> str:
    """The password verifier `v = g^x mod N` as hex (stored instead of anything reversible)."""
    return format(pow(G, private_x(pool_id, user_id, password, salt), N), "x")


def server_public(verifier_hex: str, b: int) -> int:
    """`B = (k*v + g^b) mod N` for the server's secret `b`."""
    return (K * int(verifier_hex, 16) + pow(G, b, N)) % N


def new_server_secret(verifier_hex: str) -> tuple[int, int]:
    """A fresh secret `b` and its public `B` (never 0 mod N)."""
    while True:
        b = secrets.randbits(1024) % N
        big_b = server_public(verifier_hex, b)
        if b and big_b:
            return b, big_b


def scrambler(big_a: int, big_b: int) -> int:
    """`u = H(pad(A) | pad(B))`."""
    return _hash_hex(pad_hex(big_a) + pad_hex(big_b))


def hkdf(ikm: bytes, salt: bytes) -> bytes:
    """HKDF-SHA256 with Cognito's info string, 16 bytes."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, _INFO, hashlib.sha256).digest()[:16]


def server_key(big_a: int, b: int, verifier_hex: str) -> bytes | None:
    """The session key the server derives, or None when A is unusable (A mod N == 0 or u == 0)."""
    if big_a % N == 0:
        return None
    big_b = server_public(verifier_hex, b)
    u = scrambler(big_a, big_b)
    if u == 0:
        return None
    s = pow(big_a * pow(int(verifier_hex, 16), u, N), b, N)
    return hkdf(bytes.fromhex(pad_hex(s)), bytes.fromhex(pad_hex(u)))


def signature(key: bytes, pool_id: str, user_id: str, secret_block: str, timestamp: str) -> str:
    """The PASSWORD_CLAIM_SIGNATURE a client holding `key` sends."""
    message = (
        pool_suffix(pool_id).encode() + user_id.encode() + base64.b64decode(secret_block) + timestamp.encode()
    )
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def valid_timestamp(text: str) -> bool:
    """True if TIMESTAMP has Cognito's format (`Tue Sep 5 08:09:40 UTC 2023`)."""
    return bool(_TIMESTAMP.match(text))


def check_claim(
    *,
    big_a: int,
    b: int,
    verifier_hex: str,
    pool_id: str,
    user_id: str,
    secret_block: str,
    timestamp: str,
    claimed: str,
) -> bool:
    """True if the client's signature proves it knows the password behind `verifier_hex`."""
    key = server_key(big_a, b, verifier_hex)
    if key is None:
        return False
    expected = signature(key, pool_id, user_id, secret_block, timestamp)
    return hmac.compare_digest(expected.encode(), claimed.encode())
