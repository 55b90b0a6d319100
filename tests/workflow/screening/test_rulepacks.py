"""Publishing rule packs: immutable by digest, idempotent, parents first, verified on load."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import delete, select, update

from rules.pack import Pack, load_shipped
from rules.text import Text
from workflow.core.db import Database
from workflow.core.errors import Conflict, InvalidInput, NotFound
from workflow.ledger import chain as ledger
from workflow.models import LedgerEntry, Tenant
from workflow.models.rules import RulePack
from workflow.screening.rulepacks import list_published, load_published, publish_pack

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def packs() -> dict[str, Pack]:
    return load_shipped()


@pytest.fixture(autouse=True)
def national(database: Database) -> int:
    """The national agency, whose ledger records every publication."""
    with database.transaction() as session:
        tenant = Tenant(code="BKN", name="Badan Kepegawaian Negara", level="national")
        session.add(tenant)
        session.flush()
        return tenant.id


def test_a_publication_is_recorded_in_the_national_ledger(
    database: Database, packs: dict[str, Pack]
) -> None:
    national = packs["bkn-national"]
    publish_pack(database, pack=national, published_by="tester", now=NOW)
    publish_pack(database, pack=national, published_by="tester", now=NOW)  # already published
    with database.read() as session:
        bodies = session.scalars(
            select(LedgerEntry.body).where(LedgerEntry.kind == "rules.publish")
        ).all()
    assert len(bodies) == 1
    entry = json.loads(bodies[0])
    assert entry["tenant"] == "BKN"
    assert entry["actor"] is None  # the command line's operator is the system, never a name
    assert entry["data"] == {
        "pack": "bkn-national",
        "version": national.version,
        "digest": national.digest,
        "parent": None,
    }
    assert ledger.verify(database).ok


def test_publishing_needs_a_national_agency(database: Database, packs: dict[str, Pack]) -> None:
    with database.transaction() as session:
        session.execute(delete(Tenant))
    with pytest.raises(InvalidInput, match="national agency"):
        publish_pack(database, pack=packs["bkn-national"], published_by="tester", now=NOW)
    assert list_published(database) == []


def test_publish_then_load_by_digest(database: Database, packs: dict[str, Pack]) -> None:
    national = packs["bkn-national"]
    stored = publish_pack(database, pack=national, published_by="tester", now=NOW)
    assert (stored.pack_id, stored.digest, stored.already_published) == (
        "bkn-national",
        national.digest,
        False,
    )
    loaded = load_published(database, digest=national.digest)
    assert loaded.digest == national.digest
    assert [c.id for c in loaded.criteria] == [c.id for c in national.criteria]


def test_republishing_the_same_content_reports_already_published(
    database: Database, packs: dict[str, Pack]
) -> None:
    national = packs["bkn-national"]
    publish_pack(database, pack=national, published_by="a", now=NOW)
    again = publish_pack(database, pack=national, published_by="b", now=NOW)
    assert again.already_published
    assert again.published_by == "a"
    assert len(list_published(database)) == 1


def test_the_same_version_with_other_content_is_refused(
    database: Database, packs: dict[str, Pack]
) -> None:
    national = packs["bkn-national"]
    publish_pack(database, pack=national, published_by="a", now=NOW)
    altered = dataclasses.replace(national, title=Text("judul lain", "another title"))
    assert altered.version == national.version
    assert altered.digest != national.digest
    with pytest.raises(Conflict, match="already published with digest"):
        publish_pack(database, pack=altered, published_by="a", now=NOW)
    assert len(list_published(database)) == 1


def test_an_overlay_needs_its_parent_published(database: Database, packs: dict[str, Pack]) -> None:
    overlay = packs["kota-serang"]
    with pytest.raises(InvalidInput, match=r"publish the parent bkn-national 2026\.1\.0 first"):
        publish_pack(database, pack=overlay, published_by="a", now=NOW)
    publish_pack(database, pack=packs["bkn-national"], published_by="a", now=NOW)
    stored = publish_pack(database, pack=overlay, published_by="a", now=NOW)
    assert stored.parent_digest == packs["bkn-national"].digest
    assert [p.pack_id for p in list_published(database)] == ["bkn-national", "kota-serang"]


def test_an_altered_stored_pack_is_detected(database: Database, packs: dict[str, Pack]) -> None:
    national = packs["bkn-national"]
    publish_pack(database, pack=national, published_by="a", now=NOW)
    with database.transaction() as session:
        session.execute(
            update(RulePack).values(canonical=RulePack.canonical + " ")  # type: ignore[operator]
        )
    with pytest.raises(InvalidInput, match="is corrupt"):
        load_published(database, digest=national.digest)
    with pytest.raises(NotFound):
        load_published(database, digest="0" * 64)
