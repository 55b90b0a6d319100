"""Appending builds one gapless, linked chain per tenant, atomically with the caller's change."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.support.ledger import START, add_tenants, clock, fill
from workflow.core.db import Database
from workflow.core.errors import InvalidInput, NotFound
from workflow.ledger import chain as ledger
from workflow.models import ChainHead, LedgerEntry, Tenant
from workflow.models.ledger import GENESIS_HASH


def _entries(db: Database, tenant_id: int) -> list[LedgerEntry]:
    with db.read() as session:
        query = select(LedgerEntry).where(LedgerEntry.tenant_id == tenant_id)
        return list(session.scalars(query.order_by(LedgerEntry.seq)))


def test_append_writes_the_documented_body_and_links_entries(database: Database) -> None:
    ids = add_tenants(database, "36")
    at = dt.datetime(2026, 11, 23, 1, 2, 3, 4, tzinfo=dt.UTC)
    with database.transaction() as session:
        first = ledger.append(
            session,
            tenant_id=ids["36"],
            kind=ledger.LedgerKind.VACANCY_TRANSITION,
            actor="user:12",
            data={"vacancy": 7, "from": "draft", "to": "submitted", "version": 2},
            at=at,
        )
        second = ledger.append(
            session,
            tenant_id=ids["36"],
            kind="vacancy.refused",
            actor="user:31",
            data={
                "vacancy": 7,
                "action": "vote",
                "reason": "recused: declared conflict with a shortlisted candidate",
                "note": "Bupati/Wali Kota – é",
            },
            at=at + dt.timedelta(seconds=90),
        )
    assert first.body == (
        '{"actor":"user:12","at":"2026-11-23T01:02:03.000004Z","data":{"from":"draft",'
        '"to":"submitted","vacancy":7,"version":2},"format":"meritflow-ledger/1",'
        '"kind":"vacancy.transition","prev":"' + "0" * 64 + '","seq":1,"tenant":"36"}'
    )
    assert first.entry_hash == hashlib.sha256(first.body.encode()).hexdigest()
    assert second.seq == 2
    assert second.prev_hash == first.entry_hash
    assert json.loads(second.body)["prev"] == first.entry_hash
    stored = _entries(database, ids["36"])
    assert [(e.seq, e.body, e.entry_hash) for e in stored] == [
        (1, first.body, first.entry_hash),
        (2, second.body, second.entry_hash),
    ]
    assert stored[1].created_at == at + dt.timedelta(seconds=90)
    with database.read() as session:
        head = session.get(ChainHead, ids["36"])
        assert head is not None
        assert (head.seq, head.entry_hash) == (2, second.entry_hash)


def test_the_documented_example_is_what_append_writes() -> None:
    """docs/ledger.md shows real bodies and hashes; keep them true."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "ledger.md").read_text("utf-8")
    at = dt.datetime(2026, 11, 23, 1, 2, 3, 4, tzinfo=dt.UTC)
    body = ledger.entry_body(
        tenant="36",
        seq=1,
        prev=GENESIS_HASH,
        at=at,
        kind="vacancy.transition",
        actor="user:12",
        data={"vacancy": 7, "from": "draft", "to": "submitted", "version": 2},
    )
    assert body in doc
    assert ledger.body_hash(body) in doc


def test_each_tenant_has_its_own_chain(database: Database) -> None:
    ids = add_tenants(database, "36", "3673")
    at = clock()
    fill(database, ids["36"], 5, at)
    fill(database, ids["3673"], 3, at)
    fill(database, ids["36"], 2, at)
    assert [e.seq for e in _entries(database, ids["36"])] == list(range(1, 8))
    assert [e.seq for e in _entries(database, ids["3673"])] == [1, 2, 3]
    assert _entries(database, ids["3673"])[0].prev_hash == GENESIS_HASH
    report = ledger.verify(database)
    assert report.ok
    assert [(t.tenant, t.entries) for t in report.tenants] == [("36", 7), ("3673", 3)]


def test_an_entry_rolls_back_with_its_transaction_and_leaves_no_gap(database: Database) -> None:
    ids = add_tenants(database, "36")
    at = clock()
    fill(database, ids["36"], 2, at)

    class Boom(Exception):
        pass

    def use_case_that_fails_after_appending() -> None:
        with database.transaction() as session:
            session.add(Tenant(code="99", name="Rolled back too", level="city"))
            ledger.append(
                session, tenant_id=ids["36"], kind="a.b", actor=None, data={}, at=at.now()
            )
            raise Boom

    with pytest.raises(Boom):
        use_case_that_fails_after_appending()
    fill(database, ids["36"], 1, at)
    entries = _entries(database, ids["36"])
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[2].prev_hash == entries[1].entry_hash
    with database.read() as session:
        assert session.scalar(select(func.count()).where(Tenant.code == "99")) == 0
    assert ledger.verify(database).ok


