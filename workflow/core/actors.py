"""Who is acting: a user with roles in one agency, possibly for another user by delegation."""

from __future__ import annotations

from dataclasses import dataclass, field

from rules.vocab import TenantLevel


@dataclass(frozen=True, slots=True)
class Actor:
    """An authenticated user as the domain sees them."""

    user_id: int | None
    """None only for the system itself (screening, quorum, SLA sweeps)."""
    username: str
    tenant_id: int
    tenant_code: str
    tenant_level: str
    roles: frozenset[str]
    employee_id: int | None = None
    on_behalf_of: Actor | None = field(default=None)
    """The delegator this actor acts for, when acting by delegation."""

    @property
    def principal(self) -> Actor:
        """Return the user whose authority is used: the delegator, or the actor themself."""
        return self.on_behalf_of or self

    @property
    def is_national(self) -> bool:
        """Return whether the actor belongs to the national agency (reads every agency)."""
        return self.tenant_level == TenantLevel.NATIONAL.value

    @property
    def is_system(self) -> bool:
        """Return whether this is the service itself."""
        return self.user_id is None

    def people(self) -> tuple[Actor, ...]:
        """Return everyone whose restrictions apply: the actor and, if any, the delegator."""
        return (self,) if self.on_behalf_of is None else (self, self.on_behalf_of)

    def describe(self) -> str:
        """Return e.g. ``ani`` or ``budi on behalf of ani``."""
        if self.on_behalf_of is None:
            return self.username
        return f"{self.username} on behalf of {self.on_behalf_of.username}"


def system_actor(tenant_id: int, tenant_code: str, tenant_level: str) -> Actor:
    """Return the system actor for one agency."""
    return Actor(None, "system", tenant_id, tenant_code, tenant_level, frozenset({"system"}))
