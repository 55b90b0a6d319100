"""The approval workflow end to end: transitions, guards, duties, idempotency and the ledger."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.world import World, build_world
from workflow import vacancies
from workflow.core.db import Database
from workflow.core.errors import (
    Conflict,
    GuardFailed,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Refused,
)
from workflow.identity.accounts import create_delegation
from workflow.ledger import chain as ledger
from workflow.models import CommitteeMember, LedgerEntry, Position, Vacancy, VacancyAction


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def entries(db: Database, kind: str | None = None) -> list[dict[str, Any]]:
    with db.read() as session:
        query = select(LedgerEntry.body).order_by(LedgerEntry.tenant_id, LedgerEntry.seq)
        if kind:
            query = query.where(LedgerEntry.kind == kind)
        return [json.loads(body) for body in session.scalars(query)]


def snapshot(db: Database, vacancy_id: int) -> tuple[object, ...]:
    """Everything an action may change except the ledger."""
    with db.read() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None
        actions = session.scalar(
            select(func.count())
            .select_from(VacancyAction)
            .where(VacancyAction.vacancy_id == vacancy_id)
        )
        return (
            vacancy.state,
            vacancy.version,
            vacancy.selected_employee_id,
            vacancy.technical_reference,
            actions,
        )


def test_a_vacancy_goes_from_draft_to_closed(world: World) -> None:
    vacancy_id = world.to_technical(pick="E1")
    world.act("bkn", vacancy_id, "approve_technical", reference="PERTEK-BKN-2026-0042")
    world.act(
        "hr2",
        vacancy_id,
        "issue_decree",
        decree_number="821.2/Kep.15-BKD/2026",
        decree_date="2026-03-02",
    )
    outcome = world.act("hr2", vacancy_id, "close", inauguration_date="2026-03-03")

    view = outcome.vacancy
    assert view["state"] == "closed"
    assert view["selected_rank"] == 1
    assert view["deviation"] is False
    assert view["decree_number"] == "821.2/Kep.15-BKD/2026"
    with world.db.read() as session:
        path = session.scalars(
            select(VacancyAction.action)
            .where(VacancyAction.vacancy_id == vacancy_id)
            .order_by(VacancyAction.seq)
        ).all()
    assert path == [
        "open",
        "submit",
        "start_screening",
        "complete_screening",
        "vote",
        "vote",
        "vote",
        "committee_approved",
        "decide",
        "approve_technical",
        "issue_decree",
        "close",
    ]
    kinds = [e["kind"] for e in entries(world.db)]
    assert kinds.count("vacancy.transition") == len(path) - 1
    assert kinds.count("vacancy.opened") == 1
    assert kinds.count("screening.result") == 1
    assert ledger.verify(world.db).ok


def test_quorum_counts_only_non_recused_members(world: World) -> None:
    vacancy_id = world.to_committee()
    with world.db.read() as session:
        seats = {m.user_id: m for m in session.scalars(select(CommitteeMember))}
    cand = world.actor("cand")
    assert seats[cand.user_id].recused  # cand is candidate E1 on the shortlist
    # four voting members (c1, c2, c3, dual): more than half is three approvals
    world.act("c1", vacancy_id, "vote", decision="approve", comment="")
    state = world.act("c2", vacancy_id, "vote", decision="approve", comment="ok")
    assert state.vacancy["state"] == "committee_review"
    state = world.act("dual", vacancy_id, "vote", decision="approve", comment="ok")
    assert state.vacancy["state"] == "authority_decision"
    assert state.applied == ["vote", "committee_approved"]


def test_enough_returns_send_the_vacancy_back(world: World) -> None:
    vacancy_id = world.to_committee()
    world.act("c1", vacancy_id, "vote", decision="return", comment="data kurang lengkap")
    outcome = world.act("c2", vacancy_id, "vote", decision="return", comment="ulang")
    assert outcome.vacancy["state"] == "returned"
    assert outcome.applied == ["vote", "committee_returned"]
    # back with HR: the submitter may resubmit, and the next round starts afresh
    outcome = world.act("hr1", vacancy_id, "submit")
    assert outcome.vacancy["state"] == "submitted"
    assert outcome.vacancy["round"] == 2


def test_a_return_vote_needs_a_comment(world: World) -> None:
    vacancy_id = world.to_committee()
    before = snapshot(world.db, vacancy_id)
    with pytest.raises(InvalidInput, match="comment"):
        world.act("c1", vacancy_id, "vote", decision="return", comment="  ")
    assert snapshot(world.db, vacancy_id) == before


def test_the_submitter_cannot_act_at_a_later_step(world: World) -> None:
    vacancy_id = world.to_technical()
    world.act("bkn", vacancy_id, "approve_technical", reference="PERTEK-1")
    before, refused_before = snapshot(world.db, vacancy_id), len(entries(world.db))
    with pytest.raises(Refused, match="submitted this vacancy") as info:
        world.act("hr1", vacancy_id, "issue_decree", decree_number="X/1", decree_date="2026-03-02")
    assert info.value.details["rule"] == "SOD-SUBMITTER"
    assert snapshot(world.db, vacancy_id) == before
    refusals = entries(world.db, "vacancy.refused")
    assert len(entries(world.db)) == refused_before + 1
    assert refusals[-1]["data"]["rule"] == "SOD-SUBMITTER"
    assert refusals[-1]["data"]["action"] == "issue_decree"


def test_one_person_cannot_act_in_two_roles(world: World) -> None:
    vacancy_id = world.to_committee()
    for member in ("c1", "c2", "dual"):
        world.act(member, vacancy_id, "vote", decision="approve", comment="ok")
    with pytest.raises(Refused) as info:
        world.act("dual", vacancy_id, "decide", candidate=world.nips["E1"])
    assert info.value.details["rule"] == "SOD-ONE-ROLE"


def test_a_shortlisted_candidate_cannot_vote(world: World) -> None:
    vacancy_id = world.to_committee()
    with pytest.raises(Refused) as info:
        world.act("cand", vacancy_id, "vote", decision="approve", comment="")
    assert info.value.details["rule"] == "COI-CANDIDATE"


def test_a_declared_conflict_recuses_and_blocks_the_vote(world: World) -> None:
    vacancy_id = world.to_committee()
    outcome = world.act(
        "c3",
        vacancy_id,
        "declare_conflict",
        candidate=world.nips["E2"],
        reason="E2 is my brother-in-law",
    )
    assert outcome.vacancy["state"] == "committee_review"
    with pytest.raises(Refused) as info:
        world.act("c3", vacancy_id, "vote", decision="approve", comment="")
    assert info.value.details["rule"] == "COI-DECLARED"
    # three voting members remain (c1, c2, dual): two approvals are more than half
    world.act("c1", vacancy_id, "vote", decision="approve", comment="")
    outcome = world.act("c2", vacancy_id, "vote", decision="approve", comment="")
    assert outcome.vacancy["state"] == "authority_decision"


def test_the_authority_picks_within_the_top_three(world: World) -> None:
    vacancy_id = world.to_authority()
    with pytest.raises(GuardFailed, match="justification") as info:
        world.act("boss", vacancy_id, "decide", candidate=world.nips["E2"])
    assert info.value.details["rule"] == "PICK-IN-POOL"
    with pytest.raises(GuardFailed):
        world.act(
            "boss",
            vacancy_id,
            "decide",
            candidate=world.nips["E4"],
            justification="Rank four has the longest audit experience in the bureau.",
        )
    with pytest.raises(GuardFailed):
        world.act(
            "boss",
            vacancy_id,
            "decide",
            candidate=world.nips["E5"],
            justification="Needs-data candidates are not on the eligible shortlist.",
        )
    outcome = world.act(
        "boss",
        vacancy_id,
        "decide",
        candidate=world.nips["E2"],
        justification="Rank two led the 2025 regional audit successfully.",
    )
    assert outcome.vacancy["state"] == "technical_review"
    assert outcome.vacancy["selected_rank"] == 2
    assert outcome.vacancy["deviation"] is True
    assert [e["data"]["rule"] for e in entries(world.db, "vacancy.refused")] == ["PICK-IN-POOL"] * 3


def test_the_decree_needs_the_technical_approval(world: World) -> None:
    vacancy_id = world.to_technical()
    with pytest.raises(GuardFailed) as info:
        world.act("hr2", vacancy_id, "issue_decree", decree_number="X/1", decree_date="2026-03-02")
    assert info.value.details["rule"] == "PERTEK-GIVEN"


def test_roles_are_checked_and_refusals_recorded(world: World) -> None:
    vacancy_id = world.to_committee()
    with pytest.raises(Refused) as info:
        world.act("aud", vacancy_id, "vote", decision="approve", comment="")
    assert info.value.details["rule"] == "ROLE"
    with pytest.raises(Refused):
        world.act("bkn", vacancy_id, "cancel", reason="not BKN's call")


def test_another_agency_cannot_see_the_vacancy(world: World) -> None:
    vacancy_id = world.to_committee()
    with pytest.raises(NotFound):
        world.act("hr_city", vacancy_id, "cancel", reason="not ours")
    assert entries(world.db, "vacancy.refused") == []


def test_stale_version_and_wrong_state(world: World) -> None:
    vacancy_id = world.open()
    stale = world.version(vacancy_id)
    world.act("hr1", vacancy_id, "submit")
    with pytest.raises(PreconditionFailed) as stale_info:
        vacancies.perform(
            world.db,
            actor=world.actor("hr1"),
            vacancy_id=vacancy_id,
            action="cancel",
            expected_version=stale,
            idempotency_key=world.key(),
            payload={"reason": "x"},
            now=world.now(),
        )
    assert stale_info.value.details["current_version"] == stale + 1
    with pytest.raises(Conflict, match="not possible while the vacancy is submitted"):
        world.act("boss", vacancy_id, "decide", candidate=world.nips["E1"])


def test_same_key_replays_and_a_different_request_is_refused(world: World) -> None:
    vacancy_id = world.open()
    actor, version = world.actor("hr1"), world.version(vacancy_id)
    first = vacancies.perform(
        world.db,
        actor=actor,
        vacancy_id=vacancy_id,
        action="submit",
        expected_version=version,
        idempotency_key="once",
        now=world.now(),
    )
    count = len(entries(world.db))
    for _ in range(5):
        again = vacancies.perform(
            world.db,
            actor=actor,
            vacancy_id=vacancy_id,
            action="submit",
            expected_version=version,
            idempotency_key="once",
            now=world.now(),
        )
        assert again.replayed
        assert again.as_response() == first.as_response()
    assert len(entries(world.db)) == count
    with pytest.raises(IdempotencyMismatch):
        vacancies.perform(
            world.db,
            actor=actor,
            vacancy_id=vacancy_id,
            action="cancel",
            expected_version=version,
            idempotency_key="once",
            payload={"reason": "changed my mind"},
            now=world.now(),
        )


def test_a_refusal_is_replayed_for_the_same_key(world: World) -> None:
    vacancy_id = world.to_committee()
    actor, version = world.actor("aud"), world.version(vacancy_id)
    for _ in range(3):
        with pytest.raises(Refused):
            vacancies.perform(
                world.db,
                actor=actor,
                vacancy_id=vacancy_id,
                action="vote",
                expected_version=version,
                idempotency_key="k",
                payload={"decision": "approve"},
                now=world.now(),
            )
    assert len(entries(world.db, "vacancy.refused")) == 1


def test_a_delegate_acts_on_behalf_and_inherits_restrictions(world: World) -> None:
    vacancy_id = world.to_authority()
    boss = world.actor("boss")
    now = world.now()
    create_delegation(
        world.db,
        actor=boss,
        delegate_username="deputy",
        role="authority",
        starts_at=now,
        ends_at=now + dt.timedelta(days=7),
        reason="Governor on official travel",
        now=now,
    )
    with pytest.raises(Refused) as info:
        world.act("deputy", vacancy_id, "decide", candidate=world.nips["E1"])
    assert info.value.details["rule"] == "ROLE"  # deputy holds no authority role of its own
    outcome = world.act(
        "deputy", vacancy_id, "decide", candidate=world.nips["E1"], on_behalf_of="boss"
    )
    assert outcome.vacancy["state"] == "technical_review"
    last = entries(world.db, "vacancy.transition")[-1]
    deputy = world.actor("deputy")
    assert last["actor"] == f"user:{deputy.user_id}"
    assert last["data"]["on_behalf_of"] == f"user:{boss.user_id}"


def test_a_delegate_carries_the_delegators_conflicts(world: World) -> None:
    vacancy_id = world.to_committee()
    c3 = world.actor("c3")
    now = world.now()
    create_delegation(
        world.db,
        actor=c3,
        delegate_username="deputy",
        role="committee",
        starts_at=now,
        ends_at=now + dt.timedelta(days=7),
        reason="leave",
        now=now,
    )
    world.act(
        "c3", vacancy_id, "declare_conflict", candidate=world.nips["E3"], reason="former supervisor"
    )
    with pytest.raises(Refused) as info:
        world.act("deputy", vacancy_id, "vote", decision="approve", comment="", on_behalf_of="c3")
    assert info.value.details["rule"] == "COI-DECLARED"


def test_delegations_are_bounded_and_never_chained(world: World) -> None:
    boss, now = world.actor("boss"), world.now()
    with pytest.raises(InvalidInput, match="at most 90 days"):
        create_delegation(
            world.db,
            actor=boss,
            delegate_username="deputy",
            role="authority",
            starts_at=now,
            ends_at=now + dt.timedelta(days=200),
            reason="x",
            now=now,
        )
    with pytest.raises(InvalidInput, match="does not hold the role"):
        create_delegation(
            world.db,
            actor=boss,
            delegate_username="deputy",
            role="committee",
            starts_at=now,
            ends_at=now + dt.timedelta(days=2),
            reason="x",
            now=now,
        )
    create_delegation(
        world.db,
        actor=boss,
        delegate_username="deputy",
        role="authority",
        starts_at=now,
        ends_at=now + dt.timedelta(days=2),
        reason="x",
        now=now,
    )
    deputy = world.actor("deputy")
    with pytest.raises(InvalidInput, match="does not hold the role"):
        create_delegation(
            world.db,
            actor=deputy,
            delegate_username="aud",
            role="authority",
            starts_at=now,
            ends_at=now + dt.timedelta(days=2),
            reason="x",
            now=now,
        )
    vacancy_id = world.to_authority()
    with pytest.raises(Refused) as info:
        world.act("aud", vacancy_id, "decide", candidate=world.nips["E1"], on_behalf_of="deputy")
    assert info.value.details["rule"] == "DELEGATION"


def test_an_expired_delegation_does_not_work(world: World) -> None:
    vacancy_id = world.to_authority()
    boss, now = world.actor("boss"), world.now()
    create_delegation(
        world.db,
        actor=boss,
        delegate_username="deputy",
        role="authority",
        starts_at=now - dt.timedelta(days=3),
        ends_at=now - dt.timedelta(days=1),
        reason="last week",
        now=now,
    )
    with pytest.raises(Refused) as info:
        world.act("deputy", vacancy_id, "decide", candidate=world.nips["E1"], on_behalf_of="boss")
    assert info.value.details["rule"] == "DELEGATION"


def test_too_few_eligible_candidates_for_jpt_returns_the_vacancy(world: World) -> None:
    with world.db.transaction() as session:
        position = session.scalar(
            select(Position).where(
                Position.code == "ADM-01", Position.tenant_id == world.tenant_ids["BANTEN"]
            )
        )
        assert position is not None
        position.level = "jpt_pratama"
    vacancy_id = world.open()
    world.act("hr1", vacancy_id, "submit")
    vacancies.perform(
        world.db,
        actor=world.system(),
        vacancy_id=vacancy_id,
        action="start_screening",
        expected_version=world.version(vacancy_id),
        idempotency_key=world.key(),
        now=world.now(),
    )
    outcome = world.screened(vacancy_id, eligible=2)
    assert outcome.vacancy["state"] == "returned"
    assert outcome.applied == ["screening_short"]


def test_cancel_from_any_open_state_needs_a_reason(world: World) -> None:
    vacancy_id = world.to_committee()
    with pytest.raises(InvalidInput, match="reason"):
        world.act("boss", vacancy_id, "cancel")
    outcome = world.act("boss", vacancy_id, "cancel", reason="the position was abolished")
    assert outcome.vacancy["state"] == "cancelled"
    assert outcome.vacancy["due_at"] is None
    with pytest.raises(Conflict):
        world.act("boss", vacancy_id, "cancel", reason="again")
