"""A vacancy from creation to ``closed`` through HTTP alone: the province's HR opens and submits
it, a second HR officer starts the screening (the shipped bkn-national pack screens a seeded
pool), the committee votes, the authority decides, BKN gives the technical approval, and HR
records the decree and the inauguration. Along the way: a stale If-Match, the submitter refused
at a later step (SOD-SUBMITTER), a shortlisted candidate refused a vote (COI-CANDIDATE), and a
national user refused an agency step (NATIONAL-READ-ONLY)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from bench.pool import REFERENCE_DATE, pool
from rules.pack import load_shipped
from tests.api.conftest import World
from tests.support.registry_rows import add_employee
from workflow.core.db import Database
from workflow.identity.accounts import create_user, issue_token
from workflow.models import Position
from workflow.screening.pool import screen_position

POOL_SIZE = 40
EXTRA_COMMITTEE = ("province.committee2",)
CANDIDATE_MEMBER = "province.candidate"
"""A committee member who is also an employee the screening shortlists (so recused)."""


@dataclass(frozen=True)
class Candidates:
    """What the screening of the province's administrator position will find."""

    eligible: list[str]
    """The NIPs of the eligible candidates, best first."""


def seed_candidates(database: Database, world: World) -> Candidates:
    """Add a generated pool to the province, two more committee members and one committee
    member who is a shortlisted candidate; return the eligible NIPs the pack will find."""
    with database.transaction() as session:
        for profile in pool(POOL_SIZE, seed=7):
            add_employee(session, profile, tenant_id=world.tenant_id["province"])
    with database.read() as session:
        position_id = session.scalar(
            select(Position.id).where(
                Position.tenant_id == world.tenant_id["province"],
                Position.code == world.admin_position_code["province"],
            )
        )
    assert position_id is not None
    result = screen_position(
        database,
        pack=load_shipped()["bkn-national"],
        position_id=position_id,
        reference_date=REFERENCE_DATE,
        tenant_ids=[world.tenant_id["province"]],
    )
    eligible = [d.nip for d in result.decisions if d.status == "eligible"]
    assert len(eligible) >= 2, "the seeded pool must hold eligible candidates"
    members = dict.fromkeys(EXTRA_COMMITTEE) | {CANDIDATE_MEMBER: eligible[1]}
    now = dt.datetime.now(dt.UTC)
    for username, nip in members.items():
        create_user(
            database,
            tenant_code=world.tenant_code["province"],
            username=username,
            display_name=username,
            roles=["committee"],
            employee_nip=nip,
        )
        world.tokens[username] = issue_token(database, username=username, name="e2e", now=now).token
    return Candidates(eligible=eligible)


@pytest.fixture
def candidates(database: Database, world: World) -> Candidates:
    return seed_candidates(database, world)


class Client:
    """HTTP calls as the seeded users, with fresh idempotency keys."""

    def __init__(self, api: FlaskClient, world: World) -> None:
        self.api, self.world, self.keys = api, world, 0

    def key(self) -> str:
        self.keys += 1
        return f"e2e-{self.keys}"

    def act(self, user: str, vacancy_id: int, action: str, etag: str, **body: Any) -> TestResponse:
        headers = {**self.world.headers(user), "If-Match": etag, "Idempotency-Key": self.key()}
        return self.api.post(
            f"/api/v1/vacancies/{vacancy_id}/actions/{action}", json=body, headers=headers
        )

    def get(self, user: str, url: str) -> TestResponse:
        return self.api.get(url, headers=self.world.headers(user))


def ok(response: TestResponse, state: str) -> str:
    """Assert a successful action that left the vacancy in ``state``; return the new ETag."""
    assert response.status_code == 200, response.json
    assert response.json["vacancy"]["state"] == state
    etag = response.headers["ETag"]
    assert etag == f'"{response.json["vacancy"]["version"]}"'
    return etag


def refused(response: TestResponse, rule: str) -> None:
    assert response.status_code == 403, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["rule"] == rule


