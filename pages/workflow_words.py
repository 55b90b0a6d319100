"""How a refused, stale or invalid action is told to the user: rule id, reason, reload link."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from api.errors import describe
from workflow.core import (
    Conflict,
    GuardFailed,
    IdempotencyMismatch,
    InvalidInput,
    PreconditionFailed,
    Refused,
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """What the page shows at the top when an action did not happen."""

    title: str
    status: int
    rule: str | None = None
    detail: str | None = None
    reload: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)


def refusal_of(error: Exception, *, reload: str) -> Refusal:
    """Return how ``error`` (from an action use case) is shown; the vacancy did not change."""
    found = describe(error)
    rule = found.members.get("rule")
    if isinstance(error, PreconditionFailed):
        return Refusal(
            title=_("This vacancy changed since you opened it"),
            status=409,
            detail=_("Nothing was changed. Reload the vacancy to see its current state."),
            reload=reload,
        )
    if isinstance(error, GuardFailed):
        title = _("The action's condition does not hold")
    elif isinstance(error, Refused):
        title = _("The action was refused")
    elif isinstance(error, InvalidInput):
        title = _("The form could not be accepted")
    elif isinstance(error, IdempotencyMismatch):
        title = _("This form was already sent with other answers")
    elif isinstance(error, Conflict):
        title = _("This action is not possible in the vacancy's current state")
        reload = reload
    else:
        title = _("The request could not be completed")
    return Refusal(
        title=title,
        status=found.status,
        rule=rule if isinstance(rule, str) else None,
        detail=found.detail,
        reload=reload if isinstance(error, Conflict) else None,
        problems=list(found.members.get("problems") or []),
    )
