"""The functions Step Functions adds to JSONata, and its changes to two of JSONata's own.

AWS's "JSONata functions provided by Step Functions" (Transforming data with JSONata): `$partition`,
`$range`, `$hash`, `$random` (with an optional seed), `$uuid` and `$parse`; `$eval` is not available.
Measured behaviour (floci's issues #2662 and #2676, recorded against AWS): `$random(seed)` is Java's
`java.util.Random(seed).nextDouble()`, `$range` truncates non-integer arguments toward zero and has no
1,000-element cap (that belongs to States.ArrayRange) but AWS's memory bound, and its result keeps
JSONata's sequence rule (a single element is that element). `$pad` is refused before it builds a
string past the memory bound, and `$base64decode` of text that is not base 64 fails the evaluation
instead of returning nothing.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from typing import Any

from asl import jsonvalue
from asl.jsonata_bounds import bound_error, check_length, check_range, internal_error

_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def partition(array: Any, size: Any) -> Any:
    """`$partition(array, size)`: the array cut into chunks of `size` (the last may be shorter)."""
    items = plain(array)
    if not isinstance(items, list) or not _number(size) or size < 1:
        raise ValueError("$partition expects an array and a positive integer chunk size")
    step = int(size)
    return [items[i : i + step] for i in range(0, len(items), step)]


def range_(start: Any, end: Any, step: Any = 1) -> Any:
    """`$range(start, end, step)`: start, start+step... up to end included; one element is that element."""
    if not (_number(start) and _number(end) and _number(step)) or int(step) == 0:
        raise ValueError("$range expects numbers for start, end and a non-zero step")
    first, last, by = int(start), int(end), int(step)
    count = max(0, (last - first) // by + 1)
    check_range(count)
    values = list(range(first, first + count * by, by))
    return values[0] if len(values) == 1 else values


def hash_(data: Any, algorithm: Any) -> Any:
    """`$hash(data, algorithm)`: the hex digest with MD5, SHA-1, SHA-256, SHA-384 or SHA-512."""
    import hashlib

    if not isinstance(data, str) or algorithm not in _HASHES:
        raise ValueError(f"$hash expects a string and one of {', '.join(_HASHES)}")
    return hashlib.new(_HASHES[algorithm], data.encode()).hexdigest()


_MULTIPLIER, _MASK = 0x5DEECE66D, (1 << 48) - 1


def java_random(seed: int) -> float:
    """The first `nextDouble()` of `java.util.Random(seed)` (its documented 48-bit linear congruence)."""
    state = (seed ^ _MULTIPLIER) & _MASK

    def bits(count: int) -> int:
        nonlocal state
        state = (state * _MULTIPLIER + 0xB) & _MASK
        return state >> (48 - count)

    return ((bits(26) << 27) + bits(27)) * 2.0**-53


def random_(*seed: Any) -> Any:
    """`$random()` or `$random(seed)`: a number in [0, 1); the same seed gives the same number."""
    if seed and seed[0] is not None:
        if not _number(seed[0]):
            raise ValueError("$random expects an integer seed")
        return java_random(int(seed[0]))
    return random.random()


def uuid_() -> str:
    """`$uuid()`: a version 4 UUID."""
    return str(uuid.uuid4())


def parse(text: Any) -> Any:
    """`$parse(text)`: the JSON value the string holds, parsed as strictly as AWS parses it."""
    from jsonata.jexception import JException
    from jsonata.utils import Utils

    if not isinstance(text, str):
        raise JException("D3137", -1, "$parse expects a JSON string")
    try:
        value = jsonvalue.loads(text)
    except ValueError as exc:  # json.JSONDecodeError, or NaN, Infinity and nesting past the limit
        raise JException("D3137", -1, f"Invalid JSON: {exc}") from None
    return Utils.NULL_VALUE if value is None else value


def pad(string: Any, width: Any, char: Any = None) -> Any:
    """JSONata's `$pad`, refused before it builds a string past AWS's memory bound."""
    from jsonata.functions import Functions

    if _number(width) and math.isfinite(width):
        check_length(abs(width))
    return Functions.pad(string, width, char)


def base64decode(text: Any) -> Any:
    """JSONata's `$base64decode`, failing (as AWS does) on text that is not base 64 of UTF-8."""
    import base64
    import binascii

    from jsonata.functions import Functions

    if not isinstance(text, str):
        return Functions.base64decode(text)
    try:
        return base64.b64decode(text.encode(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise internal_error() from None


#: Step Functions' additions, bound without a signature.
ADDED: dict[str, Callable[..., Any]] = {
    "partition": partition,
    "range": range_,
    "hash": hash_,
    "random": random_,
    "uuid": uuid_,
    "parse": parse,
}
#: JSONata functions replaced, keeping JSONata's own signature checks.
REPLACED: dict[str, tuple[Callable[..., Any], str]] = {
    "pad": (pad, "<s-ns?:s>"),
    "base64decode": (base64decode, "<s-:s>"),
}


def bind(engine: Any) -> None:
    """Bind the Step Functions functions into one compiled expression's environment, and unbind `$eval`."""
    from jsonata.functions import Functions
    from jsonata.jsonata import Jsonata

    for name, function in ADDED.items():
        engine.register_lambda(name, function)
    for name, (function, signature) in REPLACED.items():
        native = Jsonata.JNativeFunction(name, signature, Functions, name)
        native.method = function
        native.nargs = function.__code__.co_argcount
        engine.environment.bind(name, native)
    engine.environment.bind("eval", None)


def plain(value: Any, depth: int = 0) -> Any:
    """jsonata-python's values (NULL sentinel, sequences) as plain JSON; raise TypeError for non-JSON.

    A number that is not finite is written as JavaScript names it ("Infinity", "-Infinity", "NaN"), as
    AWS writes it; a value nested deeper than `asl.jsonvalue.MAX_DEPTH` fails the evaluation.
    """
    from jsonata.utils import Utils

    if value is Utils.NULL_VALUE or value is None:
        return None
    if isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if depth >= jsonvalue.MAX_DEPTH:
        raise bound_error(f"the result nests objects and arrays more than {jsonvalue.MAX_DEPTH} levels deep")
    if isinstance(value, list):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: plain(v, depth + 1) for k, v in value.items()}
    raise TypeError(type(value).__name__)
