"""An attacker with direct SQL: every mutation is caught, and the first broken entry is named.

The attacker lifts the append-only triggers first (drops them on SQLite, runs as a replica on
PostgreSQL), as a superuser or the owner of the SQLite file could. Each mutation happens in a
transaction that is verified and then rolled back, so all start from the same honest chain.
Truncation and rewrites with recomputed hashes leave a chain that is consistent in itself: only
the signed checkpoints catch those, which the test shows by verifying without them too.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from tests.support.ledger import add_tenants, clock, fill
from workflow.core.db import Database
from workflow.ledger import chain as ledger
from workflow.ledger.checkpoints import CheckpointStore, Signer
from workflow.models import ChainHead, LedgerEntry
from workflow.models.ledger import GENESIS_HASH

SIZE = 30
CHECKPOINTS = (10, 20, 30)
MUTATIONS = 240
TARGET, BYSTANDER = "36", "3673"
BYSTANDER_SIZE = 5
ENTRY = LedgerEntry.__table__
HEAD = ChainHead.__table__


@dataclass
class Scene:
    """The honest chain before any mutation, its tenants and its checkpoints."""

    rows: list[dict[str, Any]]
    target: int
    bystander: int
    store: CheckpointStore


@dataclass(frozen=True)
class Expected:
    """What verification must report after one mutation: the first broken seq per tenant."""

    first_break: dict[str, int]
    checkpoint_only: bool = False


@pytest.fixture
def scene(database: Database, tmp_path: Path) -> Scene:
    ids = add_tenants(database, TARGET, BYSTANDER)
    at = clock()
    store = CheckpointStore(tmp_path / "checkpoints")
    signer = Signer.from_seed("tamper-test", b"\x07" * 32)
    fill(database, ids[BYSTANDER], BYSTANDER_SIZE, at)
    done = 0
    for size in CHECKPOINTS:
        fill(database, ids[TARGET], size - done, at)
        done = size
        assert ledger.checkpoint(database, store=store, signer=signer, now=at.now()).refused == ()
    with database.read() as session:
        query = select(ENTRY).where(ENTRY.c.tenant_id == ids[TARGET]).order_by(ENTRY.c.seq)
        rows = [dict(row._mapping) for row in session.execute(query)]
    assert [r["seq"] for r in rows] == list(range(1, SIZE + 1))
    return Scene(rows=rows, target=ids[TARGET], bystander=ids[BYSTANDER], store=store)


@contextmanager
def attacker(database: Database) -> Iterator[Session]:
    """A transaction with the append-only triggers out of the way; always rolled back."""
    with database.writer() as session:
        session.begin()
        if database.is_sqlite:
            names = session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            for name in list(names):
                session.execute(text(f'DROP TRIGGER "{name}"'))
        else:
            session.execute(text("SET LOCAL session_replication_role = replica"))
        try:
            yield session
        finally:
            session.rollback()


def _first_checkpoint_from(seq: int) -> int:
    return min(size for size in CHECKPOINTS if size >= seq)


def _set(session: Session, scene: Scene, seq: int, **values: Any) -> None:
    where = (ENTRY.c.tenant_id == scene.target) & (ENTRY.c.seq == seq)
    session.execute(update(ENTRY).where(where).values(**values))


def _set_head(session: Session, scene: Scene, seq: int, entry_hash: str) -> None:
    where = HEAD.c.tenant_id == scene.target
    session.execute(update(HEAD).where(where).values(seq=seq, entry_hash=entry_hash))


def _drop_from(session: Session, scene: Scene, seq: int) -> None:
    where = (ENTRY.c.tenant_id == scene.target) & (ENTRY.c.seq >= seq)
    session.execute(delete(ENTRY).where(where))


def _sealed(scene: Scene, seq: int, prev: str, base: dict[str, Any], data: Any) -> dict[str, Any]:
    """A forged row with a correctly computed body and hash, as an attacker would make it."""
    parsed = json.loads(base["body"])
    body = ledger.entry_body(
        tenant=TARGET,
        seq=seq,
        prev=prev,
        at=dt.datetime.fromisoformat(parsed["at"]),
        kind=parsed["kind"],
        actor=parsed["actor"],
        data=data,
    )
    return {
        "tenant_id": scene.target,
        "seq": seq,
        "kind": parsed["kind"],
        "body": body,
        "prev_hash": prev,
        "entry_hash": ledger.body_hash(body),
        "created_at": base["created_at"],
    }


def _reseal(session: Session, scene: Scene, start: int, rows: list[dict[str, Any]]) -> None:
    """Replace entries ``start``… by ``rows`` (their data), recomputing every hash and the head."""
    _drop_from(session, scene, start)
    prev = scene.rows[start - 2]["entry_hash"] if start > 1 else GENESIS_HASH
    forged = []
    for offset, row in enumerate(rows):
        sealed = _sealed(scene, start + offset, prev, row, json.loads(row["body"])["data"])
        forged.append(sealed)
        prev = sealed["entry_hash"]
    if forged:
        session.execute(insert(ENTRY), forged)
    _set_head(session, scene, start - 1 + len(forged), prev)


# Each mutation changes the stored ledger of TARGET and returns what verification must say.
Mutation = Callable[[Session, Scene, random.Random], Expected]


def edit_body_byte(session: Session, scene: Scene, rng: random.Random) -> Expected:
    row = rng.choice(scene.rows)
    body = row["body"]
    at = rng.randrange(len(body))
    replacement = rng.choice([c for c in '0123456789abcdefxyz{}":, ' if c != body[at]])
    _set(session, scene, row["seq"], body=body[:at] + replacement + body[at + 1 :])
    return Expected({TARGET: row["seq"]})


def edit_body_and_its_hash(session: Session, scene: Scene, rng: random.Random) -> Expected:
    row = rng.choice(scene.rows)
    seq = row["seq"]
    data = json.loads(row["body"])["data"] | {"vacancy": 1000 + seq}
    forged = _sealed(scene, seq, row["prev_hash"], row, data)
    _set(session, scene, seq, body=forged["body"], entry_hash=forged["entry_hash"])
    # the next entry's link breaks (or, for the last, chain_head); a checkpoint may say so first
    return Expected({TARGET: min(seq + 1 if seq < SIZE else SIZE, _first_checkpoint_from(seq))})


def change_entry_hash(session: Session, scene: Scene, rng: random.Random) -> Expected:
    row = rng.choice(scene.rows)
    _set(session, scene, row["seq"], entry_hash=f"{rng.getrandbits(256):064x}")
    return Expected({TARGET: row["seq"]})


def change_prev_hash(session: Session, scene: Scene, rng: random.Random) -> Expected:
    row = rng.choice(scene.rows)
    _set(session, scene, row["seq"], prev_hash=f"{rng.getrandbits(256):064x}")
    return Expected({TARGET: row["seq"]})


def change_kind_column(session: Session, scene: Scene, rng: random.Random) -> Expected:
    row = rng.choice(scene.rows)
    _set(session, scene, row["seq"], kind="vacancy.nothing_happened")
    return Expected({TARGET: row["seq"]})


def change_created_at_column(session: Session, scene: Scene, rng: random.Random) -> Expected:
    row = rng.choice(scene.rows)
    shift = dt.timedelta(microseconds=rng.choice([1, -1, 3_600_000_000]))
    _set(session, scene, row["seq"], created_at=row["created_at"] + shift)
    return Expected({TARGET: row["seq"]})


def delete_row(session: Session, scene: Scene, rng: random.Random) -> Expected:
    seq = rng.randint(1, SIZE)
    session.execute(delete(ENTRY).where((ENTRY.c.tenant_id == scene.target) & (ENTRY.c.seq == seq)))
    return Expected({TARGET: seq})


def swap_bodies(session: Session, scene: Scene, rng: random.Random) -> Expected:
    first, second = sorted(rng.sample(range(SIZE), 2))
    _set(session, scene, first + 1, body=scene.rows[second]["body"])
    _set(session, scene, second + 1, body=scene.rows[first]["body"])
    return Expected({TARGET: first + 1})


def swap_rows(session: Session, scene: Scene, rng: random.Random) -> Expected:
    first, second = sorted(rng.sample(range(SIZE), 2))
    for target, source in ((first, second), (second, first)):
        row = scene.rows[source]
        _set(
            session,
            scene,
            target + 1,
            body=row["body"],
            prev_hash=row["prev_hash"],
            entry_hash=row["entry_hash"],
            kind=row["kind"],
            created_at=row["created_at"],
        )
    return Expected({TARGET: first + 1})


def move_row_to_another_tenant(session: Session, scene: Scene, rng: random.Random) -> Expected:
    seq = rng.randint(1, SIZE)
    where = (ENTRY.c.tenant_id == scene.target) & (ENTRY.c.seq == seq)
    moved = {"tenant_id": scene.bystander, "seq": BYSTANDER_SIZE + 1}
    session.execute(update(ENTRY).where(where).values(**moved))
    return Expected({TARGET: seq, BYSTANDER: BYSTANDER_SIZE + 1})


def insert_forged_row_without_rehashing(
    session: Session, scene: Scene, rng: random.Random
) -> Expected:
    seq = rng.randint(1, SIZE)
    later = scene.rows[seq - 1 :]
    _drop_from(session, scene, seq)
    prev = scene.rows[seq - 2]["entry_hash"] if seq > 1 else GENESIS_HASH
    forged = _sealed(scene, seq, prev, scene.rows[seq - 1], {"forged": True})
    shifted = [row | {"seq": row["seq"] + 1} for row in later]
    session.execute(insert(ENTRY), [forged, *shifted])
    return Expected({TARGET: min(seq + 1, _first_checkpoint_from(seq))})


def insert_forged_row_and_rehash(session: Session, scene: Scene, rng: random.Random) -> Expected:
    seq = rng.randint(1, SIZE)
    model = scene.rows[seq - 1]
    forged = model | {"body": json.dumps(json.loads(model["body"]) | {"data": {"forged": True}})}
    _reseal(session, scene, seq, [forged, *scene.rows[seq - 1 :]])
    return Expected({TARGET: _first_checkpoint_from(seq)}, checkpoint_only=True)


def truncate_tail(session: Session, scene: Scene, rng: random.Random) -> Expected:
    keep = rng.randrange(SIZE)
    _drop_from(session, scene, keep + 1)
    if keep:
        _set_head(session, scene, keep, scene.rows[keep - 1]["entry_hash"])
    else:
        session.execute(delete(HEAD).where(HEAD.c.tenant_id == scene.target))
    return Expected({TARGET: keep + 1}, checkpoint_only=True)


def rewrite_history(session: Session, scene: Scene, rng: random.Random) -> Expected:
    seq = rng.randint(1, SIZE)
    changed = scene.rows[seq - 1]
    parsed = json.loads(changed["body"])
    parsed["data"] = parsed["data"] | {"vacancy": -1}
    _reseal(session, scene, seq, [changed | {"body": json.dumps(parsed)}, *scene.rows[seq:]])
    return Expected({TARGET: _first_checkpoint_from(seq)}, checkpoint_only=True)


def restore_old_backup_and_continue(session: Session, scene: Scene, rng: random.Random) -> Expected:
    """Roll back to an old state, then append new, different entries past the old size."""
    keep = rng.randrange(SIZE)
    fresh = [
        row | {"body": json.dumps(json.loads(row["body"]) | {"data": {"after_restore": i}})}
        for i, row in enumerate(scene.rows[keep:])
    ]
    _reseal(session, scene, keep + 1, [*fresh, scene.rows[-1]])
    return Expected({TARGET: _first_checkpoint_from(keep + 1)}, checkpoint_only=True)


def move_chain_head(session: Session, scene: Scene, rng: random.Random) -> Expected:
    _set_head(session, scene, SIZE, f"{rng.getrandbits(256):064x}")
    return Expected({TARGET: SIZE})


MUTATIONS_BY_NAME: dict[str, Mutation] = {
    fn.__name__: fn
    for fn in (
        edit_body_byte,
        edit_body_and_its_hash,
        change_entry_hash,
        change_prev_hash,
        change_kind_column,
        change_created_at_column,
        delete_row,
        swap_bodies,
        swap_rows,
        move_row_to_another_tenant,
        insert_forged_row_without_rehashing,
        insert_forged_row_and_rehash,
        truncate_tail,
        rewrite_history,
        restore_old_backup_and_continue,
        move_chain_head,
    )
}


def test_every_mutation_is_caught_and_the_first_broken_entry_is_named(
    database: Database, scene: Scene
) -> None:
    rng = random.Random(20261123)
    names = sorted(MUTATIONS_BY_NAME)
    missed: list[str] = []
    for round_number in range(MUTATIONS):
        name = names[round_number % len(names)]
        with attacker(database) as session:
            expected = MUTATIONS_BY_NAME[name](session, scene, rng)
            report = ledger.verify(session, checkpoints=scene.store)
            found = {
                t.tenant: t.first_break.seq for t in report.tenants if t.first_break is not None
            }
            if report.ok or found != expected.first_break:
                missed.append(f"{round_number} {name}: expected {expected}, found {found}")
            if expected.checkpoint_only:
                # the chain in itself is consistent: only checkpoints could tell
                blind = ledger.verify(session)
                if not blind.ok:
                    missed.append(f"{round_number} {name}: the chain alone was expected to pass")
    assert missed == []
    assert ledger.verify(database, checkpoints=scene.store).ok


def test_a_body_of_invalid_utf8_is_reported_not_raised(database: Database, scene: Scene) -> None:
    with attacker(database) as session:
        if database.is_sqlite:
            where = "WHERE seq = 4 AND tenant_id = :t"
            for change in ("body = CAST(X'FFFE' || body AS TEXT)", "kind = CAST(X'C3' AS TEXT)"):
                session.execute(
                    text(f"UPDATE ledger_entry SET {change} {where}"), {"t": scene.target}
                )
        else:
            _set(session, scene, 4, body="\x01")
        report = ledger.verify(session, checkpoints=scene.store)
    first = report.tenant(TARGET).first_break
    assert first is not None
    assert (first.seq, first.reason) == (4, "entry_hash does not match the SHA-256 of the body")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json at all", "not UTF-8 JSON"),
        ('{"format":"meritflow-ledger/1"}', "exactly the members"),
        ("[1, 2, 3]", "exactly the members"),
        (None, "not in RFC 8785 canonical layout"),
    ],
)
def test_a_forged_body_that_is_not_an_entry_is_reported(
    database: Database, scene: Scene, body: str | None, reason: str
) -> None:
    """Hashes recomputed to match, so only the body's shape gives it away."""
    first = scene.rows[0]
    if body is None:
        body = json.dumps(json.loads(first["body"]), indent=1)
    with attacker(database) as session:
        _set(session, scene, 1, body=body, entry_hash=ledger.body_hash(body))
        report = ledger.verify(session)
    broken = report.tenant(TARGET).first_break
    assert broken is not None
    assert broken.seq == 1
    assert reason in broken.reason


def test_a_forged_tail_after_the_last_checkpoint_is_not_detectable(
    database: Database, scene: Scene
) -> None:
    """The documented limit: what was never checkpointed is protected by the chain alone."""
    last = scene.rows[-1]
    with attacker(database) as session:
        forged = _sealed(scene, SIZE + 1, last["entry_hash"], last, {"forged": True})
        session.execute(insert(ENTRY), [forged])
        _set_head(session, scene, SIZE + 1, forged["entry_hash"])
        assert ledger.verify(session, checkpoints=scene.store).ok