def test_the_first_append_of_a_tenant_rolls_back_cleanly(database: Database) -> None:
    ids = add_tenants(database, "36")

    def use_case_that_fails_after_appending() -> None:
        with database.transaction() as session:
            ledger.append(session, tenant_id=ids["36"], kind="a.b", actor=None, data={}, at=START)
            raise RuntimeError("the change it records failed")

    with pytest.raises(RuntimeError):
        use_case_that_fails_after_appending()
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(ChainHead)) == 0
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"data": {"score": 81.5}}, "data.score", "float"),
        ({"data": {"n": 2**53}}, "data.n", "outside"),
        ({"data": {"bad": "\ud800"}}, "data.bad", "surrogate"),
        ({"data": {"nested": [{"x": {1, 2}}]}}, "data.nested[0].x", "set is not a JSON value"),
        ({"data": {"employee": "199001012015031001"}}, "data.employee", "NIP/NIK"),
        ({"actor": "3601010101900001"}, "actor", "never a name"),
        ({"actor": "siti.hr"}, "actor", "never a name"),
        ({"actor": "system"}, "actor", "never a name"),
        ({"actor": "cli:root"}, "actor", "never a name"),
        ({"actor": "user:7 for user:6"}, "actor", "never a name"),
        ({"data": {"on_behalf_of": "boss"}}, "data.on_behalf_of", "user:<id>"),
        ({"actor": None, "data": {"on_behalf_of": "user:6"}}, "data.on_behalf_of", "with a user"),
        ({"kind": "Vacancy Transition"}, "kind", "dotted"),
        ({"kind": "vacancy"}, "kind", "dotted"),
        ({"actor": ""}, "actor", "user:<id> or null"),
        ({"at": dt.datetime(2026, 1, 1)}, "at", "timezone-aware"),
    ],
)
def test_append_refuses_what_cannot_be_hashed_stably_or_must_not_be_kept(
    database: Database, changes: dict[str, object], field: str, message: str
) -> None:
    ids = add_tenants(database, "36")
    request: dict[str, object] = {
        "tenant_id": ids["36"],
        "kind": "vacancy.transition",
        "actor": "user:1",
        "data": {"vacancy": 1},
        "at": START,
    }
    request.update(changes)
    with pytest.raises(InvalidInput) as caught, database.transaction() as session:
        ledger.append(session, **request)  # type: ignore[arg-type]
    assert caught.value.problems[0]["field"] == field
    assert message in caught.value.problems[0]["message"]
    assert _entries(database, ids["36"]) == []


def test_append_to_an_unknown_tenant_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound), database.transaction() as session:
        ledger.append(session, tenant_id=404, kind="a.b", actor=None, data={}, at=START)


def test_any_dotted_kind_is_accepted(database: Database) -> None:
    ids = add_tenants(database, "36")
    with database.transaction() as session:
        entry = ledger.append(
            session, tenant_id=ids["36"], kind="conflict.declared", actor=None, data={}, at=START
        )
    assert entry.kind == "conflict.declared"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET kind = 'x.y'",
        "UPDATE ledger_entry SET body = body || ' '",
        "DELETE FROM ledger_entry",
        "DELETE FROM ledger_entry WHERE seq = 2",
        "DELETE FROM chain_head",
        "UPDATE chain_head SET seq = seq - 1",
    ],
)
def test_the_database_refuses_to_change_history(database: Database, statement: str) -> None:
    ids = add_tenants(database, "36")
    fill(database, ids["36"], 3, clock())
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text(statement))
    assert [e.seq for e in _entries(database, ids["36"])] == [1, 2, 3]
    assert ledger.verify(database).ok


@pytest.mark.parametrize("table", ["ledger_entry", "chain_head"])
def test_postgres_refuses_truncate(postgres_url: str, table: str) -> None:
    from workflow.core.db import connect

    db = connect(postgres_url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("TRUNCATE ledger_entry, chain_head, tenant CASCADE"))
        ids = add_tenants(db, "36")
        fill(db, ids["36"], 2, clock())
        with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
            session.execute(text(f"TRUNCATE {table} CASCADE"))
        assert ledger.verify(db).tenant("36").entries == 2
    finally:
        db.dispose()


def test_verify_of_an_empty_ledger_is_ok(database: Database) -> None:
    report = ledger.verify(database)
    assert report.ok
    assert report.tenants == ()


def test_verify_one_tenant_and_unknown_tenant(database: Database) -> None:
    ids = add_tenants(database, "36", "3673")
    fill(database, ids["36"], 2, clock())
    report = ledger.verify(database, tenant_code="3673")
    assert [(t.tenant, t.entries, t.ok) for t in report.tenants] == [("3673", 0, True)]
    with pytest.raises(NotFound):
        ledger.verify(database, tenant_code="nope")


def test_export_is_json_lines_of_the_stored_bytes(database: Database) -> None:
    ids = add_tenants(database, "3673", "36")
    at = clock()
    fill(database, ids["3673"], 2, at)
    fill(database, ids["36"], 3, at)
    out = io.StringIO()
    assert ledger.export(database, out) == 5
    lines = out.getvalue().splitlines()
    assert all(line.isascii() for line in lines)
    records = [json.loads(line) for line in lines]
    assert [(r["tenant"], r["seq"]) for r in records] == [
        ("36", 1),
        ("36", 2),
        ("36", 3),
        ("3673", 1),
        ("3673", 2),
    ]
    stored = {(ids["36"], e.seq): e for e in _entries(database, ids["36"])}
    assert set(records[0]) == {"tenant", "seq", "kind", "prev_hash", "entry_hash", "body"}
    for record in records[:3]:
        entry = stored[(ids["36"], record["seq"])]
        assert record["body"] == entry.body
        assert record["entry_hash"] == entry.entry_hash
        assert record["prev_hash"] == entry.prev_hash
        assert record["kind"] == entry.kind
    one = io.StringIO()
    assert ledger.export(database, one, tenant_code="3673") == 2
    assert one.getvalue().splitlines() == lines[3:]
    with pytest.raises(NotFound):
        ledger.export(database, io.StringIO(), tenant_code="nope")
