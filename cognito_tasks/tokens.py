"""RS256 signing keys, JWKS documents and JWT signing/verification (PyJWT + cryptography).

A pool has two keys, one for ID tokens and one for access tokens, so the two token types carry
different `kid` headers as on AWS. A `kid` is the base64 SHA-256 of the public key, which looks
like AWS's (44 characters ending in `=`). Keys are generated lazily (an RSA-2048 key takes
~50-100 ms) through a key factory, so tests can hand out pre-made keys.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

#: Makes a new RSA private key and returns it as PEM text.
KeyFactory = Callable[[], str]


def generate_private_pem() -> str:
    """A new RSA-2048 private key as unencrypted PKCS#8 PEM (the default key factory)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem.decode("ascii")


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(slots=True)
class SigningKey:
    """One RSA key pair: its `kid` and private key PEM (what a persisted directory stores)."""

    private_pem: str
    _private: rsa.RSAPrivateKey | None = field(default=None, repr=False, compare=False)
    _kid: str | None = field(default=None, repr=False, compare=False)

    def private_key(self) -> rsa.RSAPrivateKey:
        """The parsed private key (parsed once)."""
        if self._private is None:
            key = serialization.load_pem_private_key(self.private_pem.encode("ascii"), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise ValueError("a pool signing key must be an RSA private key")
            self._private = key
        return self._private

    def public_key(self) -> rsa.RSAPublicKey:
        """The public half."""
        return self.private_key().public_key()

    @property
    def kid(self) -> str:
        """The key id: base64 SHA-256 of the DER public key."""
        if self._kid is None:
            der = self.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            self._kid = base64.b64encode(hashlib.sha256(der).digest()).decode("ascii")
        return self._kid

    def jwk(self) -> dict[str, str]:
        """The public key as a JWK, with the members AWS's JWKS carries."""
        numbers = self.public_key().public_numbers()
        return {
            "alg": "RS256",
            "e": _b64url_uint(numbers.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": _b64url_uint(numbers.n),
            "use": "sig",
        }


@dataclass(slots=True)
class PoolKeys:
    """A pool's two signing keys: one for ID tokens, one for access tokens."""

    id_token: SigningKey
    access_token: SigningKey

    @classmethod
    def generate(cls, factory: KeyFactory) -> PoolKeys:
        """Two new keys from `factory`."""
        return cls(SigningKey(factory()), SigningKey(factory()))

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The pool's JWKS document (`/.well-known/jwks.json`)."""
        return {"keys": [self.id_token.jwk(), self.access_token.jwk()]}


def sign(claims: dict[str, Any], key: SigningKey) -> str:
    """A compact RS256 JWS of `claims`; the header is `kid` and `alg` only, as Cognito's."""
    return jwt.encode(
        claims,
        key.private_key(),
        algorithm="RS256",
        headers={"kid": key.kid, "alg": "RS256", "typ": None},
        sort_headers=False,
    )


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWT without checking anything, or None if it is not a JWT."""
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        return claims
    except jwt.PyJWTError:
        return None


def verify(token: str, key: SigningKey) -> dict[str, Any] | None:
    """The claims if `token` is signed by `key`, else None. Times are checked by the caller's clock."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("kid") != key.kid:
            return None
        claims: dict[str, Any] = jwt.decode(
            token,
            key.public_key(),
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False},
        )
        return claims
    except jwt.PyJWTError:
        return None
