"""Signed checkpoints outside the database catch what the chain alone cannot."""

from __future__ import annotations

import base64
import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session

from tests.support.ledger import add_tenants, clock, fill
from workflow.core.db import Database
from workflow.core.errors import NotFound
from workflow.ledger import chain as ledger
from workflow.ledger.checkpoints import (
    KEYS_DIRECTORY,
    CheckpointStore,
    Signer,
    checkpoint_for,
    parse_note,
)
from workflow.models import ChainHead, LedgerEntry, Tenant

KEY_A = Signer.from_seed("meritflow-2026", b"\x01" * 32)
KEY_B = Signer.from_seed("meritflow-2027", b"\x02" * 32)


@pytest.fixture
def store(tmp_path: Path) -> CheckpointStore:
    return CheckpointStore(tmp_path / "checkpoints")


def _lift_triggers(database: Database, session: Session) -> None:
    """Do what the database owner can: switch the append-only triggers off in this transaction."""
    if database.is_sqlite:
        triggers = text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        for name in list(session.scalars(triggers)):
            session.execute(text(f'DROP TRIGGER "{name}"'))
    else:
        session.execute(text("SET LOCAL session_replication_role = replica"))


def _commit_truncation(database: Database, tenant_id: int, keep: int, head_hash: str) -> None:
    """As the database owner: cut the chain after ``keep`` and move its head back."""
    with database.transaction() as session:
        _lift_triggers(database, session)
        entries = LedgerEntry.__table__
        session.execute(
            delete(entries).where((entries.c.tenant_id == tenant_id) & (entries.c.seq > keep))
        )
        heads = ChainHead.__table__
        session.execute(
            update(heads)
            .where(heads.c.tenant_id == tenant_id)
            .values(seq=keep, entry_hash=head_hash)
        )


def test_a_consistent_series_of_fifty_checkpoints_verifies(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36", "3673")
    at = clock()
    fill(database, ids["3673"], 1, at)
    for round_number in range(50):
        fill(database, ids["36"], 1 + round_number % 2, at)
        run = ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now(), tenant_code="36")
        assert run.refused == ()
        assert len(run.written) == 1
    files = sorted((store.directory / "36").glob("*.checkpoint"))
    assert len(files) == 50
    assert not (store.directory / "3673").exists()
    sizes = [parse_note(path.read_text("utf-8"))[0].size for path in files]
    assert sizes == sorted(sizes)
    assert sizes[-1] == 75
    report = ledger.verify(database, checkpoints=store)
    assert report.ok
    assert (report.tenant("36").entries, report.tenant("36").checkpoints) == (75, 50)
    assert (report.tenant("3673").entries, report.tenant("3673").checkpoints) == (1, 0)


def test_checkpoint_signs_every_tenant_with_entries(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36", "3673", "3601")
    at = clock()
    fill(database, ids["36"], 3, at)
    fill(database, ids["3673"], 2, at)
    run = ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now())
    assert [path.parent.name for path in run.written] == ["36", "3673"]
    checkpoint, _, _ = parse_note(run.written[0].read_text("utf-8"))
    assert (checkpoint.tenant, checkpoint.size, checkpoint.key_name) == ("36", 3, KEY_A.name)
    assert checkpoint.head == ledger.verify(database, tenant_code="36").tenant("36").head
    assert (store.directory / KEYS_DIRECTORY / f"{KEY_A.verifier.key_id}.vkey").exists()
    with pytest.raises(NotFound):
        ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now(), tenant_code="x")


def test_a_bad_signature_is_reported_and_the_checkpoint_not_trusted(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36")
    at = clock()
    fill(database, ids["36"], 4, at)
    (path,) = ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now()).written
    content = path.read_text("utf-8")
    text_part, signature_line = content.rsplit("\n\n", 1)
    name, encoded = signature_line.removeprefix("\u2014 ").strip().split(" ")
    blob = bytearray(base64.b64decode(encoded))
    blob[10] ^= 0x01
    forged = f"{text_part}\n\n\u2014 {name} {base64.b64encode(bytes(blob)).decode()}\n"
    path.write_text(forged, "utf-8")
    report = ledger.verify(database, checkpoints=store)
    tenant = report.tenant("36")
    assert not report.ok
    assert tenant.checkpoints == 0
    assert [(f.seq, f.checkpoint) for f in tenant.findings] == [(None, path)]
    assert "bad signature" in tenant.findings[0].reason


def test_an_edited_checkpoint_text_fails_its_signature(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36")
    at = clock()
    fill(database, ids["36"], 4, at)
    (path,) = ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now()).written
    path.write_text(path.read_text("utf-8").replace("\n4\n", "\n3\n", 1), "utf-8")
    tenant = ledger.verify(database, checkpoints=store).tenant("36")
    assert [f.reason for f in tenant.findings] == [f"bad signature by key {KEY_A.verifier.key_id}"]


def test_a_database_smaller_than_a_checkpoint_is_a_truncation(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36")
    at = clock()
    fill(database, ids["36"], 6, at)
    ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now())
    fill(database, ids["36"], 2, at)
    ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now())
    fill(database, ids["36"], 1, at)
    assert ledger.verify(database, checkpoints=store).tenant("36").entries == 9
    with database.read() as session:
        entry_4 = session.get(LedgerEntry, (ids["36"], 4))
        assert entry_4 is not None
        hash_4 = entry_4.entry_hash
    _commit_truncation(database, ids["36"], 4, hash_4)
    assert ledger.verify(database).ok, "the chain alone cannot see a cut tail"
    (finding,) = ledger.verify(database, checkpoints=store).tenant("36").findings
    assert finding.seq == 5
    assert finding.reason.startswith("truncated: a checkpoint signed ")
    assert finding.reason.endswith("commits to 8 entries, the database holds 4")
    refused = ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now())
    assert refused.written == ()
    assert [t.tenant for t in refused.refused] == ["36"]
    assert len(list((store.directory / "36").glob("*.checkpoint"))) == 2


