"""Strict, bounded JSON decoding: one decoder for request bodies and imported JSON files.

Python's decoder is recursive (a text nested ~1,000 levels deep raises ``RecursionError``),
accepts duplicate member names (the last one silently wins), ``NaN``, ``1e400`` (infinity) and
integers of thousands of digits. :func:`decode` refuses each with :class:`HostileJson`, whose
``status`` says how an HTTP adapter answers and whose ``pointer`` (RFC 6901) says where:

===  =====================================================================================
400  not JSON: invalid UTF-8, a syntax error, a duplicate member name, ``NaN``/``Infinity``,
     a byte order mark
413  too big: the text (:data:`MAX_BODY_BYTES`), nesting (:data:`MAX_DEPTH`), a string
     (:data:`MAX_STRING`), an array or object (:data:`MAX_ITEMS`)
422  what the service never stores: a NUL character (U+0000) in a string or member name, an
     integer beyond ±(2⁶³−1), a number that overflows a double (``1e400``)
===  =====================================================================================
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

MAX_BODY_BYTES = 1024 * 1024
"""The largest JSON text (a request body, or one line of a JSON Lines file)."""
MAX_DEPTH = 32
"""The deepest nesting of arrays and objects (our schemas need 3)."""
MAX_STRING = 100_000
"""The longest string or member name, in characters."""
MAX_ITEMS = 10_000
"""The most elements of one array or members of one object."""
MAX_INT = 2**63 - 1
"""The largest magnitude of an integer (a 64-bit column on SQLite and PostgreSQL)."""

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


class HostileJson(ValueError):
    """A JSON text refused by :func:`decode`: HTTP status, title, detail and JSON Pointer."""

    def __init__(self, status: int, title: str, detail: str, pointer: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.pointer = pointer


def _malformed(detail: str, pointer: str | None = None) -> HostileJson:
    return HostileJson(400, "Malformed JSON body", detail, pointer)


def _too_large(detail: str, pointer: str | None = None) -> HostileJson:
    return HostileJson(413, "JSON body too large", detail, pointer)


def _pointer(path: list[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _check_depth(text: str) -> None:
    depth = 0
    for match in _TOKENS.finditer(text):
        found = match.group()
        if found in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_large(
                    f"nested more than {MAX_DEPTH} levels deep (at character {match.start()})"
                )
        elif found in "]}":
            depth -= 1


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(int(text)) > MAX_INT:
        raise HostileJson(
            422,
            "Number out of range",
            f"the integer {text[:24]}{'…' if len(text) > 24 else ''} is beyond ±(2^63-1)",
        )
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise HostileJson(
            422,
            "Number out of range",
            f"the number {text[:24]}{'…' if len(text) > 24 else ''} overflows a double",
        )
    return value


def _float_parser(parse: Callable[[str], Any] | None) -> Callable[[str], Any]:
    if parse is None:
        return _parse_float

    def checked(text: str) -> Any:
        _parse_float(text)
        return parse(text)

    return checked


def _parse_constant(name: str) -> Any:
    raise _malformed(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _malformed(f"the member {name[:80]!r} appears twice in one object")
        result[name] = value
    return result


def check_values(document: Any) -> None:
    """Check the sizes and characters of a decoded document (whose depth is bounded).

    :raises HostileJson: a string, array or object too long, or a NUL character.
    """
    stack: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            _check_string(value, path)
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                raise _too_large(f"an array of more than {MAX_ITEMS} elements", _pointer(path))
            stack.extend((item, [*path, index]) for index, item in enumerate(value))
        elif isinstance(value, dict):
            if len(value) > MAX_ITEMS:
                raise _too_large(f"an object of more than {MAX_ITEMS} members", _pointer(path))
            for name, item in value.items():
                _check_string(name, path, member=True)
                stack.append((item, [*path, name]))


def _check_string(value: str, path: list[str | int], *, member: bool = False) -> None:
    what = "a member name" if member else "a string"
    if len(value) > MAX_STRING:
        raise _too_large(f"{what} longer than {MAX_STRING} characters", _pointer(path))
    if "\x00" in value:
        raise HostileJson(
            422, "Unprocessable text", f"{what} contains a NUL character (U+0000)", _pointer(path)
        )


def decode(raw: bytes | str, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """Decode a JSON document strictly.

    :raises HostileJson: the body is not strict JSON or exceeds a limit (see the module).
    """
    if len(raw) > MAX_BODY_BYTES:
        raise _too_large(f"a JSON body of more than {MAX_BODY_BYTES} bytes")
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _malformed(
                f"not UTF-8: byte {error.start} cannot start or continue a character"
            ) from None
    else:
        text = raw
    if text.startswith("\ufeff"):
        raise _malformed("a byte order mark before the JSON text (RFC 8259 §8.1)")
    _check_depth(text)
    try:
        document = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_parse_int,
            parse_float=_float_parser(parse_float),
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as error:
        where = (
            f"line {error.lineno}, column {error.colno}"
            if "\n" in text.strip()
            else f"column {error.colno}"
        )
        raise _malformed(f"not JSON: {error.msg} ({where})") from None
    except RecursionError:  # unreachable with the depth check; never a 500
        raise _too_large(f"nested more than {MAX_DEPTH} levels deep") from None
    check_values(document)
    return document
