"""A narrowed screening stored as a vacancy's run: its replay reproduces it, a counterfactual
replay re-narrows with the other pack and reads the rest from today's registry, a narrowed-out
candidate is explained on demand (and the read is logged), and only large pools are narrowed
(SCREENING_NARROWING_MIN_POOL)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from bench.pool import pool
from rules.pack import pack_from_document, read_yaml
from tests.api.conftest import NOW, World
from tests.support.screening import Screened, publish_overlay, screen_province_vacancy
from workflow.core.db import Database
from workflow.models import Employee, PersonalDataAccess, RulePack, ScreeningRun, Vacancy
from workflow.screening import (
    NarrowingPolicy,
    evaluate_pool,
    explanations,
    replay,
    screen_position,
    should_narrow,
)
from workflow.screening.rulepacks import load_published

POOL = pool(40, seed=3)
ALWAYS = NarrowingPolicy(screening_narrowing=True)
PACK_FILE = Path(__file__).resolve().parents[2] / "rules" / "packs" / "bkn-national" / "pack.yaml"


@pytest.fixture
def narrowed(database: Database, world: World) -> Screened:
    explanations.clear_caches()
    publish_overlay(database)
    found = screen_province_vacancy(database, world, profiles=POOL, narrowing=ALWAYS)
    assert found.narrowed, "the pool should have candidates a column rules out"
    return found


def _accesses(database: Database) -> list[PersonalDataAccess]:
    with database.read() as session:
        return list(session.scalars(select(PersonalDataAccess).order_by(PersonalDataAccess.id)))


def _employee_id(database: Database, nip: str) -> int:
    with database.read() as session:
        found = session.scalar(select(Employee.id).where(Employee.nip == nip))
    assert found is not None
    return found


def _publish_loose_pack(database: Database) -> str:
    """Publish a version of the national pack whose Administrator minimum rank is III/a, so
    candidates the stored run narrowed out by rank are no longer excluded by it."""
    document = copy.deepcopy(read_yaml(PACK_FILE))
    document["version"] = "2026.9.0"
    document["parameters"]["min_rank"]["per_level"]["administrator"] = "III/a"
    loose = pack_from_document(document, file="loose.yaml", parent=None)
    with database.transaction() as session:
        session.add(
            RulePack(
                pack_id=loose.id,
                version=loose.version,
                digest=loose.digest,
                canonical=loose.canonical_json.decode(),
                parent_digest=None,
                published_at=NOW + dt.timedelta(seconds=2),
                published_by="test",
            )
        )
    return loose.digest


def _position(database: Database, vacancy_id: int) -> tuple[int, list[int]]:
    with database.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        return vacancy.position_id, list(vacancy.candidate_tenant_ids)


# ------------------------------------------------------------------ replay


def test_the_replay_of_a_narrowed_run_reproduces_its_digests(
    database: Database, world: World, narrowed: Screened, api: FlaskClient
) -> None:
    report = replay(database, actor=None, vacancy_id=narrowed.vacancy_id)
    assert report.reproduced
    assert report.replayed_input_digest == report.recorded_input_digest
    assert report.replayed_result_digest == report.recorded_result_digest
    assert report.narrowed == len(narrowed.narrowed)
    assert report.candidates == len(narrowed.ranking) + len(narrowed.narrowed)
    assert (report.renarrowed, report.from_registry, report.not_in_registry) == (0, 0, 0)
    answer = api.post(
        f"/api/v1/vacancies/{narrowed.vacancy_id}/replay",
        json={},
        headers=world.headers("province.auditor"),
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["reproduced"] is True
    assert answer.json["narrowed"] == len(narrowed.narrowed)


def test_without_the_recorded_list_the_digests_would_not_match(
    database: Database, narrowed: Screened
) -> None:
    """The replay must pass the recorded narrowed-out list: the snapshot alone lacks them."""
    from rules.profile import CandidateProfile, VacancyContext
    from rules.screening import screen

    with database.read() as session:
        digest = session.scalar(
            select(Vacancy.pack_digest).where(Vacancy.id == narrowed.vacancy_id)
        )
    assert digest is not None
    pack = load_published(database, digest=digest)
    context = VacancyContext.from_json(narrowed.snapshot["vacancy"], where="vacancy")
    profiles = [CandidateProfile.from_json(p, where="p") for p in narrowed.snapshot["profiles"]]
    alone = screen(pack, context, profiles)
    report = replay(database, actor=None, vacancy_id=narrowed.vacancy_id)
    assert alone.result_digest != report.recorded_result_digest
    assert screen(pack, context, profiles, narrowed=narrowed.narrowed).result_digest == (
        report.recorded_result_digest
    )


def _statuses(recorded: Screened, changes: list[Any]) -> dict[str, str]:
    """Every candidate's status under the other pack: the recorded one unless it changed."""
    out = {row["nip"]: row["status"] for row in recorded.ranking}
    out.update((nip, "ineligible") for nip, _ in recorded.narrowed)
    out.update((c.nip, c.status_after) for c in changes)
    return out