def test_a_tenant_erased_from_the_database_is_still_missed(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36", "3673")
    at = clock()
    fill(database, ids["36"], 2, at)
    fill(database, ids["3673"], 1, at)
    ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now())
    with database.transaction() as session:
        _lift_triggers(database, session)
        for table in (LedgerEntry, ChainHead, Tenant):
            column = table.id if table is Tenant else table.tenant_id
            session.execute(delete(table).where(column == ids["36"]))
    report = ledger.verify(database, checkpoints=store)
    assert report.tenant("3673").ok
    first = report.tenant("36").first_break
    assert first is not None
    assert (first.seq, first.reason) == (1, "a tenant with checkpoints is not in the database")
    alone = ledger.verify(database, tenant_code="36", checkpoints=store)
    assert [t.tenant for t in alone.tenants] == ["36"]
    assert not alone.ok


def test_two_signed_heads_for_one_size_are_a_split_view(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36")
    at = clock()
    fill(database, ids["36"], 3, at)
    ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now())
    other_history = checkpoint_for("36", 3, "ab" * 32, at.now(), KEY_A.name)
    store.write(other_history, KEY_A)
    findings = ledger.verify(database, checkpoints=store).tenant("36").findings
    reasons = sorted(f.reason.split(":")[0] for f in findings)
    assert reasons == ["rewritten", "split view"]
    assert {f.seq for f in findings} == {3}


def test_an_unknown_key_id_is_reported(database: Database, store: CheckpointStore) -> None:
    ids = add_tenants(database, "36")
    at = clock()
    fill(database, ids["36"], 2, at)
    head = ledger.verify(database).tenant("36").head
    stranger = Signer.from_seed("meritflow-2026", os.urandom(32))  # same name, other key
    path = store.directory / "36" / "000000000002-stranger.checkpoint"
    path.parent.mkdir(parents=True)
    path.write_text(checkpoint_for("36", 2, head, at.now(), stranger.name).signed_note(stranger))
    store.publish_key(KEY_A.verifier)
    tenant = ledger.verify(database, checkpoints=store).tenant("36")
    assert [f.reason for f in tenant.findings] == [
        f"unknown key id {stranger.verifier.key_id} (not among the trusted keys)"
    ]
    assert tenant.first_break is None


def test_pinned_keys_override_the_published_ones(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36")
    at = clock()
    fill(database, ids["36"], 2, at)
    ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now())
    pinned_a = CheckpointStore(store.directory, trusted_keys=(KEY_A.verifier,))
    pinned_b = CheckpointStore(store.directory, trusted_keys=(KEY_B.verifier,))
    assert ledger.verify(database, checkpoints=pinned_a).ok
    findings = ledger.verify(database, checkpoints=pinned_b).tenant("36").findings
    assert [f.reason.split(" (")[0] for f in findings] == [
        f"unknown key id {KEY_A.verifier.key_id}"
    ]


def test_old_checkpoints_verify_after_key_rotation(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36")
    at = clock()
    fill(database, ids["36"], 3, at)
    ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now())
    fill(database, ids["36"], 3, at)
    ledger.checkpoint(database, store=store, signer=KEY_B, now=at.now())
    same_name = Signer.from_seed(KEY_B.name, b"\x03" * 32)
    fill(database, ids["36"], 1, at)
    ledger.checkpoint(database, store=store, signer=same_name, now=at.now())
    keys = sorted(p.name for p in (store.directory / KEYS_DIRECTORY).iterdir())
    assert len(keys) == 3
    report = ledger.verify(database, checkpoints=store)
    assert report.ok
    assert report.tenant("36").checkpoints == 3


def test_unreadable_checkpoint_files_are_reported_not_raised(
    database: Database, store: CheckpointStore
) -> None:
    ids = add_tenants(database, "36")
    at = clock()
    fill(database, ids["36"], 2, at)
    (good,) = ledger.checkpoint(database, store=store, signer=KEY_A, now=at.now()).written
    (good.parent / "garbage.checkpoint").write_bytes(b"\xff\xfe not a checkpoint")
    (good.parent / "short.checkpoint").write_text("meritflow.ledger/36\n2\n\n")
    misfiled = store.directory / "3673" / good.name
    misfiled.parent.mkdir()
    misfiled.write_text(good.read_text("utf-8"))
    (store.directory / KEYS_DIRECTORY / "junk.vkey").write_text("no key here")
    report = ledger.verify(database, checkpoints=store)
    assert report.tenant("36").checkpoints == 1
    reasons = sorted(f.reason for t in report.tenants for f in t.findings)
    assert len(reasons) == 3
    assert reasons[0].startswith("malformed")
    assert reasons[1].startswith("malformed")
    assert reasons[2] == "names tenant '36' in its origin"
    assert [p.reason.split(":")[0] for p in report.problems] == ["unreadable key"]


def test_checkpoint_time_and_head_are_as_signed(store: CheckpointStore) -> None:
    when = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    path = store.write(checkpoint_for("36", 9, "cd" * 32, when, KEY_A.name), KEY_A)
    assert path.name.startswith("000000000009-20261123T023000000000Z-")
    checkpoint, signed, signatures = parse_note(path.read_text("utf-8"))
    assert checkpoint.time == dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.UTC)
    assert checkpoint.head == "cd" * 32
    assert KEY_A.verifier.verifies(signed, signatures[0].signature)
