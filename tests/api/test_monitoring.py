"""Monitoring: per agency vacancies by state, overdue and escalated steps; deviations from rank
1 with their justification; the 9-box counts of the latest screenings. Scoped, counts only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import World
from workflow.core.db import Database
from workflow.models import Employee, ScreeningRun, ShortlistEntry, Vacancy, VacancyAction

NOW = dt.datetime.now(dt.UTC)
DECIDED = dt.datetime(2026, 10, 5, 9, 30, tzinfo=dt.UTC)
SCREENED = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)


def _vacancy(database: Database, world: World, agency: str, **values: Any) -> int:
    """Add a vacancy like the agency's seeded one, in the given state and with these values."""
    with database.transaction() as session:
        seeded = session.get(Vacancy, world.vacancy_id[agency])
        assert seeded is not None
        vacancy = Vacancy(
            tenant_id=seeded.tenant_id,
            position_id=seeded.position_id,
            title=values.pop("title", "Kepala Bidang"),
            reference_date=seeded.reference_date,
            candidate_tenant_ids=seeded.candidate_tenant_ids,
            pack_digest=seeded.pack_digest,
            workflow_digest=seeded.workflow_digest,
            created_by_id=seeded.created_by_id,
            **values,
        )
        session.add(vacancy)
        session.flush()
        return vacancy.id


def _screening(
    database: Database, vacancy_id: int, round_: int, boxes: list[int | None], at: dt.datetime
) -> None:
    with database.transaction() as session:
        tenant_id = session.scalar(select(Vacancy.tenant_id).where(Vacancy.id == vacancy_id))
        employees = session.scalars(
            select(Employee.id).where(Employee.tenant_id == tenant_id).order_by(Employee.id)
        ).all()
        run = ScreeningRun(
            vacancy_id=vacancy_id,
            round=round_,
            pack_digest="p" * 64,
            engine_version="test",
            reference_date=at.date(),
            input_digest="i" * 64,
            result_digest="r" * 64,
            candidates=len(boxes),
            eligible=len(boxes),
            snapshot=b"",
            result=b"",
            created_at=at,
        )
        session.add(run)
        session.flush()
        session.add_all(
            ShortlistEntry(
                screening_run_id=run.id,
                employee_id=employee_id,
                rank=rank,
                status="eligible",
                box=box,
                readiness=None,
                score={},
            )
            for rank, (employee_id, box) in enumerate(zip(employees, boxes, strict=False), 1)
        )


def _decided(database: Database, world: World, vacancy_id: int, at: dt.datetime) -> None:
    with database.transaction() as session:
        session.add(
            VacancyAction(
                vacancy_id=vacancy_id,
                seq=1,
                action="decide",
                from_state="authority_decision",
                to_state="technical_review",
                round=1,
                actor_id=world.user_id["province.authority"],
                role="authority",
                payload={},
                at=at,
            )
        )


def _scene(database: Database, world: World) -> dict[str, int]:
    past, future = NOW - dt.timedelta(days=2), NOW + dt.timedelta(days=5)
    ids = {
        "overdue": _vacancy(
            database,
            world,
            "province",
            state="committee_review",
            round=1,
            due_at=past,
            escalated_at=past,
            escalated_to="authority",
        ),
        "waiting": _vacancy(
            database, world, "province", state="authority_decision", round=1, due_at=future
        ),
        "closed": _vacancy(database, world, "province", state="closed", round=1, due_at=past),
        "deviating": _vacancy(
            database,
            world,
            "province",
            title="Kepala Bagian Umum",
            state="technical_review",
            round=1,
            due_at=future,
            selected_employee_id=world.employee_id["province"],
            selected_rank=2,
            deviation=True,
            justification="rank 2 holds the certification the post needs",
        ),
        "city_overdue": _vacancy(database, world, "city", state="submitted", due_at=past),
    }
    _decided(database, world, ids["deviating"], DECIDED)
    _screening(database, ids["overdue"], 1, [9, 5, None], SCREENED)
    _screening(database, ids["overdue"], 2, [9, 9], SCREENED + dt.timedelta(days=3))
    _screening(database, ids["waiting"], 1, [1], SCREENED)
    _screening(database, world.vacancy_id["city"], 1, [7], SCREENED)
    return ids


def _get(api: FlaskClient, world: World, path: str, user: str, **query: Any) -> dict[str, Any]:
    response = api.get(
        f"/api/v1/monitoring/{path}", query_string=query, headers=world.headers(user)
    )
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json
    return body