def test_a_counterfactual_replay_re_narrows_and_reads_the_rest_from_today(
    database: Database, world: World, narrowed: Screened
) -> None:
    """Under a pack with a lower minimum rank, the candidates the run narrowed out by rank are
    evaluated from the registry (as of today): every status equals a full screening's under
    that pack, and the changes coming from today's registry say so."""
    loose = _publish_loose_pack(database)
    by_rank = [nip for nip, criterion in narrowed.narrowed if criterion == "rank.minimum"]
    assert by_rank, "the pool should have candidates narrowed out by rank"
    report = replay(database, actor=None, vacancy_id=narrowed.vacancy_id, pack_digest=loose)
    assert report.counterfactual
    assert not report.reproduced
    assert report.narrowed == len(narrowed.narrowed)
    assert report.from_registry >= 1
    assert report.renarrowed + report.from_registry == report.narrowed
    assert report.not_in_registry == 0
    position_id, tenants = _position(database, narrowed.vacancy_id)
    full = screen_position(
        database,
        pack=load_published(database, digest=loose),
        position_id=position_id,
        reference_date=dt.date(2026, 3, 1),
        tenant_ids=tenants,
        narrow=False,
    )
    assert _statuses(narrowed, report.changes) == {d.nip: d.status for d in full.decisions}
    from_today = [c for c in report.changes if c.profile == "registry"]
    assert from_today, "someone narrowed out by rank fares differently under the loose pack"
    assert {c.nip for c in from_today} <= {nip for nip, _ in narrowed.narrowed}
    assert all(c.status_before == "ineligible" for c in from_today)
    assert {c.profile for c in report.changes if c.nip not in dict(narrowed.narrowed)} <= {
        "snapshot"
    }


def test_a_counterfactual_replay_counts_who_left_the_registry(
    database: Database, world: World, narrowed: Screened, api: FlaskClient
) -> None:
    loose = _publish_loose_pack(database)
    gone = next(nip for nip, criterion in narrowed.narrowed if criterion == "rank.minimum")
    with database.transaction() as session:
        employee = session.scalars(select(Employee).where(Employee.nip == gone)).one()
        employee.nip = "199001012020011999"  # the NIP the run recorded is no longer there
    answer = api.post(
        f"/api/v1/vacancies/{narrowed.vacancy_id}/replay",
        json={"pack": loose},
        headers=world.headers("province.auditor"),
    )
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["counterfactual"] is True
    assert body["not_in_registry"] == 1
    assert body["renarrowed"] + body["from_registry"] + 1 == body["narrowed"]
    assert {c["profile"] for c in body["changes"]} <= {"snapshot", "registry"}
    assert all("nip" not in c for c in body["changes"])  # a replay names nobody
    assert _accesses(database) == []


def test_the_cli_replay_says_how_the_run_narrowed(
    database: Database, narrowed: Screened, runner: FlaskCliRunner
) -> None:
    same = runner.invoke(args=["audit", "replay", str(narrowed.vacancy_id)])
    assert same.exit_code == 0, same.output
    assert "REPRODUCED" in same.output
    assert f"{len(narrowed.narrowed)} of them narrowed out (the recorded list replayed)" in (
        same.output
    )
    loose = _publish_loose_pack(database)
    other = runner.invoke(args=["audit", "replay", str(narrowed.vacancy_id), "--pack", loose])
    assert other.exit_code == 0, other.output
    assert f"{len(narrowed.narrowed)} narrowed out by the run:" in other.output
    assert "evaluated from TODAY's registry" in other.output
    assert "(today's registry)" in other.output


# ------------------------------------------------------------------ explanation


def _explain(api: FlaskClient, world: World, vacancy_id: int, nip: str, **query: str) -> Any:
    suffix = "".join(f"&{k}={v}" for k, v in query.items()).replace("&", "?", 1)
    return api.get(
        f"/api/v1/vacancies/{vacancy_id}/candidates/{nip}/explanation{suffix}",
        headers=world.headers("province.authority"),
    )


