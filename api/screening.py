"""Rules-facing resources: a vacancy's shortlist and explanations from its stored screening,
replays, and the published rule packs (list, show, explain a candidate without storing it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_smorest import Blueprint

from api.auth import current_actor, requires
from api.pagination import LINK_HEADER, PageQuery, page_of, page_request, paged
from api.personal_data import recorder
from api.requests import json_only
from api.schemas.screening import (
    CandidateExplanationRead,
    ExplainCreate,
    ExplanationQuery,
    ReplayCreate,
    ReplayRead,
    RulePackDetailRead,
    RulePackRead,
    ShortlistRead,
)
from api.state import db
from workflow import screening
from workflow.models import Role
from workflow.screening import CandidateExplanation

blp = Blueprint(
    "screening",
    __name__,
    description="A vacancy's stored screening: shortlist, explanations, replay",
)
packs_blp = Blueprint(
    "rule_packs", __name__, description="Published rule packs: list, show, explain (what-if)"
)

CANDIDATE_READERS = (
    Role.HR,
    Role.COMMITTEE,
    Role.AUTHORITY,
    Role.NATIONAL_REVIEWER,
    Role.AUDITOR,
)
"""Who sees a vacancy's candidates: the people who prepare, review, decide and audit it
(administrators manage accounts and see no candidates)."""
REPLAYERS = (Role.AUDITOR, Role.NATIONAL_REVIEWER, Role.HR)


@blp.route("/vacancies/<id:vacancy_id>/shortlist")
@requires(*CANDIDATE_READERS)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, ShortlistRead, headers=LINK_HEADER)
@blp.alt_response(404, response="NOT_FOUND")
def get_shortlist(vacancy_id: int, **args: Any) -> Any:
    """The latest screening's ranked candidates (eligible, then needs data), with its digests.

    Personal data: every candidate returned is written to the access log. 404 until the
    vacancy has been screened.
    """
    found = screening.shortlist(
        db(),
        recorder=recorder("screening_shortlist"),
        vacancy_id=vacancy_id,
        page=page_request(args),
    )
    body, status, headers = paged(found.page)
    body["screening"] = found.run
    return body, status, headers


@blp.route("/vacancies/<id:vacancy_id>/candidates/<nip:nip>/explanation")
@requires(*CANDIDATE_READERS)
@blp.arguments(ExplanationQuery, location="query", as_kwargs=True)
@blp.response(200, CandidateExplanationRead)
@blp.alt_response(404, response="NOT_FOUND")
def get_explanation(vacancy_id: int, nip: str, lang: str) -> CandidateExplanation:
    """Why a candidate of the latest screening was (not) eligible, and ranked where.

    Rebuilt from the stored input snapshot, the recorded outcomes and the pinned pack, so it
    explains what was decided (not today's registry); ineligible candidates too. Personal
    data: the candidate and the neighbours compared with are written to the access log.
    """
    return screening.screening_explanation(
        db(),
        recorder=recorder("screening_explanation"),
        vacancy_id=vacancy_id,
        nip=nip,
        lang=lang,  # type: ignore[arg-type]
    )


@blp.route("/vacancies/<id:vacancy_id>/replay", methods=["POST"])
@requires(*REPLAYERS)
@json_only
@blp.arguments(ReplayCreate, required=False)
@blp.response(200, ReplayRead)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def replay_screening(body: dict[str, Any], vacancy_id: int) -> Any:
    """Re-run the stored screening: reproduced, or who gains and loses under another pack.

    Reads only: nothing is stored and the vacancy does not change. Changes name candidates
    by employee id only (no personal data, so nothing is logged).
    """
    report = screening.replay_screening(
        db(),
        actor=current_actor(),
        vacancy_id=vacancy_id,
        pack=body.get("pack"),
        round=body.get("round"),
    )
    return report.as_dict()


@packs_blp.route("/rule-packs")
@requires()
@packs_blp.arguments(PageQuery, location="query", as_kwargs=True)
@packs_blp.response(200, page_of(RulePackRead), headers=LINK_HEADER)
def list_rule_packs(**args: Any) -> Any:
    """List the published rule pack versions, oldest first."""
    return paged(screening.list_packs(db(), page=page_request(args)))


@packs_blp.route("/rule-packs/<digest:digest>")
@requires()
@packs_blp.response(200, RulePackDetailRead)
@packs_blp.alt_response(404, response="NOT_FOUND")
def get_rule_pack(digest: str) -> dict[str, Any]:
    """Show a published pack: levels, parameters, criteria with their messages, ranking."""
    detail = screening.pack_detail(db(), digest=digest)
    canonical = detail.pack.to_canonical()
    published = detail.published
    return {
        **canonical,
        "pack_id": published.pack_id,
        "digest": published.digest,
        "parent_digest": published.parent_digest,
        "published_at": published.published_at,
        "published_by": published.published_by,
    }


@packs_blp.route("/rule-packs/<digest:digest>/explain", methods=["POST"])
@requires(*CANDIDATE_READERS)
@json_only
@packs_blp.arguments(ExplainCreate)
@packs_blp.response(200, CandidateExplanationRead)
@packs_blp.alt_response(404, response="NOT_FOUND")
@packs_blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def explain_candidate(body: dict[str, Any], digest: str) -> CandidateExplanation:
    """Explain a registry employee or a candidate profile under this pack; nothing is stored.

    Give ``nip`` (an employee the caller may read; hr, auditor and national reviewers only;
    the read is logged) or ``profile``, and ``position_id`` or a ``vacancy`` context.
    """
    return screening.what_if(
        db(),
        recorder=recorder("rules_explain"),
        digest=digest,
        nip=body.get("nip"),
        profile=body.get("profile"),
        position_id=body.get("position_id"),
        vacancy=body.get("vacancy"),
        reference_date=body.get("reference_date"),
        today=dt.datetime.now(dt.UTC).date(),
        lang=body["lang"],
    )
