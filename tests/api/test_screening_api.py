"""The rules-facing resources on a vacancy screened for real: the shortlist, explanations from
the stored snapshot, replays (reproduced and counterfactual) and the published rule packs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bench.pool import pool
from rules.pack import load_shipped
from tests.api.conftest import World
from tests.support.screening import Screened, publish_overlay, screen_province_vacancy
from workflow.core.db import Database
from workflow.models import (
    Employee,
    LedgerEntry,
    PersonalDataAccess,
    ScreeningRun,
    ShortlistEntry,
    Vacancy,
)
from workflow.screening import explanations

POOL = pool(16, seed=1)
"""Generated candidates of which the national pack finds some eligible, one lacking data, and
the kota-serang overlay (JPM at least 80 %) fewer."""


@pytest.fixture
def screened(database: Database, world: World) -> Screened:
    explanations.clear_caches()
    publish_overlay(database)
    return screen_province_vacancy(database, world, profiles=POOL)


def _accesses(database: Database) -> list[PersonalDataAccess]:
    with database.read() as session:
        return list(session.scalars(select(PersonalDataAccess).order_by(PersonalDataAccess.id)))


def _employee_ids(database: Database, nips: list[str]) -> dict[str, int]:
    with database.read() as session:
        rows = session.execute(select(Employee.nip, Employee.id).where(Employee.nip.in_(nips)))
        return {row.nip: row.id for row in rows}


# ------------------------------------------------------------------ shortlist


def test_the_shortlist_is_the_stored_ranking_in_order(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    assert screened.state == "committee_review"
    listed = [row for row in screened.ranking if row["status"] in ("eligible", "needs_data")]
    assert screened.nips("eligible")
    assert screened.nips("needs_data")
    response = api.get(
        f"/api/v1/vacancies/{screened.vacancy_id}/shortlist?per_page=100",
        headers={**world.headers("province.committee"), "X-Request-ID": "short-1"},
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert [(i["rank"], i["nip"], i["status"]) for i in body["items"]] == [
        (row["rank"], row["nip"], row["status"]) for row in listed
    ]
    assert [i["rank"] for i in body["items"]] == list(range(1, len(listed) + 1))
    names = {p.nip: p.name for p in POOL}
    first = body["items"][0]
    assert first["name"] == names[first["nip"]]
    assert first["box"] == listed[0]["box"]
    assert set(first["score"]) == {"jpm", "performance", "succession"}
    assert body["total"] == len(listed)
    with database.read() as session:
        run = session.scalars(select(ScreeningRun)).one()
        assert body["screening"]["input_digest"] == run.input_digest
        assert body["screening"]["result_digest"] == run.result_digest
        assert body["screening"]["pack_digest"] == world.pack_digest
        assert body["screening"]["engine_version"] == run.engine_version
        assert body["screening"]["round"] == 1
        assert body["screening"]["candidates"] == len(screened.ranking)
        assert body["screening"]["eligible"] == len(screened.nips("eligible"))
    records = _accesses(database)
    assert {r.employee_id for r in records} == {i["employee_id"] for i in body["items"]}
    assert len(records) == len(listed)
    assert {(r.username, r.purpose, r.request_id) for r in records} == {
        ("province.committee", "screening_shortlist", "short-1")
    }


def test_the_shortlist_pages_and_links(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    url = f"/api/v1/vacancies/{screened.vacancy_id}/shortlist"
    response = api.get(f"{url}?per_page=2&page=2", headers=world.headers("province.hr"))
    body = response.json
    listed = [row for row in screened.ranking if row["status"] in ("eligible", "needs_data")]
    assert [i["rank"] for i in body["items"]] == [3, 4][: len(listed) - 2]
    assert body["page"] == 2
    assert body["pages"] == -(-len(listed) // 2)
    assert 'rel="prev"' in response.headers["Link"]
    assert len(_accesses(database)) == len(body["items"])


def test_no_shortlist_before_screening_and_none_for_other_agencies(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    draft = world.vacancy_id["province"]
    response = api.get(f"/api/v1/vacancies/{draft}/shortlist", headers=world.headers("province.hr"))
    assert response.status_code == 404
    assert "has not been screened yet" in response.json["detail"]
    other = api.get(
        f"/api/v1/vacancies/{screened.vacancy_id}/shortlist", headers=world.headers("city.hr")
    )
    assert other.status_code == 404
    assert other.json["detail"] == f"no vacancy {screened.vacancy_id}"
    national = api.get(
        f"/api/v1/vacancies/{screened.vacancy_id}/shortlist",
        headers=world.headers("national.national_reviewer"),
    )
    assert national.status_code == 200
    admin = api.get(
        f"/api/v1/vacancies/{screened.vacancy_id}/shortlist",
        headers=world.headers("province.admin"),
    )
    assert admin.status_code == 403
    assert [r.username for r in _accesses(database)] == ["national.national_reviewer"] * len(
        national.json["items"]
    )


# ------------------------------------------------------------------ explanations


def _explain(api: FlaskClient, world: World, vacancy_id: int, nip: str, **query: str) -> Any:
    suffix = "".join(f"&{k}={v}" for k, v in query.items()).replace("&", "?", 1)
    return api.get(
        f"/api/v1/vacancies/{vacancy_id}/candidates/{nip}/explanation{suffix}",
        headers=world.headers("province.authority"),
    )


def test_an_eligible_candidate_is_explained_with_rank_and_tie_breaks(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    eligible = screened.nips("eligible")
    nip = eligible[1]
    response = _explain(api, world, screened.vacancy_id, nip)
    assert response.status_code == 200, response.json
    body = response.json
    doc = body["explanation"]
    assert doc["status"] == "eligible"
    assert doc["failed"] == []
    assert doc["missing"] == []
    assert doc["succession"]["rank"] == 2
    assert doc["succession"]["pool_size"] == len(screened.ranking)
    assert doc["succession"]["shortlisted"] is True
    assert doc["pack"]["digest"] == world.pack_digest
    assert all(c["outcome"] in ("pass", "not_applicable") for c in doc["criteria"] if c["hard"])
    assert doc["box"]["number"] == screened.ranking[1]["box"]
    assert body["source"] == "screening"
    assert body["screening"]["round"] == 1
    assert body["text"].startswith(f"Candidate {nip}")
    neighbours = {n["relation"]: n for n in body["neighbours"]}
    assert neighbours["above"]["nip"] == eligible[0]
    assert neighbours["above"]["rank"] == 1
    assert neighbours["above"]["text"].startswith("ranked behind #1 on ")
    assert neighbours["below"]["text"].startswith("ranked ahead of #3 on ")
    assert neighbours["below"]["rank"] == 3
    for neighbour in neighbours.values():
        assert neighbour["decided_by"] in {"status", *(k["key"] for k in _keys())}
        assert neighbour["candidate_value"] != neighbour["neighbour_value"]
    ids = _employee_ids(database, [nip, eligible[0], screened.ranking[2]["nip"]])
    records = _accesses(database)
    assert {r.employee_id for r in records} == set(ids.values())
    assert {r.purpose for r in records} == {"screening_explanation"}


def test_across_a_status_boundary_the_status_decides(
    api: FlaskClient, world: World, screened: Screened
) -> None:
    needs_data = screened.nips("needs_data")[0]
    rank = next(r["rank"] for r in screened.ranking if r["nip"] == needs_data)
    body = _explain(api, world, screened.vacancy_id, needs_data).json
    assert body["explanation"]["status"] == "needs_data"
    assert body["explanation"]["missing"]
    above, below = body["neighbours"]
    assert (above["relation"], above["rank"], above["status"]) == ("above", rank - 1, "eligible")
    assert (above["decided_by"], above["candidate_value"], above["neighbour_value"]) == (
        "status",
        "needs_data",
        "eligible",
    )
    assert (below["rank"], below["status"], below["decided_by"]) == (
        rank + 1,
        "ineligible",
        "status",
    )
    assert above["text"] == f"ranked behind #{rank - 1} on status: needs_data vs eligible"


def _keys() -> list[dict[str, str]]:
    return load_shipped()["bkn-national"].ranking.to_data()["keys"]  # type: ignore[no-any-return]


def test_an_ineligible_candidate_is_explained_from_the_snapshot(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    nip = screened.nips("ineligible")[0]
    with database.read() as session:
        listed = session.scalar(
            select(func.count())
            .select_from(ShortlistEntry)
            .join(Employee)
            .where(Employee.nip == nip)
        )
    assert listed == 0
    response = _explain(api, world, screened.vacancy_id, nip, lang="id")
    assert response.status_code == 200, response.json
    doc = response.json["explanation"]
    assert doc["status"] == "ineligible"
    assert doc["failed"]
    failed = [c for c in doc["criteria"] if c["id"] in doc["failed"]]
    assert all(c["outcome"] == "fail" and c["hint"] and c["expected"] for c in failed)
    assert doc["succession"]["shortlisted"] is False
    assert response.json["text"].startswith(f"Kandidat {nip}")
    assert response.json["lang"] == "id"


def test_the_explanation_is_what_was_decided_not_todays_registry(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    nip = screened.nips("eligible")[0]
    with database.transaction() as session:
        employee = session.scalars(select(Employee).where(Employee.nip == nip)).one()
        employee.rank = "II/a"  # today the registry would make them ineligible
    explanations.clear_caches()
    doc = _explain(api, world, screened.vacancy_id, nip).json["explanation"]
    assert doc["status"] == "eligible"
    assert doc["succession"]["rank"] == 1


def test_the_explanation_equals_the_cli_json_for_the_same_inputs(
    api_app: Flask, api: FlaskClient, world: World, screened: Screened, tmp_path: Path
) -> None:
    for nip in (screened.nips("eligible")[0], screened.nips("ineligible")[-1]):
        served = _explain(api, world, screened.vacancy_id, nip).json["explanation"]
        profile = next(p for p in screened.snapshot["profiles"] if p["nip"] == nip)
        (tmp_path / "profile.json").write_text(json.dumps(profile))
        (tmp_path / "vacancy.json").write_text(json.dumps(screened.snapshot["vacancy"]))
        result = api_app.test_cli_runner().invoke(
            args=[
                "rules",
                "explain",
                "--pack",
                world.pack_digest,
                "--json",
                "--profile",
                str(tmp_path / "profile.json"),
                "--position-file",
                str(tmp_path / "vacancy.json"),
            ]
        )
        assert result.exit_code == 0, result.output
        printed = json.loads(result.output[result.output.index("{") :])
        # outside a screening the CLI knows no rank or pool; everything else is the same
        for doc in (served, printed):
            doc["succession"].pop("rank")
            doc["succession"].pop("pool_size")
        assert served == printed


def test_explanations_are_cached_per_run_nip_and_language(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    nip = screened.nips("eligible")[0]
    first = _explain(api, world, screened.vacancy_id, nip).json
    with database.transaction() as session:
        # were the snapshot read again, it would now fail to decompress
        session.scalars(select(ScreeningRun)).one().snapshot = b"gone"
    again = _explain(api, world, screened.vacancy_id, nip)
    assert again.status_code == 200
    assert again.json["explanation"] == first["explanation"]
    assert len(_accesses(database)) == 2 * (1 + len(first["neighbours"]))


def test_explanation_refusals(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    nip = screened.nips("eligible")[0]
    path = f"/api/v1/vacancies/{screened.vacancy_id}/candidates/{nip}/explanation"
    assert api.get(path, headers=world.headers("city.committee")).status_code == 404
    assert api.get(path, headers=world.headers("province.admin")).status_code == 403
    stranger = "199001012015011999"
    missing = _explain(api, world, screened.vacancy_id, stranger)
    assert missing.status_code == 404
    assert "was not a candidate" in missing.json["detail"]
    bad = _explain(api, world, screened.vacancy_id, nip, lang="fr")
    assert bad.status_code == 422
    assert "lang" in bad.json["errors"]["query"]
    draft = _explain(api, world, world.vacancy_id["province"], nip)
    assert draft.status_code == 404
    assert _accesses(database) == []


# ------------------------------------------------------------------ replay


def _ledger_size(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(LedgerEntry)) or 0


def test_a_replay_reproduces_the_stored_screening_and_writes_nothing(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    before = _ledger_size(database)
    with database.read() as session:
        version = session.get(Vacancy, screened.vacancy_id).version  # type: ignore[union-attr]
    response = api.post(
        f"/api/v1/vacancies/{screened.vacancy_id}/replay",
        json={},
        headers=world.headers("province.auditor"),
    )
    assert response.status_code == 200, response.json
    report = response.json
    assert report["reproduced"] is True
    assert report["counterfactual"] is False
    assert report["replayed_result_digest"] == report["recorded_result_digest"]
    assert report["candidates"] == len(screened.ranking)
    assert report["changes"] == []
    assert _ledger_size(database) == before
    with database.read() as session:
        assert session.get(Vacancy, screened.vacancy_id).version == version  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(ScreeningRun)) == 1
    assert _accesses(database) == []


def test_a_counterfactual_replay_under_the_overlay(
    api: FlaskClient, world: World, database: Database, screened: Screened
) -> None:
    overlay = load_shipped()["kota-serang"]
    by_id = api.post(
        f"/api/v1/vacancies/{screened.vacancy_id}/replay",
        json={"pack": "kota-serang", "round": 1},
        headers=world.headers("national.national_reviewer"),
    )
    assert by_id.status_code == 200, by_id.json
    report = by_id.json
    assert report["counterfactual"] is True
    assert report["reproduced"] is False
    assert report["replay_pack"] == overlay.digest
    losers = [c for c in report["changes"] if c["effect"] == "loses"]
    assert losers, report["changes"]
    ids = _employee_ids(database, screened.nips("eligible"))
    assert {c["employee_id"] for c in losers} <= set(ids.values())
    assert all(
        set(c)
        == {
            "employee_id",
            "effect",
            "status_before",
            "status_after",
            "rank_before",
            "rank_after",
            "profile",
        }
        for c in report["changes"]
    )
    assert {c["profile"] for c in report["changes"]} == {"snapshot"}  # an unnarrowed run
    by_digest = api.post(
        f"/api/v1/vacancies/{screened.vacancy_id}/replay",
        json={"pack": overlay.digest},
        headers=world.headers("province.hr"),
    )
    assert by_digest.json["changes"] == report["changes"]
    assert _accesses(database) == []


def test_replay_refusals(api: FlaskClient, world: World, screened: Screened) -> None:
    url = f"/api/v1/vacancies/{screened.vacancy_id}/replay"
    headers = world.headers("province.auditor")
    assert api.post(url, json={"pack": "nope"}, headers=headers).status_code == 404
    assert api.post(url, json={"round": 2}, headers=headers).status_code == 404
    assert api.post(url, json={"state": "x"}, headers=headers).status_code == 422
    assert api.post(url, json={}, headers=world.headers("city.auditor")).status_code == 404
    assert api.post(url, json={}, headers=world.headers("province.committee")).status_code == 403
    draft = api.post(
        f"/api/v1/vacancies/{world.vacancy_id['province']}/replay", json={}, headers=headers
    )
    assert draft.status_code == 404


# ------------------------------------------------------------------ rule packs


def test_rule_packs_are_listed_and_shown(
    api: FlaskClient, world: World, database: Database
) -> None:
    overlay = publish_overlay(database)
    listed = api.get("/api/v1/rule-packs", headers=world.headers("city.admin"))
    assert listed.status_code == 200
    items = listed.json["items"]
    assert [(i["id"], i["digest"], i["parent"]) for i in items] == [
        ("bkn-national", world.pack_digest, None),
        ("kota-serang", overlay, world.pack_digest),
    ]
    assert items[0]["published_by"] == "test"
    shown = api.get(f"/api/v1/rule-packs/{overlay}", headers=world.headers("province.committee"))
    assert shown.status_code == 200
    pack = shown.json
    assert pack["id"] == "kota-serang"
    assert pack["digest"] == overlay
    assert pack["parent"] == world.pack_digest
    assert "administrator" in pack["levels"]
    criteria = {c["id"]: c for c in pack["criteria"]}
    assert criteria["serang.jpm.minimum"]["message"]["en"] == "JPM at least {expected}"
    assert criteria["serang.jpm.minimum"]["origin"] == "kota-serang"
    assert "serang_min_jpm" in pack["parameters"]
    assert pack["ranking"]["keys"][-1] == {"key": "nip", "direction": "asc"}
    unknown = api.get(f"/api/v1/rule-packs/{'0' * 64}", headers=world.headers("province.hr"))
    assert unknown.status_code == 404
    not_a_digest = api.get("/api/v1/rule-packs/ABC", headers=world.headers("province.hr"))
    assert not_a_digest.status_code == 404
    assert _accesses(database) == []


def _what_if(api: FlaskClient, world: World, user: str, body: dict[str, Any]) -> Any:
    return api.post(
        f"/api/v1/rule-packs/{world.pack_digest}/explain", json=body, headers=world.headers(user)
    )


def test_explaining_a_profile_stores_nothing_and_matches_the_cli(
    api_app: Flask, api: FlaskClient, world: World, database: Database, tmp_path: Path
) -> None:
    profile = POOL[0].to_json()
    vacancy = {"level": "administrator", "reference_date": "2026-03-01"}
    response = _what_if(api, world, "province.committee", {"profile": profile, "vacancy": vacancy})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["source"] == "profile"
    assert body["employee_id"] is None
    assert body["neighbours"] == []
    (tmp_path / "p.json").write_text(json.dumps(profile))
    (tmp_path / "v.json").write_text(json.dumps(vacancy))
    result = api_app.test_cli_runner().invoke(
        args=["rules", "explain", "--pack", world.pack_digest, "--json",
              "--profile", str(tmp_path / "p.json"), "--position-file", str(tmp_path / "v.json")]
    )  # fmt: skip
    assert json.loads(result.output[result.output.index("{") :]) == body["explanation"]
    assert _accesses(database) == []


def test_explaining_a_registry_employee_for_a_position_records_the_read(
    api: FlaskClient, world: World, database: Database
) -> None:
    body = {
        "nip": world.employee_nip["province"],
        "position_id": world.position_id["province"],
        "reference_date": "2026-03-01",
        "lang": "id",
    }
    response = _what_if(api, world, "province.hr", body)
    assert response.status_code == 200, response.json
    assert response.json["source"] == "registry"
    assert response.json["employee_id"] == world.employee_id["province"]
    assert response.json["explanation"]["vacancy"]["level"] == "jpt_pratama"
    assert response.json["text"].startswith("Kandidat")
    records = _accesses(database)
    assert [(r.employee_id, r.purpose) for r in records] == [
        (world.employee_id["province"], "rules_explain")
    ]
    # the committee sees candidates only through vacancies, and nobody another agency's people
    assert _what_if(api, world, "province.committee", body).status_code == 403
    assert _what_if(api, world, "city.hr", body).status_code == 404
    city_position = {**body, "nip": world.employee_nip["city"]}
    assert _what_if(api, world, "city.hr", city_position).status_code == 404
    assert _what_if(api, world, "national.auditor", body).status_code == 200
    assert len(_accesses(database)) == 2


def test_a_bad_profile_is_refused_naming_the_field(
    api: FlaskClient, world: World, database: Database
) -> None:
    profile = POOL[0].to_json()
    profile["education"][0]["level"] = "S9"
    vacancy = {"level": "administrator", "reference_date": "2026-03-01"}
    response = _what_if(api, world, "province.auditor", {"profile": profile, "vacancy": vacancy})
    assert response.status_code == 422
    assert [p["field"] for p in response.json["problems"]] == ["profile.education[0].level"]
    bad_vacancy = _what_if(
        api, world, "province.auditor", {"profile": POOL[0].to_json(), "vacancy": {"level": "x"}}
    )
    assert bad_vacancy.status_code == 422
    assert [p["field"] for p in bad_vacancy.json["problems"]] == ["vacancy.level"]
    both = _what_if(api, world, "province.auditor", {"vacancy": vacancy})
    assert both.status_code == 422
    assert "nip" in both.json["errors"]["json"]
    unknown = _what_if(
        api, world, "province.auditor", {"profile": {}, "vacancy": vacancy, "tenant": "36.73"}
    )
    assert unknown.status_code == 422
    assert "tenant" in unknown.json["errors"]["json"]
    other_pack = api.post(
        f"/api/v1/rule-packs/{'a' * 64}/explain",
        json={"profile": POOL[0].to_json(), "vacancy": vacancy},
        headers=world.headers("province.auditor"),
    )
    assert other_pack.status_code == 404
    too_early = _what_if(
        api,
        world,
        "province.auditor",
        {"profile": POOL[0].to_json(), "vacancy": {**vacancy, "reference_date": "2019-01-01"}},
    )
    assert too_early.status_code == 422
    assert _accesses(database) == []
