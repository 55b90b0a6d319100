"""The vacancy resources: open, list and filter, read with ETag, act with If-Match and
Idempotency-Key, refusals with their rule, agency scoping, history, the inbox, delegations."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from tests.api.conftest import World
from tests.api.test_e2e_vacancy import Candidates, seed_candidates
from workflow.core.db import Database
from workflow.models import LedgerEntry, Vacancy
from workflow.vacancies import run_pending_screenings


class Http:
    """Calls as seeded users, with fresh idempotency keys."""

    def __init__(self, api: FlaskClient, world: World) -> None:
        self.api, self.world, self.n = api, world, 0

    def key(self) -> str:
        self.n += 1
        return f"t-{self.n}"

    def open(self, user: str = "province.hr", **fields: Any) -> TestResponse:
        agency = user.split(".")[0]
        body = {
            "position": self.world.admin_position_code[agency],
            "title": "Kepala Bagian Umum",
            "reference_date": "2026-03-01",
        } | fields
        headers = {**self.world.headers(user), "Idempotency-Key": self.key()}
        return self.api.post("/api/v1/vacancies", json=body, headers=headers)

    def act(
        self, user: str, vacancy_id: int, action: str, etag: str | None, **body: Any
    ) -> TestResponse:
        headers = {**self.world.headers(user), "Idempotency-Key": self.key()}
        if etag is not None:
            headers["If-Match"] = etag
        url = f"/api/v1/vacancies/{vacancy_id}/actions/{action}"
        return self.api.post(url, json=body, headers=headers)

    def get(self, user: str, url: str) -> TestResponse:
        return self.api.get(url, headers=self.world.headers(user))

    def etag(self, vacancy_id: int) -> str:
        return self.get("province.hr", f"/api/v1/vacancies/{vacancy_id}").headers["ETag"]

    def ids(self, user: str, url: str) -> list[int]:
        response = self.get(user, url)
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]

    def tasks(self, user: str) -> dict[int, list[str]]:
        response = self.get(user, "/api/v1/tasks")
        assert response.status_code == 200, response.json
        return {t["vacancy"]["id"]: t["actions"] for t in response.json["items"]}


@pytest.fixture
def http(api: FlaskClient, world: World) -> Http:
    return Http(api, world)


def problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json
    return body


def vacancy_count(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Vacancy)) or 0


def refusals(database: Database) -> list[dict[str, Any]]:
    with database.read() as session:
        bodies = session.scalars(
            select(LedgerEntry.body).where(LedgerEntry.kind == "vacancy.refused")
        )
        return [json.loads(body)["data"] for body in bodies]


# ------------------------------------------------------------------ create


def test_hr_opens_a_vacancy_with_etag_and_location(http: Http, world: World) -> None:
    response = http.open(candidate_tenants=[world.tenant_code["city"]])
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/api/v1/vacancies/{body['id']}"
    assert (body["state"], body["version"], body["tenant"]) == ("draft", 1, "36.00")
    assert body["pack_digest"] == world.pack_digest  # "bkn-national" resolved to its digest
    assert body["position"]["code"] == world.admin_position_code["province"]
    shown = http.get("province.hr", response.headers["Location"])
    assert {**shown.json, "replayed": False} == body


def test_a_retry_with_the_same_key_returns_the_same_vacancy(
    http: Http, world: World, database: Database
) -> None:
    headers = {**world.headers("province.hr"), "Idempotency-Key": "open-once"}
    body = {
        "position": world.admin_position_code["province"],
        "title": "T",
        "reference_date": "2026-03-01",
    }
    first = http.api.post("/api/v1/vacancies", json=body, headers=headers)
    before = vacancy_count(database)
    again = http.api.post("/api/v1/vacancies", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == {**first.json, "replayed": True}
    assert vacancy_count(database) == before
    other = http.api.post("/api/v1/vacancies", json={**body, "title": "U"}, headers=headers)
    problem(other, 422)
    assert vacancy_count(database) == before


def test_create_needs_an_idempotency_key(http: Http, world: World, database: Database) -> None:
    before = vacancy_count(database)
    body = {
        "position": world.admin_position_code["province"],
        "title": "T",
        "reference_date": "2026-03-01",
    }
    missing = http.api.post("/api/v1/vacancies", json=body, headers=world.headers("province.hr"))
    assert "Idempotency-Key" in problem(missing, 400)["detail"]
    headers = {**world.headers("province.hr"), "Idempotency-Key": "bad key with spaces"}
    problem(http.api.post("/api/v1/vacancies", json=body, headers=headers), 400)
    assert vacancy_count(database) == before


@pytest.mark.parametrize("field", ["state", "tenant", "version", "round", "score"])
def test_workflow_fields_are_not_client_writable(
    http: Http, database: Database, field: str
) -> None:
    before = vacancy_count(database)
    errors = problem(http.open(**{field: 3}), 422)["errors"]["json"]
    assert field in errors
    assert vacancy_count(database) == before


def test_bad_input_names_the_field(http: Http, database: Database) -> None:
    before = vacancy_count(database)
    pack = problem(http.open(pack="no-such-pack"), 422)
    assert pack["problems"] == [
        {"field": "pack", "message": "no published rule pack 'no-such-pack'"}
    ]
    position = problem(http.open(position="NOPE-01"), 422)
    assert [p["field"] for p in position["problems"]] == ["position"]
    agencies = problem(http.open(candidate_tenants=["99.99"]), 422)
    assert [p["field"] for p in agencies["problems"]] == ["candidate_tenants"]
    missing = problem(http.open(reference_date=None), 422)
    assert "reference_date" in missing["errors"]["json"]
    assert vacancy_count(database) == before


def test_national_users_do_not_open_vacancies(http: Http, database: Database) -> None:
    before = vacancy_count(database)
    problem(http.open("national.hr"), 403)
    problem(http.open("province.committee"), 403)
    assert vacancy_count(database) == before


# ------------------------------------------------------------------ list and read


def test_the_list_is_scoped_and_filtered(http: Http, world: World, database: Database) -> None:
    province, city = world.vacancy_id["province"], world.vacancy_id["city"]
    second = http.open().json["id"]
    http.act("province.hr", second, "submit", '"1"')
    assert http.ids("province.hr", "/api/v1/vacancies") == [second, province]
    assert http.ids("city.committee", "/api/v1/vacancies") == [city]
    assert http.ids("national.auditor", "/api/v1/vacancies") == [second, city, province]
    assert http.ids("national.auditor", "/api/v1/vacancies?tenant=36.73") == [city]
    assert http.ids("province.hr", "/api/v1/vacancies?tenant=36.73") == []
    assert http.ids("province.auditor", "/api/v1/vacancies?state=submitted") == [second]
    assert http.ids("province.auditor", "/api/v1/vacancies?state=draft") == [province]
    position = world.position_id["province"]
    assert http.ids("province.hr", f"/api/v1/vacancies?position={position}") == []
    assert http.ids("province.hr", "/api/v1/vacancies?overdue=true") == []
    with database.transaction() as session:
        session.execute(
            update(Vacancy)
            .where(Vacancy.id == second)
            .values(due_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
        )
    assert http.ids("province.hr", "/api/v1/vacancies?overdue=true") == [second]
    assert http.ids("province.hr", "/api/v1/vacancies?overdue=false") == [province]
    page = http.get("province.hr", "/api/v1/vacancies?per_page=1&page=2")
    assert (page.json["total"], page.json["pages"], len(page.json["items"])) == (2, 2, 1)
    assert 'rel="prev"' in page.headers["Link"]
    problem(http.get("province.hr", "/api/v1/vacancies?state=nonsense"), 422)
    problem(http.get("province.admin", "/api/v1/vacancies"), 403)


def test_one_vacancy_with_its_etag_and_scoping(http: Http, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    url = f"/api/v1/vacancies/{vacancy_id}"
    shown = http.get("province.committee", url)
    assert shown.status_code == 200
    assert shown.headers["ETag"] == '"1"'
    assert http.get("national.national_reviewer", url).status_code == 200
    problem(http.get("city.hr", url), 404)
    problem(http.get("province.admin", url), 403)
    problem(http.get("province.hr", "/api/v1/vacancies/999999"), 404)


# ------------------------------------------------------------------ actions


def test_an_action_needs_if_match_and_refuses_a_stale_one(http: Http, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    missing = problem(http.act("province.hr", vacancy_id, "submit", None), 428)
    assert "If-Match" in missing["detail"]
    stale = problem(http.act("province.hr", vacancy_id, "submit", '"7"'), 412)
    assert (stale["current_version"], stale["state"]) == (1, "draft")
    problem(http.act("province.hr", vacancy_id, "submit", '"not-a-version"'), 412)
    headers = {**world.headers("province.hr"), "If-Match": '"1"'}
    no_key = http.api.post(
        f"/api/v1/vacancies/{vacancy_id}/actions/submit", json={}, headers=headers
    )
    assert "Idempotency-Key" in problem(no_key, 400)["detail"]
    assert http.etag(vacancy_id) == '"1"'
    done = http.act("province.hr", vacancy_id, "submit", '"1"')
    assert done.status_code == 200, done.json
    assert done.headers["ETag"] == '"2"'
    assert done.json["applied"] == ["submit"]
    assert done.json["replayed"] is False


def test_a_retried_action_replays(http: Http, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    headers = {**world.headers("province.hr"), "If-Match": '"1"', "Idempotency-Key": "act-once"}
    url = f"/api/v1/vacancies/{vacancy_id}/actions/submit"
    first = http.api.post(url, json={}, headers=headers)
    again = http.api.post(url, json={}, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json["replayed"] is True
    assert again.json["vacancy"] == first.json["vacancy"]
    assert http.etag(vacancy_id) == '"2"'


def test_unknown_actions_and_fields(http: Http, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    unknown = problem(http.act("province.hr", vacancy_id, "approve_everything", '"1"'), 404)
    assert "submit" in unknown["detail"]
    problem(http.act("province.hr", vacancy_id, "complete_screening", '"1"'), 404)
    for field, value in (("state", "closed"), ("version", 9), ("tenant", "36.73")):
        errors = problem(
            http.act("province.hr", vacancy_id, "submit", '"1"', **{field: value}), 422
        )
        assert field in errors["errors"]["json"]
    bad = problem(http.act("province.hr", vacancy_id, "submit", '"1"', decision="maybe"), 422)
    assert "decision" in bad["errors"]["json"]
    assert http.etag(vacancy_id) == '"1"'


def test_wrong_state_is_409_with_the_possible_actions(http: Http, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    conflict = problem(
        http.act("province.hr", vacancy_id, "issue_decree", '"1"', decree_number="1"), 409
    )
    assert conflict["state"] == "draft"
    assert conflict["possible"] == ["submit", "cancel"]


def test_refusals_are_403_with_the_rule_and_recorded(
    http: Http, world: World, database: Database
) -> None:
    vacancy_id = world.vacancy_id["province"]
    role = problem(http.act("province.committee", vacancy_id, "submit", '"1"'), 403)
    assert role["rule"] == "ROLE"
    national = problem(http.act("national.hr", vacancy_id, "submit", '"1"'), 403)
    assert national["rule"] == "NATIONAL-READ-ONLY"
    etag = http.act("province.hr", vacancy_id, "submit", '"1"').headers["ETag"]
    submitter = problem(http.act("province.hr", vacancy_id, "cancel", etag, reason="x"), 403)
    assert submitter["rule"] == "SOD-SUBMITTER"
    assert [(r["action"], r["rule"]) for r in refusals(database)] == [
        ("submit", "ROLE"),
        ("submit", "NATIONAL-READ-ONLY"),
        ("cancel", "SOD-SUBMITTER"),
    ]
    assert http.etag(vacancy_id) == '"2"'


def test_another_agencys_vacancy_does_not_exist(
    http: Http, world: World, database: Database
) -> None:
    vacancy_id = world.vacancy_id["province"]
    problem(http.act("city.hr", vacancy_id, "submit", '"1"'), 404)
    problem(http.get("city.auditor", f"/api/v1/vacancies/{vacancy_id}/history"), 404)
    assert refusals(database) == []
    assert http.etag(vacancy_id) == '"1"'


def test_start_screening_takes_no_payload(http: Http, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    etag = http.act("province.hr", vacancy_id, "submit", '"1"').headers["ETag"]
    extra = problem(http.act("province.all", vacancy_id, "start_screening", etag, reason="x"), 422)
    assert extra["problems"] == [{"field": "reason", "message": "not accepted by start_screening"}]


# ------------------------------------------------------------------ history


def test_the_history_names_actors_and_no_payload(http: Http, world: World) -> None:
    vacancy_id = world.vacancy_id["province"]
    http.act("province.hr", vacancy_id, "submit", '"1"')
    response = http.get("national.auditor", f"/api/v1/vacancies/{vacancy_id}/history")
    assert response.status_code == 200
    items = response.json["items"]
    assert [(h["seq"], h["action"], h["from_state"], h["to_state"]) for h in items] == [
        (1, "open", "", "draft"),
        (2, "submit", "draft", "submitted"),
    ]
    assert {h["actor"] for h in items} == {"province.hr"}
    assert all("payload" not in h for h in items)


# ------------------------------------------------------------------ inbox and delegation


def to_authority(http: Http, database: Database) -> int:
    """Open, submit, let the scheduler screen, and approve in committee; return the id."""
    vacancy_id = http.open().json["id"]
    http.act("province.hr", vacancy_id, "submit", '"1"')
    assert vacancy_id in run_pending_screenings(database, now=dt.datetime.now(dt.UTC))
    for member in ("province.committee", "province.committee2"):
        http.act(member, vacancy_id, "vote", http.etag(vacancy_id), decision="approve")
    assert http.get("province.hr", f"/api/v1/vacancies/{vacancy_id}").json["state"] == (
        "authority_decision"
    )
    return vacancy_id


@pytest.fixture
def candidates(database: Database, world: World) -> Candidates:
    return seed_candidates(database, world)


def test_each_role_sees_what_waits_on_it(
    http: Http, world: World, database: Database, candidates: Candidates
) -> None:
    draft = world.vacancy_id["province"]
    assert http.tasks("province.hr") == {draft: ["submit", "cancel"]}
    assert http.tasks("city.hr") == {world.vacancy_id["city"]: ["submit", "cancel"]}
    assert http.tasks("national.hr") == {}
    problem(http.get("province.auditor", "/api/v1/tasks"), 403)

    http.act("province.hr", draft, "submit", '"1"')
    assert http.tasks("province.hr") == {}  # the submitter takes no later step
    assert http.tasks("province.all") == {draft: ["start_screening", "cancel"]}

    vacancy_id = to_authority(http, database)
    # Voted on this one; the first vacancy, screened alongside, still waits for the vote.
    assert http.tasks("province.committee") == {draft: ["vote", "declare_conflict"]}
    assert http.tasks("province.authority") == {
        vacancy_id: ["declare_conflict", "decide", "return", "cancel"]
    }
    assert http.tasks("city.authority") == {}
    http.act(
        "province.authority", vacancy_id, "decide", http.etag(vacancy_id),
        candidate=candidates.eligible[0], justification="Best fit for the bureau, ranked first.",
    )  # fmt: skip
    assert http.tasks("province.authority") == {}
    assert http.tasks("national.national_reviewer") == {
        vacancy_id: ["approve_technical", "reject_technical"]
    }
    assert vacancy_id not in http.tasks("province.all")  # no decree before the pertek
    early = http.act(
        "province.all", vacancy_id, "issue_decree", http.etag(vacancy_id),
        decree_number="800/1/2026", decree_date=dt.datetime.now(dt.UTC).date().isoformat(),
    )  # fmt: skip
    assert problem(early, 422)["rule"] == "PERTEK-GIVEN"  # a failed guard names its rule
    http.act(
        "national.national_reviewer", vacancy_id, "approve_technical", http.etag(vacancy_id),
        reference="PERTEK/1",
    )  # fmt: skip
    assert http.tasks("national.national_reviewer") == {}
    assert http.tasks("province.all")[vacancy_id] == ["issue_decree", "cancel"]
    task = http.get("province.all", "/api/v1/tasks").json["items"][0]
    assert task["overdue"] is False
    assert task["due_at"] is not None


def test_the_committee_inbox_holds_seated_members_who_have_not_voted(
    http: Http, database: Database, candidates: Candidates
) -> None:
    vacancy_id = http.open().json["id"]
    http.act("province.hr", vacancy_id, "submit", '"1"')
    run_pending_screenings(database, now=dt.datetime.now(dt.UTC))
    assert http.tasks("province.committee") == {vacancy_id: ["vote", "declare_conflict"]}
    assert http.tasks("province.candidate") == {}  # recused: a shortlisted candidate
    assert http.tasks("city.committee") == {}
    http.act("province.committee", vacancy_id, "vote", http.etag(vacancy_id), decision="approve")
    assert http.tasks("province.committee") == {}
    assert http.tasks("province.committee2") == {vacancy_id: ["vote", "declare_conflict"]}


def test_a_delegate_acts_on_behalf_of_the_authority(
    http: Http, world: World, database: Database, candidates: Candidates
) -> None:
    ends = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
    body = {"delegate": "province.auditor", "role": "authority", "ends_at": ends, "reason": "leave"}
    created = http.api.post(
        "/api/v1/delegations", json=body, headers=world.headers("province.authority")
    )
    assert created.status_code == 201, created.json
    assert (created.json["delegator"], created.json["delegate"]) == (
        "province.authority",
        "province.auditor",
    )
    vacancy_id = to_authority(http, database)
    # Without on_behalf_of the auditor holds no authority.
    plain = http.act(
        "province.auditor", vacancy_id, "decide", http.etag(vacancy_id),
        candidate=candidates.eligible[0],
    )  # fmt: skip
    assert problem(plain, 403)["rule"] == "ROLE"
    done = http.act(
        "province.auditor", vacancy_id, "decide", http.etag(vacancy_id),
        candidate=candidates.eligible[0], on_behalf_of="province.authority",
        justification="Ranked first; decided by the deputy during leave.",
    )  # fmt: skip
    assert done.status_code == 200, done.json
    last = http.get("province.auditor", f"/api/v1/vacancies/{vacancy_id}/history").json["items"]
    decide = next(h for h in last if h["action"] == "decide")
    assert (decide["actor"], decide["on_behalf_of"], decide["role"]) == (
        "province.auditor",
        "province.authority",
        "authority",
    )
    assert candidates.eligible[0] not in json.dumps(last)  # the pick's NIP is not disclosed
    # Without a delegation, on_behalf_of is refused.
    other = http.act(
        "province.committee", vacancy_id, "cancel", http.etag(vacancy_id),
        reason="x", on_behalf_of="province.authority",
    )  # fmt: skip
    assert problem(other, 403)["rule"] == "DELEGATION"


def test_delegations_are_checked(http: Http, world: World) -> None:
    headers = world.headers("province.authority")
    ends = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
    body = {"delegate": "province.auditor", "role": "authority", "ends_at": ends, "reason": "leave"}

    def post(**changes: Any) -> TestResponse:
        return http.api.post("/api/v1/delegations", json=body | changes, headers=headers)

    problem(post(role="hr"), 422)  # a role the caller does not hold
    problem(post(delegate="city.auditor"), 404)  # another agency: as if unknown
    problem(post(delegate="nobody.here"), 404)
    far = (dt.datetime.now(dt.UTC) + dt.timedelta(days=120)).isoformat()
    problem(post(ends_at=far), 422)
    problem(post(role="admin"), 422)
    problem(post(extra=1), 422)
    problem(
        http.api.post("/api/v1/delegations", json=body, headers=world.headers("province.auditor")),
        403,
    )
