"""The canonical form of imported rows and the per-employee ``record_digest``.

An employee's digest is SHA-256 over the canonical employee row and the *sum* (mod 2^256) of the
SHA-256 of each of its child rows. A sum does not depend on order, so a CSV set (whose child rows
of one employee are spread over files) and a JSON profile (nested) give the same digest for the
same data, and the digest can be accumulated while streaming.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

from workflow.registry.records import RecordType

DIGEST_VERSION: Final = b"meritflow-profile-v1"
_MODULUS: Final = 1 << 256
_FIELD_SEP: Final = "\x1f"
_RECORD_SEP: Final = "\x1e"
_NULL: Final = "\x00"
_sha256: Final = hashlib.sha256


def canonical_value(value: object) -> str:
    """Return the canonical text of one typed value (dates ISO, decimals without trailing 0s)."""
    if value is None:
        return _NULL
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list | tuple):
        return "|".join(canonical_value(item) for item in value)
    return str(value)


def canonical_row(record_type: RecordType, values: Sequence[object]) -> bytes:
    """Return the canonical bytes of one row: its type and its values in column order."""
    text = _FIELD_SEP.join([v if type(v) is str else canonical_value(v) for v in values])
    return f"{record_type.value}{_RECORD_SEP}{text}".encode()


def row_hash(record_type: RecordType, values: Sequence[object]) -> int:
    """Return the SHA-256 of a row's canonical form, as an integer for order-free summing."""
    return int.from_bytes(_sha256(canonical_row(record_type, values)).digest())


def combine(hashes: Iterable[int]) -> int:
    """Return the order-independent combination (sum mod 2^256) of row hashes."""
    return sum(hashes) % _MODULUS


def profile_digest(employee_values: Sequence[object], children: int) -> str:
    """Return the hex ``record_digest`` of an employee row and its combined child-row hashes."""
    digest = hashlib.sha256(DIGEST_VERSION)
    digest.update(canonical_row(RecordType.EMPLOYEE, employee_values))
    digest.update(_RECORD_SEP.encode())
    digest.update((children % _MODULUS).to_bytes(32, "big"))
    return digest.hexdigest()
