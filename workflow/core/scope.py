"""The agency-scoping policy: which agencies' data an actor may read and write.

This is the one place the policy lives; every query filters through :func:`readable`.

- A user of the national agency (BKN) reads every agency.
- Any other user reads only their own agency; a province does not read its cities.
- Everyone writes only their own agency's data, so national users write no agency's data.
- An object outside what the actor may read does not exist for them (:class:`NotFound`),
  so an identifier never confirms that another agency's object exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute

from workflow.core.actors import Actor
from workflow.core.errors import NotFound, Refused


@dataclass(frozen=True, slots=True)
class TenantScope:
    """The agencies whose data an actor may read; ``tenant_ids`` None means every agency."""

    tenant_ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        """Return whether every agency is readable."""
        return self.tenant_ids is None

    def allows(self, tenant_id: int) -> bool:
        """Return whether data of ``tenant_id`` is readable."""
        return self.tenant_ids is None or tenant_id in self.tenant_ids

    def clause(
        self, column: InstrumentedAttribute[int] | ColumnElement[int]
    ) -> ColumnElement[bool]:
        """Return a SQL condition restricting a tenant-id column to the readable agencies."""
        if self.tenant_ids is None:
            return true()
        return column.in_(sorted(self.tenant_ids))


def readable(actor: Actor) -> TenantScope:
    """Return the agencies ``actor`` may read: all for national users, otherwise their own."""
    if actor.is_national:
        return TenantScope(None)
    return TenantScope(frozenset({actor.tenant_id}))


def ensure_readable(actor: Actor, tenant_id: int, what: str) -> None:
    """Check that ``actor`` may read an object of ``tenant_id``.

    :raises NotFound: the object is another agency's (named like a missing one).
    """
    if not readable(actor).allows(tenant_id):
        raise NotFound(f"no {what}")


def ensure_writable(actor: Actor, tenant_id: int, what: str) -> None:
    """Check that ``actor`` may change an object of ``tenant_id``.

    :raises NotFound: the actor may not even read it.
    :raises Refused: the actor reads it (a national user) but writes only their own agency.
    """
    ensure_readable(actor, tenant_id, what)
    if tenant_id != actor.tenant_id:
        raise Refused(f"{actor.username} may read but not change another agency's {what}")