def test_agencies_count_states_overdue_and_escalated_steps(
    api: FlaskClient, world: World, database: Database
) -> None:
    ids = _scene(database, world)
    [province] = _get(api, world, "agencies", "province.auditor")["items"]
    assert province == {
        "agency": "36.00",
        "name": "Pemerintah Provinsi Banten",
        "level": "province",
        "vacancies": 5,
        "by_state": {
            "draft": 1,
            "committee_review": 1,
            "authority_decision": 1,
            "closed": 1,
            "technical_review": 1,
        },
        "open": 4,
        "overdue": 1,
        "overdue_vacancies": [ids["overdue"]],
        "escalated": 1,
        "escalated_vacancies": [ids["overdue"]],
    }
    national = _get(api, world, "agencies", "national.national_reviewer")
    assert [item["agency"] for item in national["items"]] == ["36.00", "36.73", "bkn"]
    city = national["items"][1]
    assert (city["vacancies"], city["overdue_vacancies"], city["escalated"]) == (
        2,
        [ids["city_overdue"]],
        0,
    )
    assert national["items"][2]["vacancies"] == 0
    assert _get(api, world, "agencies", "national.auditor") == national
    one = _get(api, world, "agencies", "national.auditor", agency="36.73", per_page=1)
    assert [item["agency"] for item in one["items"]] == ["36.73"]
    assert _get(api, world, "agencies", "city.auditor", agency="36.00")["items"] == []
    paged = _get(api, world, "agencies", "national.auditor", per_page=1, page=2)
    assert (paged["total"], paged["pages"], paged["items"][0]["agency"]) == (3, 3, "36.73")


def test_deviations_list_decisions_other_than_rank_1(
    api: FlaskClient, world: World, database: Database
) -> None:
    ids = _scene(database, world)
    listed = _get(api, world, "deviations", "province.auditor")
    assert listed["items"] == [
        {
            "vacancy_id": ids["deviating"],
            "agency": "36.00",
            "title": "Kepala Bagian Umum",
            "state": "technical_review",
            "round": 1,
            "selected_rank": 2,
            "justification": "rank 2 holds the certification the post needs",
            "decided_at": DECIDED.isoformat(),
        }
    ]
    assert _get(api, world, "deviations", "national.national_reviewer")["total"] == 1
    assert _get(api, world, "deviations", "city.auditor")["total"] == 0
    assert _get(api, world, "deviations", "city.auditor", agency="36.00")["total"] == 0
    window = {"since": "2026-10-05T00:00:00Z", "until": "2026-10-06T00:00:00Z"}
    assert _get(api, world, "deviations", "national.auditor", **window)["total"] == 1
    later = {"since": "2026-10-05T09:30:00.000001Z"}
    assert _get(api, world, "deviations", "national.auditor", **later)["total"] == 0


def test_nine_box_counts_the_latest_screening_of_each_vacancy(
    api: FlaskClient, world: World, database: Database
) -> None:
    _scene(database, world)
    [province] = _get(api, world, "nine-box", "province.auditor")["items"]
    assert province["agency"] == "36.00"
    assert province["vacancies"] == 2
    # round 2 of the overdue vacancy ([9, 9]) replaces round 1; the waiting one has [1]
    assert province["candidates"] == 3
    assert province["boxes"] == {str(box): 0 for box in range(1, 10)} | {"9": 2, "1": 1}
    assert province["unboxed"] == 0
    national = _get(api, world, "nine-box", "national.auditor")["items"]
    assert [(item["agency"], item["boxes"]["7"]) for item in national] == [
        ("36.00", 0),
        ("36.73", 1),
        ("bkn", 0),
    ]
    # the period bounds when the latest screening ran: only round 1 of the waiting vacancy
    window = {"since": "2026-10-01T00:00:00Z", "until": "2026-10-02T00:00:00Z"}
    [early] = _get(api, world, "nine-box", "province.auditor", **window)["items"]
    assert (early["vacancies"], early["candidates"], early["boxes"]["1"]) == (1, 1, 1)


def test_round_1_screening_with_unboxed_candidates(
    api: FlaskClient, world: World, database: Database
) -> None:
    _screening(database, world.vacancy_id["province"], 1, [3, None, None], SCREENED)
    [province] = _get(api, world, "nine-box", "province.auditor")["items"]
    assert (province["candidates"], province["unboxed"], province["boxes"]["3"]) == (3, 2, 1)


def test_monitoring_is_for_reviewers_and_auditors_and_names_nobody(
    api: FlaskClient, world: World, database: Database
) -> None:
    _scene(database, world)
    for path in ("agencies", "deviations", "nine-box"):
        for user in ("province.hr", "province.authority", "province.admin", "national.hr"):
            response = api.get(f"/api/v1/monitoring/{path}", headers=world.headers(user))
            assert response.status_code == 403, (path, user)
        text = api.get(
            f"/api/v1/monitoring/{path}", headers=world.headers("national.auditor")
        ).get_data(as_text=True)
        for personal in (world.employee_nip["province"], "Pegawai", "employee"):
            assert personal not in text, (path, personal)
    response = api.get(
        "/api/v1/monitoring/deviations",
        query_string={"since": "yesterday"},
        headers=world.headers("national.auditor"),
    )
    assert response.status_code == 422
    assert "since" in response.json["errors"]["query"]