def test_a_vacancy_from_creation_to_closed_over_http(
    api: FlaskClient, world: World, candidates: Candidates
) -> None:
    http = Client(api, world)
    create = {
        "position": world.admin_position_code["province"],
        "title": "Kepala Bagian Umum",
        "reference_date": REFERENCE_DATE.isoformat(),
        "pack": "bkn-national",
    }
    headers = {**world.headers("province.hr"), "Idempotency-Key": "e2e-open"}
    opened = api.post("/api/v1/vacancies", json=create, headers=headers)
    assert opened.status_code == 201, opened.json
    vacancy_id = opened.json["id"]
    assert opened.headers["Location"] == f"/api/v1/vacancies/{vacancy_id}"
    assert opened.json["pack_digest"] == world.pack_digest
    etag = opened.headers["ETag"]
    assert etag == '"1"'
    retry = api.post("/api/v1/vacancies", json=create, headers=headers)
    assert (retry.status_code, retry.json["id"]) == (201, vacancy_id)
    assert (opened.json["replayed"], retry.json["replayed"]) == (False, True)

    etag = ok(http.act("province.hr", vacancy_id, "submit", etag), "submitted")

    # The submitter may not take a later step (four eyes).
    refused(http.act("province.hr", vacancy_id, "start_screening", etag), "SOD-SUBMITTER")
    # A stale ETag is a 412 naming the current version; nothing moves.
    stale = http.act("province.all", vacancy_id, "start_screening", '"1"')
    assert stale.status_code == 412
    assert stale.json["current_version"] == 2
    assert (stale.headers["ETag"], stale.json["etag"]) == ('"2"', "2")
    assert http.get("province.all", f"/api/v1/vacancies/{vacancy_id}").headers["ETag"] == etag

    screened = http.act("province.all", vacancy_id, "start_screening", etag)
    etag = ok(screened, "committee_review")
    assert screened.json["applied"] == ["start_screening", "complete_screening"]
    assert screened.json["vacancy"]["version"] == 4  # 2 + one per applied step

    inbox = http.get("province.committee", "/api/v1/tasks").json["items"]
    assert [(t["vacancy"]["id"], t["actions"]) for t in inbox] == [
        (vacancy_id, ["vote", "declare_conflict"])
    ]
    # A shortlisted candidate on the committee is recused, and has no task.
    assert http.get(CANDIDATE_MEMBER, "/api/v1/tasks").json["items"] == []
    refused(
        http.act(CANDIDATE_MEMBER, vacancy_id, "vote", etag, decision="approve"),
        "COI-CANDIDATE",
    )
    etag = ok(
        http.act("province.committee", vacancy_id, "vote", etag, decision="approve"),
        "committee_review",
    )
    approved = http.act("province.committee2", vacancy_id, "vote", etag, decision="approve")
    etag = ok(approved, "authority_decision")
    assert approved.json["applied"] == ["vote", "committee_approved"]
    # The candidate member was recused: two of two voting members reached the quorum.

    decided = http.act(
        "province.authority",
        vacancy_id,
        "decide",
        etag,
        candidate=candidates.eligible[0],
        justification="The best-ranked eligible candidate for the general affairs bureau.",
    )
    etag = ok(decided, "technical_review")
    assert decided.json["vacancy"]["selected_rank"] >= 1

    # BKN reads the province's vacancy but records no agency step: only the pertek.
    refused(
        http.act(
            "national.hr",
            vacancy_id,
            "issue_decree",
            etag,
            decree_number="800/1/2026",
            decree_date=dt.date.today().isoformat(),
        ),
        "NATIONAL-READ-ONLY",
    )
    reviewer_inbox = http.get("national.national_reviewer", "/api/v1/tasks").json["items"]
    assert [t["vacancy"]["id"] for t in reviewer_inbox] == [vacancy_id]
    etag = ok(
        http.act(
            "national.national_reviewer",
            vacancy_id,
            "approve_technical",
            etag,
            reference="PERTEK-BKN/2026/0042",
        ),
        "technical_review",
    )
    today = dt.datetime.now(dt.UTC).date().isoformat()
    etag = ok(
        http.act(
            "province.all",
            vacancy_id,
            "issue_decree",
            etag,
            decree_number="800/1/2026",
            decree_date=today,
        ),
        "decree_issued",
    )
    closed = http.act("province.all", vacancy_id, "close", etag, inauguration_date=today)
    ok(closed, "closed")
    assert closed.json["vacancy"]["technical_reference"] == "PERTEK-BKN/2026/0042"

    history = http.get("province.auditor", f"/api/v1/vacancies/{vacancy_id}/history").json
    steps = [(h["action"], h["actor"], h["role"]) for h in history["items"]]
    assert steps == [
        ("open", "province.hr", "hr"),
        ("submit", "province.hr", "hr"),
        ("start_screening", "province.all", "hr"),
        ("complete_screening", "system", "system"),
        ("vote", "province.committee", "committee"),
        ("vote", "province.committee2", "committee"),
        ("committee_approved", "system", "system"),
        ("decide", "province.authority", "authority"),
        ("approve_technical", "national.national_reviewer", "national_reviewer"),
        ("issue_decree", "province.all", "hr"),
        ("close", "province.all", "hr"),
    ]
    assert history["items"][-1]["to_state"] == "closed"
    assert all(
        set(h) >= {"seq", "from_state", "at", "round", "on_behalf_of"} for h in history["items"]
    )

    # The auditor verifies the province's chain and finds every step and refusal in it.
    verified = http.get("province.auditor", "/api/v1/ledger/verify?tenant=36.00")
    assert verified.status_code == 200
    assert verified.json["ok"] is True
    [chain] = verified.json["tenants"]
    assert chain["tenant"] == "36.00"
    assert chain["first_break"] is None
    entries = http.get(
        "province.auditor", f"/api/v1/ledger?vacancy={vacancy_id}&per_page=100"
    ).json["items"]
    transitions = [e["data"]["action"] for e in entries if e["kind"] == "vacancy.transition"]
    assert transitions == [s[0] for s in steps[1:]]
    refusals = {e["data"]["rule"] for e in entries if e["kind"] == "vacancy.refused"}
    assert {"SOD-SUBMITTER", "COI-CANDIDATE", "NATIONAL-READ-ONLY"} <= refusals
    assert chain["entries"] >= len(entries)
