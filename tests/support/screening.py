"""Screen a province vacancy for real through the use cases (open, submit, screen), for the
tests of the shortlist, explanation and replay endpoints and their authorization matrix."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from rules.pack import load_shipped
from rules.profile import CandidateProfile
from tests.api.conftest import NOW, World
from tests.support.registry_rows import add_employee
from workflow import vacancies
from workflow.core.actors import system_actor
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username
from workflow.models import RulePack, ScreeningRun, Vacancy
from workflow.screening import DEFAULT_NARROWING, NarrowingSettings


@dataclass(frozen=True)
class Screened:
    """A screened province vacancy and what its stored screening recorded."""

    vacancy_id: int
    state: str
    ranking: list[dict[str, Any]]
    """The stored result's ranking: every evaluated candidate, in rank order."""
    snapshot: dict[str, Any]
    narrowed: list[tuple[str, str]] = field(default_factory=list)
    """(NIP, criterion) of the candidates a narrowed screening left out (empty otherwise)."""

    def nips(self, status: str) -> list[str]:
        """Return the NIPs of the candidates with ``status``, in rank order."""
        return [row["nip"] for row in self.ranking if row["status"] == status]


def publish_overlay(database: Database) -> str:
    """Store the shipped kota-serang overlay as published (its parent is published by the
    world) and return its digest."""
    overlay = load_shipped()["kota-serang"]
    with database.transaction() as session:
        if session.scalar(select(RulePack.id).where(RulePack.digest == overlay.digest)) is None:
            assert overlay.parent is not None
            session.add(
                RulePack(
                    pack_id=overlay.id,
                    version=overlay.version,
                    digest=overlay.digest,
                    canonical=overlay.canonical_json.decode(),
                    parent_digest=overlay.parent.digest,
                    published_at=NOW + dt.timedelta(seconds=1),
                    published_by="test",
                )
            )
    return overlay.digest


def screen_province_vacancy(
    database: Database,
    world: World,
    *,
    profiles: Sequence[CandidateProfile] = (),
    position_code: str | None = None,
    narrowing: NarrowingSettings = DEFAULT_NARROWING,
) -> Screened:
    """Add ``profiles`` to the province, open a new vacancy for its administrator position,
    submit it as its HR officer and screen it as the system (narrowed as ``narrowing`` says);
    return what was stored."""
    if profiles:
        with database.transaction() as session:
            for profile in profiles:
                add_employee(session, profile, tenant_id=world.tenant_id["province"])
    with database.read() as session:
        hr = actor_by_username(session, "province.hr")
    opened = vacancies.open_vacancy(
        database,
        actor=hr,
        position_code=position_code or world.admin_position_code["province"],
        title="Kepala Bagian Umum (screened)",
        reference_date=dt.date(2026, 3, 1),
        pack_digest=world.pack_digest,
        idempotency_key="screened-open",
        now=NOW,
    )
    vacancy_id = int(opened.vacancy["id"])
    submitted = vacancies.perform(
        database,
        actor=hr,
        vacancy_id=vacancy_id,
        action="submit",
        expected_version=int(opened.vacancy["version"]),
        idempotency_key="screened-submit",
        now=NOW,
    )
    system = system_actor(world.tenant_id["province"], world.tenant_code["province"], "province")
    outcome = vacancies.screen(
        database,
        actor=system,
        vacancy_id=vacancy_id,
        expected_version=int(submitted.vacancy["version"]),
        idempotency_key="screened-screen",
        now=NOW,
        narrowing=narrowing,
    )
    with database.read() as session:
        run = session.scalars(
            select(ScreeningRun).where(ScreeningRun.vacancy_id == vacancy_id)
        ).one()
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        result = json.loads(gzip.decompress(run.result))
        snapshot = json.loads(gzip.decompress(run.snapshot))
    assert outcome.vacancy["state"] == vacancy.state
    narrowed = [(str(nip), str(criterion)) for nip, criterion in result.get("narrowed", ())]
    return Screened(vacancy_id, vacancy.state, result["ranking"], snapshot, narrowed)
