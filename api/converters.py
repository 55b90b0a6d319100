"""URL converters that bound path parameters, so no input reaches the database as an overflow."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import BaseConverter, Map, ValidationError

MAX_ID = 2**31 - 1
"""The largest value of a 32-bit signed integer key, on SQLite and PostgreSQL alike."""


class IdConverter(BaseConverter):
    """A positive database id within 1..2^31-1; anything else matches no route (404)."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        """Return the id, or refuse the match when it is out of range."""
        number = int(value)
        if number > MAX_ID:
            raise ValidationError
        return number

    def to_url(self, value: Any) -> str:
        """Return the id as it appears in a URL."""
        return str(int(value))


class NipConverter(BaseConverter):
    """An employee's NIP: exactly 18 digits."""

    regex = r"[0-9]{18}"


class CodeConverter(BaseConverter):
    """An agency code: 1-40 letters, digits, dots, dashes or underscores."""

    regex = r"[A-Za-z0-9._-]{1,40}"


class DigestConverter(BaseConverter):
    """A SHA-256 digest (a rule pack's identity): exactly 64 lowercase hex digits."""

    regex = r"[0-9a-f]{64}"


CONVERTERS: dict[str, tuple[type[BaseConverter], dict[str, Any]]] = {
    "id": (IdConverter, {"type": "integer", "minimum": 1, "maximum": MAX_ID}),
    "nip": (NipConverter, {"type": "string", "pattern": "^[0-9]{18}$"}),
    "code": (CodeConverter, {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,40}$"}),
    "digest": (DigestConverter, {"type": "string", "pattern": "^[0-9a-f]{64}$"}),
}


def install(url_map: Map) -> None:
    """Make the converters usable in routes, e.g. ``<id:position_id>`` or ``<nip:nip>``."""
    for name, (converter, _schema) in CONVERTERS.items():
        url_map.converters[name] = converter
