"""Helpers for ledger tests: tenants, a controllable clock and quick ways to fill chains."""

from __future__ import annotations

import datetime as dt

from workflow.core.clock import ManualClock
from workflow.core.db import Database
from workflow.ledger import chain as ledger
from workflow.models import Tenant

START = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)


def clock() -> ManualClock:
    """Return a clock that starts at :data:`START` and moves 1.5 s per reading."""
    return ManualClock(START, step=dt.timedelta(seconds=1, microseconds=500_000))


def add_tenants(db: Database, *codes: str) -> dict[str, int]:
    """Create tenants (provinces) with these codes and return their ids by code."""
    with db.transaction() as session:
        tenants = [Tenant(code=code, name=f"Tenant {code}", level="province") for code in codes]
        session.add_all(tenants)
        session.flush()
        return {tenant.code: tenant.id for tenant in tenants}


def fill(db: Database, tenant_id: int, count: int, at: ManualClock) -> None:
    """Append ``count`` varied entries to one tenant in a single transaction."""
    with db.transaction() as session:
        for index in range(count):
            ledger.append(
                session,
                tenant_id=tenant_id,
                kind=("vacancy.transition", "vacancy.refused", "sla.reminder")[index % 3],
                actor=None if index % 4 == 0 else f"user:{index % 7 + 1}",
                data={"vacancy": index, "note": f"step {index} – ü", "ok": index % 2 == 0},
                at=at.now(),
            )
