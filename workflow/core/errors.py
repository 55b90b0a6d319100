"""Typed domain errors; ``api/errors.py`` maps each class to one HTTP status in one table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class WorkflowError(Exception):
    """Base of every error a use case raises on purpose; carries data, not only text."""

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class NotFound(WorkflowError):
    """The object does not exist, or is not visible to the caller (never say which)."""


class Conflict(WorkflowError):
    """The request lost a race or met a state it cannot apply to (stale version, moved state)."""


class PreconditionFailed(Conflict):
    """The caller's expected version (If-Match) is not the current one."""


class Refused(WorkflowError):
    """The caller may not do this: a role, segregation-of-duties or conflict-of-interest rule."""


class GuardFailed(Refused):
    """An action's guard condition does not hold (e.g. a pick outside the shortlist)."""


class InvalidInput(WorkflowError):
    """Input that cannot be accepted; ``problems`` name the file, row, field or rule."""

    def __init__(self, message: str, problems: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message, details={"problems": [dict(p) for p in problems]})
        self.problems = [dict(p) for p in problems]


class IdempotencyMismatch(WorkflowError):
    """An idempotency key was reused with a different request."""


class DatabaseMisconfigured(WorkflowError):
    """The database runs with settings that could lose or corrupt acknowledged data."""


class Unauthenticated(WorkflowError):
    """No valid credentials: missing, malformed, unknown, expired or revoked (never say which)."""


class Throttled(WorkflowError):
    """Too many failed authentications from one client; it may try again after a while."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after
