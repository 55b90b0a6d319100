"""Actions by name, for the adapters: :func:`perform` dispatches a name and a payload as HTTP or
the CLI received it to the action's typed function, and :func:`take_action` also runs the
screening that ``start_screening`` begins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from workflow.core import Actor, Database, InvalidInput
from workflow.screening import DEFAULT_NARROWING, NarrowingSettings
from workflow.vacancies.actions import (
    approve_technical,
    cancel,
    close,
    decide,
    declare_conflict,
    issue_decree,
    reject_technical,
    return_to_hr,
    start_screening,
    submit,
    vote,
)
from workflow.vacancies.definition import SYSTEM_ROLE, current_definition
from workflow.vacancies.idempotency import Outcome
from workflow.vacancies.protocol import Attempt, Step, run
from workflow.vacancies.screening import screen
from workflow.vacancies.states import ActionName

Reader = Callable[[Mapping[str, Any]], dict[str, Any]]
"""Turns a payload as an adapter received it into an action's keyword arguments.

:raises InvalidInput: a field is missing or cannot be read as its type.
"""


@dataclass(frozen=True, slots=True)
class Door:
    """A user action by name: its typed function and how to read its payload."""

    take: Callable[..., Outcome]
    read: Reader


def perform(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    action: str,
    expected_version: int,
    idempotency_key: str,
    payload: Mapping[str, Any] | None = None,
    on_behalf_of: str | None = None,
    now: dt.datetime,
) -> Outcome:
    """Take a workflow action by name with its payload (what the HTTP and CLI adapters call).

    :raises NotFound: no such vacancy visible to the actor.
    :raises InvalidInput: unknown action, or a payload missing or malforming a field.
    :raises PreconditionFailed: ``expected_version`` is not the vacancy's current version.
    :raises Conflict: the action is not possible in the vacancy's current state.
    :raises Refused: a role, duty or conflict-of-interest rule forbids it (recorded).
    :raises GuardFailed: the action's guard does not hold (recorded).
    :raises IdempotencyMismatch: the key was used for a different request.
    """
    door = DOORS.get(action)
    if door is None:
        raise InvalidInput(
            f"unknown action {action!r}",
            [{"field": "action", "message": f"one of {sorted(DOORS)}"}],
        )
    raw = dict(payload or {})
    try:
        arguments = door.read(raw)
    except InvalidInput as unreadable:
        # Refuse it where the action would have: after the lock, version, state, duty and
        # required-field checks (so a refusal is still recorded as one), before any effect.
        return run(
            db,
            Attempt(
                ActionName(action),
                actor,
                vacancy_id,
                expected_version,
                idempotency_key,
                raw,
                on_behalf_of,
                now,
            ),
            _raising(unreadable),
        )
    return door.take(
        db,
        actor=actor,
        vacancy_id=vacancy_id,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        on_behalf_of=on_behalf_of,
        now=now,
        **arguments,
    )


def _raising(error: InvalidInput) -> Callable[[Step], None]:
    def effect(step: Step) -> None:
        del step
        raise error

    return effect


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if value is None:
        raise InvalidInput(f"{key} is required", [{"field": key, "message": "is required"}])
    return str(value)


def _optional_text(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return None if value is None else str(value)


def _date(payload: Mapping[str, Any], key: str) -> dt.date:
    value = payload.get(key)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(payload, key))
    except ValueError:
        raise InvalidInput(
            f"{key} is not a date", [{"field": key, "message": "YYYY-MM-DD"}]
        ) from None


def _decision(payload: Mapping[str, Any]) -> bool:
    decision = _text(payload, "decision")
    if decision not in ("approve", "return"):
        raise InvalidInput(
            "a vote is approve or return", [{"field": "decision", "message": "approve or return"}]
        )
    return decision == "approve"


def _nothing(payload: Mapping[str, Any]) -> dict[str, Any]:
    del payload
    return {}


def _reason(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {"reason": _text(payload, "reason")}


DOORS: dict[str, Door] = {
    ActionName.SUBMIT: Door(submit, _nothing),
    ActionName.START_SCREENING: Door(start_screening, _nothing),
    ActionName.VOTE: Door(
        vote,
        lambda p: {"approve": _decision(p), "comment": _optional_text(p, "comment") or ""},
    ),
    ActionName.DECLARE_CONFLICT: Door(
        declare_conflict,
        lambda p: {"candidate": _text(p, "candidate"), "reason": _text(p, "reason")},
    ),
    ActionName.DECIDE: Door(
        decide,
        lambda p: {
            "candidate": _text(p, "candidate"),
            "justification": _optional_text(p, "justification"),
        },
    ),
    ActionName.APPROVE_TECHNICAL: Door(
        approve_technical, lambda p: {"reference": _text(p, "reference")}
    ),
    ActionName.ISSUE_DECREE: Door(
        issue_decree,
        lambda p: {
            "decree_number": _text(p, "decree_number"),
            "decree_date": _date(p, "decree_date"),
        },
    ),
    ActionName.CLOSE: Door(close, lambda p: {"inauguration_date": _date(p, "inauguration_date")}),
    ActionName.RETURN: Door(return_to_hr, _reason),
    ActionName.REJECT_TECHNICAL: Door(reject_technical, _reason),
    ActionName.CANCEL: Door(cancel, _reason),
}
"""Every action a user takes, by its name in the definition."""


def user_actions() -> list[str]:
    """Return the names of the actions a user may take in the current workflow definition."""
    definition = current_definition()
    return [
        a.name
        for a in definition.actions.values()
        if not a.automatic and a.roles - {SYSTEM_ROLE} and a.name in DOORS
    ]


def refuse_screening_payload(payload: Mapping[str, Any], on_behalf_of: str | None) -> None:
    """Refuse what ``start_screening`` does not take: any payload field, or a delegation.

    :raises InvalidInput: naming each field given.
    """
    extra = sorted(k for k, v in payload.items() if v is not None)
    if on_behalf_of is not None:
        extra.append("on_behalf_of")
    if extra:
        raise InvalidInput(
            "start_screening takes no payload",
            [{"field": name, "message": "not accepted by start_screening"} for name in extra],
        )


def take_action(
    db: Database,
    *,
    actor: Actor,
    vacancy_id: int,
    action: str,
    expected_version: int,
    idempotency_key: str,
    payload: Mapping[str, Any],
    on_behalf_of: str | None,
    now: dt.datetime,
    narrowing: NarrowingSettings = DEFAULT_NARROWING,
) -> Outcome:
    """Take a workflow action; ``start_screening`` also screens the pool (as the CLI does),
    narrowed in the database when it is large (``narrowing``).

    :raises NotFound: no such vacancy visible to the actor.
    :raises InvalidInput: unknown action, a payload the action refuses, or a payload or
        delegation given to ``start_screening`` (which takes neither).
    :raises PreconditionFailed, Conflict, Refused, GuardFailed, IdempotencyMismatch: as
        :func:`perform`.
    """
    if action == ActionName.START_SCREENING:
        refuse_screening_payload(payload, on_behalf_of)
        return screen(
            db,
            actor=actor,
            vacancy_id=vacancy_id,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            now=now,
            narrowing=narrowing,
        )
    return perform(
        db,
        actor=actor,
        vacancy_id=vacancy_id,
        action=action,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        payload=payload,
        on_behalf_of=on_behalf_of,
        now=now,
    )
