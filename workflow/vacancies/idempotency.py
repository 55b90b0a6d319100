"""Idempotency keys: the first answer to a request is stored under the caller's key and replayed.

A key belongs to one user. The same key with the same request replays the stored answer (an
:class:`Outcome`, or the same refusal) and changes nothing; the same key with a different
request is refused (:class:`~workflow.core.IdempotencyMismatch`). The system actor has no user
and so no keys: its actions are made idempotent by the state they require.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, NamedTuple

import rfc8785
from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import Session

from workflow.core import Actor, GuardFailed, IdempotencyMismatch, InvalidInput, Refused
from workflow.models import IdempotencyRecord

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action returns, and what a retry with the same idempotency key replays."""

    vacancy: dict[str, Any]
    """The vacancy after the action (:meth:`VacancyView.as_json`)."""
    applied: list[str]
    """The action and any automatic follow-ups, in order."""
    replayed: bool = False

    def as_response(self) -> dict[str, Any]:
        """Return the JSON stored under the idempotency key."""
        return {"vacancy": self.vacancy, "applied": self.applied}


def jsonable(value: Any) -> Any:
    """Return ``value`` as JSON data: dates as ISO strings, decimals and floats as strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(value)
    return value


def fingerprint(request: Mapping[str, Any]) -> str:
    """Return the SHA-256 of the request's canonical JSON (what a key is compared by)."""
    return hashlib.sha256(rfc8785.dumps(jsonable(dict(request)))).hexdigest()


class Answer(NamedTuple):
    """What is stored under a key: the request's fingerprint and the answer given."""

    fingerprint: str
    outcome: str
    """``done`` or ``refused``."""
    response: dict[str, Any]


def check_key(key: str) -> None:
    """Refuse an empty key or one longer than 255 characters.

    :raises InvalidInput: naming the field ``idempotency_key``.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            "an idempotency key of 1-255 characters is required",
            [{"field": "idempotency_key", "message": "1-255 characters"}],
        )


def lookup(connection: Connection, actor: Actor, key: str) -> Answer | None:
    """Return what is stored under the actor's ``key``, if anything (the system has no keys)."""
    if actor.user_id is None:
        return None
    found = connection.execute(_FIND_RECORD, {"user_id": actor.user_id, "key": key}).one_or_none()
    return None if found is None else Answer(*found)


def replay(session: Session, actor: Actor, key: str, request: Mapping[str, Any]) -> Outcome | None:
    """Return the stored answer to this request under ``key``, or None if the key is new.

    :raises InvalidInput: the key is empty or longer than 255 characters.
    :raises IdempotencyMismatch: the key was used for a different request.
    :raises Refused: the request was refused (:class:`GuardFailed` for a failed guard).
    """
    check_key(key)
    return answer(lookup(session.connection(), actor, key), request)


def answer(record: Answer | None, request: Mapping[str, Any]) -> Outcome | None:
    """Return the stored answer if ``record`` holds one for this very request, else None.

    :raises IdempotencyMismatch: the key was used for a different request.
    :raises Refused: the request was refused (:class:`GuardFailed` for a failed guard).
    """
    if record is None:
        return None
    if record.fingerprint != fingerprint(request):
        raise IdempotencyMismatch("this idempotency key was used for a different request")
    if record.outcome == "refused":
        error = GuardFailed if record.response.get("guard") else Refused
        raise error(str(record.response["reason"]), details={"rule": record.response["rule"]})
    return Outcome(record.response["vacancy"], record.response["applied"], replayed=True)


def remember(
    session: Session,
    actor: Actor,
    key: str,
    request: Mapping[str, Any],
    outcome: Literal["done", "refused"],
    response: dict[str, Any],
    now: dt.datetime,
) -> None:
    """Store the answer to ``request`` under ``key`` in the caller's transaction.

    A concurrent request with the same key makes this fail on the primary key (IntegrityError);
    the caller decides what that means.
    """
    if actor.user_id is None:
        return
    session.flush()  # what the ORM still holds goes first, as its autoflush did
    session.connection().execute(
        _INSERT_RECORD,
        {
            "user_id": actor.user_id,
            "key": key,
            "fingerprint": fingerprint(request),
            "outcome": outcome,
            "response": response,
            "created_at": now,
        },
    )


_RECORDS = IdempotencyRecord.__table__
_FIND_RECORD = select(_RECORDS.c.fingerprint, _RECORDS.c.outcome, _RECORDS.c.response).where(
    _RECORDS.c.user_id == bindparam("user_id"), _RECORDS.c.key == bindparam("key")
)
_INSERT_RECORD = insert(IdempotencyRecord)
