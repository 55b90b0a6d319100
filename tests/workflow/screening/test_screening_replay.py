"""Real screening of demo registry data with the published pack, stored, and replayed."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from sqlalchemy import select

from api.schemas.registry_import import RegistryRowValidator
from rules.pack import load_shipped
from workflow import vacancies
from workflow.core.db import Database
from workflow.core.errors import NotFound
from workflow.identity.accounts import actor_by_username, create_user
from workflow.ledger import chain as ledger
from workflow.models import LedgerEntry, Position, ScreeningRun, ShortlistEntry, Tenant
from workflow.registry.demo import seed_demo
from workflow.screening.replays import replay
from workflow.screening.rulepacks import publish_pack

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
REFERENCE = dt.date(2026, 3, 1)


@pytest.fixture
def screened(database: Database) -> tuple[Database, int, dict[str, str]]:
    """A province administrator vacancy screened against 600 demo employees."""
    seed_demo(
        database, employees=600, seed=7, as_of=REFERENCE, validator=RegistryRowValidator(), now=NOW
    )
    packs = load_shipped()
    digests = {}
    for pack_id in ("bkn-national", "kota-serang"):
        digests[pack_id] = publish_pack(
            database, pack=packs[pack_id], published_by="test", now=NOW
        ).digest
    for username, roles in (("hr1", ["hr"]), ("hr2", ["hr"]), ("c1", ["committee"])):
        create_user(
            database, tenant_code="BANTEN", username=username, display_name=username, roles=roles
        )
    with database.read() as session:
        banten = session.scalar(select(Tenant.id).where(Tenant.code == "BANTEN"))
        code = session.scalars(
            select(Position.code)
            .where(Position.tenant_id == banten, Position.level == "administrator")
            .order_by(Position.code)
        ).first()
        hr1, hr2 = actor_by_username(session, "hr1"), actor_by_username(session, "hr2")
    assert code is not None
    opened = vacancies.open_vacancy(
        database,
        actor=hr1,
        position_code=code,
        title="Kepala Bagian",
        reference_date=REFERENCE,
        pack_digest=digests["bkn-national"],
        idempotency_key="open",
        now=NOW,
    )
    vacancy_id = int(opened.vacancy["id"])
    vacancies.perform(
        database,
        actor=hr1,
        vacancy_id=vacancy_id,
        action="submit",
        expected_version=1,
        idempotency_key="submit",
        now=NOW,
    )
    outcome = vacancies.screen(
        database,
        actor=hr2,
        vacancy_id=vacancy_id,
        expected_version=2,
        idempotency_key="screen",
        now=NOW,
    )
    assert outcome.vacancy["state"] == "committee_review"
    assert outcome.applied == ["start_screening", "complete_screening"]
    return database, vacancy_id, digests


def test_screening_is_stored_ranked_and_in_the_ledger(
    screened: tuple[Database, int, dict[str, str]],
) -> None:
    db, _, digests = screened
    with db.read() as session:
        run = session.scalars(select(ScreeningRun)).one()
        entries = session.scalars(select(ShortlistEntry).order_by(ShortlistEntry.rank)).all()
        recorded = [
            json.loads(b)
            for b in session.scalars(
                select(LedgerEntry.body).where(LedgerEntry.kind == "screening.result")
            )
        ]
    assert run.pack_digest == digests["bkn-national"]
    assert run.eligible >= 1
    eligible = [e for e in entries if e.status == "eligible"]
    assert [e.rank for e in eligible] == list(range(1, len(eligible) + 1))
    assert all(e.box is None or 1 <= e.box <= 9 for e in entries)
    snapshot = json.loads(gzip.decompress(run.snapshot))
    assert len(snapshot["profiles"]) == run.candidates
    assert recorded[0]["data"]["result_digest"] == run.result_digest
    assert recorded[0]["data"]["input_digest"] == run.input_digest
    assert ledger.verify(db).ok


def test_replay_reproduces_the_recorded_digest(
    screened: tuple[Database, int, dict[str, str]],
) -> None:
    db, vacancy_id, _ = screened
    with db.read() as session:
        auditor = actor_by_username(session, "c1")
    report = replay(db, actor=auditor, vacancy_id=vacancy_id)
    assert report.reproduced
    assert report.replayed_result_digest == report.recorded_result_digest
    assert report.changes == []


def test_counterfactual_replay_shows_who_gains_or_loses(
    screened: tuple[Database, int, dict[str, str]],
) -> None:
    db, vacancy_id, digests = screened
    with db.read() as session:
        auditor = actor_by_username(session, "c1")
    report = replay(db, actor=auditor, vacancy_id=vacancy_id, pack_digest=digests["kota-serang"])
    assert report.counterfactual
    assert not report.reproduced
    # the overlay only tightens (JPM >= 80 for Administrator): nobody gains eligibility
    effects = {c.effect for c in report.changes}
    assert "gains" not in effects
    assert "loses" in effects
    lost = [c for c in report.changes if c.effect == "loses"]
    assert all(c.status_before == "eligible" for c in lost)
    assert report.as_dict()["changes"][0]["effect"] in {"loses", "rank_up", "rank_down", "status"}


def test_replay_is_scoped_to_the_callers_agency(
    screened: tuple[Database, int, dict[str, str]],
) -> None:
    db, vacancy_id, _ = screened
    create_user(db, tenant_code="KOTA-SERANG", username="city", display_name="c", roles=["auditor"])
    with db.read() as session:
        city = actor_by_username(session, "city")
    with pytest.raises(NotFound):
        replay(db, actor=city, vacancy_id=vacancy_id)
