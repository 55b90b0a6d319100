"""Many concurrent writers never fork a chain: per tenant seq is 1..N, gapless, every link holds."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.support.ledger import add_tenants, clock
from workflow.core.db import Database, connect
from workflow.ledger import chain as ledger
from workflow.models import LedgerEntry
from workflow.models.ledger import GENESIS_HASH

WRITERS = 32
HOT_APPENDS = 8
"""Appends per writer into the one contended tenant."""
COLD = ("3601", "3602", "3603", "3604")


def _run(workers: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # collected and asserted by the caller
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _chain(db: Database, tenant_id: int) -> list[LedgerEntry]:
    with db.read() as session:
        query = select(LedgerEntry).where(LedgerEntry.tenant_id == tenant_id)
        return list(session.scalars(query.order_by(LedgerEntry.seq)))


def test_concurrent_writers_keep_every_chain_gapless_and_linked(database: Database) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    db = connect(url, pool_size=WRITERS)  # one connection per writer, all at once
    ids = add_tenants(db, "36", *COLD)
    at = clock()
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> Callable[[], None]:
        def work() -> None:
            start.wait(timeout=60)
            for step in range(HOT_APPENDS):
                with db.transaction() as session:
                    ledger.append(
                        session,
                        tenant_id=ids["36"],
                        kind="vacancy.transition",
                        actor=f"user:{number + 1}",
                        data={"writer": number, "step": step},
                        at=at.now(),
                    )
                if step % 2 == 0:
                    with db.transaction() as session:
                        ledger.append(
                            session,
                            tenant_id=ids[COLD[(number + step) % len(COLD)]],
                            kind="sla.reminder",
                            actor=None,
                            data={"writer": number, "step": step},
                            at=at.now(),
                        )

        return work

    try:
        errors = _run([writer(n) for n in range(WRITERS)])
        assert errors == []
        hot = _chain(db, ids["36"])
        assert [e.seq for e in hot] == list(range(1, WRITERS * HOT_APPENDS + 1))
        assert [e.prev_hash for e in hot] == [GENESIS_HASH] + [e.entry_hash for e in hot[:-1]]
        written = Counter(
            (json.loads(e.body)["data"]["writer"], json.loads(e.body)["data"]["step"]) for e in hot
        )
        assert set(written) == {(w, s) for w in range(WRITERS) for s in range(HOT_APPENDS)}
        assert set(written.values()) == {1}
        cold_total = 0
        for code in COLD:
            chain = _chain(db, ids[code])
            assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
            cold_total += len(chain)
        assert cold_total == WRITERS * HOT_APPENDS // 2
        report = ledger.verify(db)
        assert report.ok, [f.describe() for t in report.tenants for f in t.findings]
        assert sum(t.entries for t in report.tenants) == WRITERS * HOT_APPENDS * 3 // 2
    finally:
        db.dispose()


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[Database]:
    """The worker's PostgreSQL database, emptied, with a connection per writer."""
    db = connect(postgres_url, pool_size=WRITERS)
    with db.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("TRUNCATE ledger_entry, chain_head, tenant CASCADE"))
    yield db
    db.dispose()


def _naive_append(session: Session, tenant_id: int, seq_read: threading.Barrier) -> None:
    """The broken design: read MAX(seq) without a lock, then insert seq + 1."""
    last = session.execute(
        select(LedgerEntry.seq, LedgerEntry.entry_hash)
        .where(LedgerEntry.tenant_id == tenant_id)
        .order_by(LedgerEntry.seq.desc())
        .limit(1)
    ).one_or_none()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    seq_read.wait(timeout=60)  # every writer has read the same "last" entry
    at = clock().now()
    body = ledger.entry_body(
        tenant="36", seq=seq, prev=prev, at=at, kind="a.b", actor=None, data={}
    )
    session.add(
        LedgerEntry(
            tenant_id=tenant_id,
            seq=seq,
            kind="a.b",
            body=body,
            prev_hash=prev,
            entry_hash=ledger.body_hash(body),
            created_at=at,
        )
    )


def test_negative_control_max_seq_plus_one_without_the_lock_fails(postgres: Database) -> None:
    """The same schedule that the locked append survives makes the naive append collide."""
    ids = add_tenants(postgres, "36")
    rounds = 3
    seq_read = threading.Barrier(WRITERS)

    def writer() -> None:
        for _ in range(rounds):
            try:
                with postgres.transaction() as session:
                    _naive_append(session, ids["36"], seq_read)
            except IntegrityError:
                failures.append(1)

    failures: list[int] = []
    assert _run([writer] * WRITERS) == []
    assert len(failures) == rounds * (WRITERS - 1)
    assert len(_chain(postgres, ids["36"])) == rounds