def test_a_narrowed_out_candidate_is_explained_by_the_engine_from_the_registry(
    database: Database, world: World, narrowed: Screened, api: FlaskClient
) -> None:
    nip, criterion = narrowed.narrowed[0]
    assert nip not in {row["nip"] for row in narrowed.ranking}
    answer = _explain(api, world, narrowed.vacancy_id, nip)
    assert answer.status_code == 200, answer.json
    body = answer.json
    doc = body["explanation"]
    assert body["source"] == "registry"
    assert body["screening"]["round"] == 1
    assert body["neighbours"] == []
    assert body["narrowed"]["criterion"] == criterion
    assert body["narrowed"]["decided"] == "ineligible"
    assert body["narrowed"]["profile"] == "registry"
    assert body["narrowed"]["still_fails"] is True
    assert body["narrowed"]["message"]["en"]
    assert doc["status"] == "ineligible"
    assert criterion in doc["failed"]
    outcome = {c["id"]: c["outcome"] for c in doc["criteria"]}
    assert outcome[criterion] == "fail"
    assert doc["succession"]["rank"] is None  # never ranked
    assert doc["succession"]["pool_size"] == len(narrowed.ranking) + len(narrowed.narrowed)
    assert doc["succession"]["shortlisted"] is False
    assert doc["pack"]["digest"] == world.pack_digest
    assert doc["vacancy"] == narrowed.snapshot["vacancy"]  # the run's context, not today's
    assert any("today's registry" in w for w in body["warnings"])
    assert body["text"].startswith(f"Narrowed out by {criterion}")
    records = _accesses(database)
    assert [(r.employee_id, r.purpose) for r in records] == [
        (_employee_id(database, nip), "screening_explanation")
    ]


def test_a_narrowed_out_explanation_says_when_the_registry_changed(
    database: Database, world: World, narrowed: Screened, api: FlaskClient
) -> None:
    nip = next(nip for nip, criterion in narrowed.narrowed if criterion == "rank.minimum")
    first = _explain(api, world, narrowed.vacancy_id, nip, lang="id").json
    assert first["narrowed"]["still_fails"] is True
    assert first["text"].startswith("Tersaring oleh rank.minimum")
    with database.transaction() as session:
        employee = session.scalars(select(Employee).where(Employee.nip == nip)).one()
        employee.rank = "IV/a"  # promoted since the screening
    body = _explain(api, world, narrowed.vacancy_id, nip).json  # not cached: today's registry
    assert body["narrowed"]["still_fails"] is False
    assert body["narrowed"]["decided"] == "ineligible"
    assert any("no longer fails rank.minimum" in w for w in body["warnings"])
    outcome = {c["id"]: c["outcome"] for c in body["explanation"]["criteria"]}
    assert outcome["rank.minimum"] == "pass"
    assert body["explanation"]["succession"]["shortlisted"] is False
    assert len(_accesses(database)) == 2


def test_a_narrowed_out_candidate_gone_from_the_registry_or_a_stranger_is_not_found(
    database: Database, world: World, narrowed: Screened, api: FlaskClient
) -> None:
    nip = narrowed.narrowed[0][0]
    assert _explain(api, world, narrowed.vacancy_id, "199901012024011001").status_code == 404
    with database.transaction() as session:
        employee = session.scalars(select(Employee).where(Employee.nip == nip)).one()
        employee.nip = "199001012020011998"
    answer = _explain(api, world, narrowed.vacancy_id, nip)
    assert answer.status_code == 404
    assert "no longer in the registry" in answer.json["detail"]
    assert _accesses(database) == []


# ------------------------------------------------------------------ the threshold


def test_should_narrow_follows_both_settings() -> None:
    default = NarrowingPolicy()
    assert default.screening_narrowing_min_pool == 50_000
    assert not should_narrow(49_999, default)
    assert should_narrow(50_000, default)
    assert should_narrow(1, ALWAYS)
    assert not should_narrow(10**7, NarrowingPolicy(screening_narrowing_min_pool=0))
    assert should_narrow(10, NarrowingPolicy(screening_narrowing_min_pool=10))


@pytest.mark.parametrize(("least", "narrows"), [(10, True), (10_000, False), (0, False)])
def test_the_inline_path_narrows_pools_at_least_the_threshold(
    database: Database, world: World, least: int, narrows: bool
) -> None:
    """A pool under the threshold is screened whole: its digests are today's unnarrowed ones."""
    found = screen_province_vacancy(
        database,
        world,
        profiles=POOL,
        narrowing=NarrowingPolicy(screening_narrowing_min_pool=least),
    )
    assert bool(found.narrowed) is narrows
    position_id, tenants = _position(database, found.vacancy_id)
    whole = evaluate_pool(
        database,
        pack_digest=world.pack_digest,
        position_id=position_id,
        reference_date=dt.date(2026, 3, 1),
        tenant_ids=tenants,
        narrow=False,
    )
    with database.read() as session:
        run = session.scalars(
            select(ScreeningRun).where(ScreeningRun.vacancy_id == found.vacancy_id)
        ).one()
        entries = [(e.rank, e.employee_id, e.status) for e in run.entries]
    assert (run.result_digest == whole.result_digest) is not narrows
    assert run.candidates == whole.candidates
    # the shortlist (eligible and needs data, in rank order) is the same either way
    assert entries == [(r.rank, r.employee_id, r.status) for r in whole.shortlist]


def test_the_shipped_default_keeps_small_pools_whole(database: Database, world: World) -> None:
    found = screen_province_vacancy(database, world, profiles=POOL)
    assert found.narrowed == []  # the pool is far below the default 50,000
