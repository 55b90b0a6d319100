"""One ledger entry for the auditor's entry page: read as stored, scoped to the caller's
agencies (another agency's entry is not found), a tampered body still readable."""

from __future__ import annotations

import pytest

from tests.support.ledger import add_tenants, clock, fill
from tests.support.tamper import rewrite_body
from workflow import ledger
from workflow.core import Actor, NotFound
from workflow.core.db import Database


def _auditor(tenant_id: int, code: str, level: str = "province") -> Actor:
    return Actor(
        user_id=1,
        username="auditor",
        tenant_id=tenant_id,
        tenant_code=code,
        tenant_level=level,
        roles=frozenset({"auditor"}),
    )


def test_an_entry_is_read_as_stored_and_only_by_its_agency(database: Database) -> None:
    ids = add_tenants(database, "A", "B")
    fill(database, ids["A"], 3, clock())
    fill(database, ids["B"], 1, clock())
    own = _auditor(ids["A"], "A")
    entry = ledger.get_entry(database, actor=own, tenant_code="A", seq=2)
    assert (entry.tenant, entry.seq, entry.kind) == ("A", 2, "vacancy.refused")
    assert ledger.body_hash(entry.body) == entry.entry_hash
    previous = ledger.get_entry(database, actor=own, tenant_code="A", seq=1)
    assert entry.prev_hash == previous.entry_hash
    with pytest.raises(NotFound):
        ledger.get_entry(database, actor=own, tenant_code="B", seq=1)
    with pytest.raises(NotFound):
        ledger.get_entry(database, actor=own, tenant_code="A", seq=4)
    national = _auditor(ids["B"], "B", level="national")
    assert ledger.get_entry(database, actor=national, tenant_code="A", seq=3).seq == 3


def test_a_tampered_entry_is_still_shown_with_the_hash_it_no_longer_matches(
    database: Database,
) -> None:
    ids = add_tenants(database, "A")
    fill(database, ids["A"], 2, clock())
    rewrite_body(database, tenant_id=ids["A"], seq=1, suffix="}")
    entry = ledger.get_entry(database, actor=_auditor(ids["A"], "A"), tenant_code="A", seq=1)
    assert entry.data is None  # no longer a JSON object
    assert ledger.body_hash(entry.body) != entry.entry_hash
