"""Guard facts: the numbers the definition's guards read about a vacancy.

The guards in the YAML definition decide (``QUORUM-REACHED`` is ``members_short <= 0`` and
``approvals_short <= 0``, ``PICK-IN-POOL`` needs ``pick_in_pool`` and a rank-1 pick or a
justification, …); this module only counts. The facts and their meaning are listed in
docs/workflow.md (section *Guards*); their types are :data:`rules.facts.GUARD_FIELDS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflow.models import CommitteeMember, ScreeningRun, Vote
from workflow.vacancies.row import VacancyRow
from workflow.vacancies.states import State

Facts = dict[str, int | bool]


def vacancy_facts(session: Session, vacancy: VacancyRow, parameters: Mapping[str, Any]) -> Facts:
    """Return the facts every guard may read about the vacancy as it is now."""
    facts: Facts = {}
    eligible = session.execute(
        _ELIGIBLE, {"vacancy": vacancy.id, "round": vacancy.round}
    ).scalar_one_or_none()
    if eligible is not None:
        minimum = int(parameters.get("min_eligible", {}).get(vacancy.position.level, 1))
        facts["eligible_shortage"] = minimum - eligible
    if vacancy.state == State.COMMITTEE_REVIEW:
        members, approvals, cast = _committee_counts(session, vacancy)
        facts.update(quorum_facts(members, approvals, cast, parameters))
    facts["technical_approved"] = vacancy.technical_reference is not None
    return facts


def quorum_facts(
    members: int, approvals: int, cast: int, parameters: Mapping[str, Any]
) -> dict[str, int]:
    """Return ``members_short``, ``approvals_short`` and ``approvals_possible_short`` from the
    non-recused ``members``, their ``approvals`` and the votes they ``cast`` this round."""
    needed = int(members * Decimal(str(parameters["committee_quorum_fraction"]))) + 1
    return {
        "members_short": int(parameters["committee_min_members"]) - members,
        "approvals_short": needed - approvals,
        "approvals_possible_short": needed - (approvals + members - cast),
    }


def pick_facts(
    rank: int, eligible: bool, justification: str | None, parameters: Mapping[str, Any]
) -> Facts:
    """Return the facts of the authority's pick: its shortlist ``rank`` (0: not on it), whether
    it is eligible and within ``decision_pool``, and the length of the justification."""
    return {
        "pick_rank": rank,
        "pick_in_pool": 1 <= rank <= int(parameters["decision_pool"]) and eligible,
        "justification_length": len((justification or "").strip()),
    }


def _committee_counts(session: Session, vacancy: VacancyRow) -> tuple[int, int, int]:
    """Return (non-recused members, their approvals, their votes) in the current round."""
    params = {"vacancy": vacancy.id, "round": vacancy.round}
    voting = {user_id for user_id, recused in session.execute(_SEATS, params) if not recused}
    votes = [(m, d) for m, d in session.execute(_VOTES, params) if m in voting]
    approvals = sum(1 for _, decision in votes if decision == "approve")
    return len(voting), approvals, len(votes)


_ELIGIBLE = select(ScreeningRun.eligible).where(
    ScreeningRun.vacancy_id == bindparam("vacancy"), ScreeningRun.round == bindparam("round")
)
_SEATS = select(CommitteeMember.user_id, CommitteeMember.recused).where(
    CommitteeMember.vacancy_id == bindparam("vacancy"), CommitteeMember.round == bindparam("round")
)
_VOTES = select(Vote.member_id, Vote.decision).where(
    Vote.vacancy_id == bindparam("vacancy"), Vote.round == bindparam("round")
)
