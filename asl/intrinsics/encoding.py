"""Bodies of the encoding and hashing intrinsics: Base64Encode, Base64Decode, Hash."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from asl.errors import IntrinsicFailure

#: "This function takes a data string of up to 10,000 characters" (Base64Encode, Base64Decode, Hash).
MAX_INPUT_CHARS = 10_000

#: The algorithm names States.Hash accepts, with their hashlib names.
HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def base64_encode(text: str) -> str:
    """States.Base64Encode: the UTF-8 bytes of `text` in Base64, padded, on one line."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def base64_decode(encoded: str) -> str:
    """States.Base64Decode: the Base64 text decoded to bytes, read as UTF-8; AWS's decoder is lenient.

    Characters outside the alphabet are skipped, the first `=` ends the data, padding is optional and
    a lone trailing character is dropped: AWS decodes `'abc'`, `'ab==cd'`, `' YWJjZA== '` and
    `'!!!invalid!!!'` (AWS-run cases in gabrielmoreira/tiny-asl-machine).
    """
    data = _ALPHABET.findall(encoded.partition("=")[0].translate(_URL_SAFE))
    usable = len(data) - (1 if len(data) % 4 == 1 else 0)
    text = "".join(data[:usable])
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:  # unreachable: the text is canonical Base64 by now
        raise IntrinsicFailure(
            f"Invalid arguments in States.Base64Decode: the string is not valid Base64: {exc}"
        ) from None
    return raw.decode("utf-8", errors="replace")


_ALPHABET = re.compile(r"[A-Za-z0-9+/]")
_URL_SAFE = str.maketrans("-_", "+/")


def hash_(data: str, algorithm: str) -> str:
    """States.Hash: the lowercase hex digest of the UTF-8 bytes of `data`."""
    return hashlib.new(HASH_ALGORITHMS[algorithm], data.encode("utf-8")).hexdigest()
