"""RFC 8785 (JCS) canonical JSON for values that must hash the same everywhere, forever.

Only values whose canonical form cannot drift are accepted: ``None``, booleans, integers within
±(2**53 - 1), strings of valid Unicode, lists (or tuples) and string-keyed mappings of these.
Floats are refused: their text form depends on the encoder, which is exactly the drift a hash
chain cannot survive; pass amounts as integers (e.g. hundredths) or decimal strings instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1
"""The largest integer every JSON implementation reads back exactly (I-JSON, RFC 7493)."""


class NotCanonicalisable(ValueError):
    """A value has no stable canonical form; ``path`` names where (``$.data.score``)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def check_value(value: object, path: str = "$") -> None:
    """Raise :class:`NotCanonicalisable` naming the first part of ``value`` that may drift."""
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str):
            _check_text(value, path)
        return
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise NotCanonicalisable(path, f"integer {value} is outside ±(2**53 - 1)")
        return
    if isinstance(value, float):
        raise NotCanonicalisable(
            path, f"float {value!r} is not allowed (use an integer or a decimal string)"
        )
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_value(item, f"{path}[{index}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonicalisable(path, f"key {key!r} is not a string")
            _check_text(key, f"{path} key {key!r}")
            check_value(item, f"{path}.{key}")
        return
    raise NotCanonicalisable(path, f"{type(value).__name__} is not a JSON value")


def canonical_json(value: Any) -> str:
    """Return the RFC 8785 canonical JSON text of ``value``.

    :raises NotCanonicalisable: ``value`` holds a float, an unsafe integer, a lone surrogate,
        a non-string key or a non-JSON type.
    """
    check_value(value)
    encoded: bytes = rfc8785.dumps(value)
    return encoded.decode("utf-8")


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotCanonicalisable(
            path, "string holds a lone surrogate (not valid Unicode)"
        ) from None
