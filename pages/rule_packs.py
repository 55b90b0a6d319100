"""The published rule packs (anyone signed in): each version with its digest, every criterion
with its legal citation in both languages, and a what-if form that explains a level for a
registry employee (HR; the read is logged) or a profile typed into the form."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from api.personal_data import recorder
from pages import charts
from pages.forms import WhatIfForm
from pages.i18n import language
from pages.web import bp, current_actor, database, page_request, signed_in
from pages.workflow_words import Refusal, refusal_of
from rules.vocab import (
    EducationLevel,
    EmploymentType,
    PotentialCategory,
    Predicate,
    Rank,
)
from workflow import screening
from workflow.core import InvalidInput, NotFound, WorkflowError
from workflow.models import Role

DIGEST = re.compile(r"^[0-9a-f]{64}$")
NONE = SelectChoice("", _l("– unknown –"))

LEVELS: dict[str, Any] = {
    "jpt_utama": _l("JPT Utama (top executive)"),
    "jpt_madya": _l("JPT Madya (senior executive)"),
    "jpt_pratama": _l("JPT Pratama (head of an agency)"),
    "administrator": _l("Administrator (head of a division)"),
    "pengawas": _l("Pengawas (head of a section)"),
    "pelaksana": _l("Pelaksana (staff)"),
}


def level_label(code: str) -> str:
    """Return a position level's name in the user's language (its code if unnamed)."""
    found = LEVELS.get(code)
    return str(found) if found is not None else code


def _detail(digest: str) -> Any:
    if not DIGEST.match(digest):
        abort(404)
    return screening.pack_detail(database(), digest=digest)


@bp.route("/aturan")
@signed_in()
def rule_packs() -> Any:
    """List the published rule pack versions with their digests and dates."""
    page = screening.list_packs(database(), page=page_request())
    return render_template("rule_packs/list.html", page=page)


@bp.route("/aturan/<digest>")
@signed_in()
def rule_pack(digest: str) -> Any:
    """One published pack: every criterion, the levels it applies to, its legal citation and
    its messages in Indonesian and English; the legal basis and the parameters."""
    detail = _detail(digest)
    return render_template(
        "rule_packs/pack.html",
        detail=detail,
        pack=detail.pack,
        canonical=detail.pack.to_canonical(),
        level_label=level_label,
    )


def _choices(form: WhatIfForm, levels: list[str]) -> None:
    form.level.choices = [SelectChoice(code, level_label(code)) for code in levels]
    form.employment_type.choices = [NONE, *(SelectChoice(e.value, e.value) for e in EmploymentType)]
    form.rank.choices = [NONE, *(SelectChoice(r.value, r.value) for r in Rank)]
    form.education.choices = [NONE, *(SelectChoice(e.value, e.value) for e in EducationLevel)]
    form.position_level.choices = [NONE, *(SelectChoice(c, level_label(c)) for c in LEVELS)]
    predicates = [NONE, *(SelectChoice(p.value, p.value) for p in Predicate)]
    form.performance_last.choices = predicates
    form.performance_before.choices = predicates
    form.potential.choices = [NONE, *(SelectChoice(p.value, p.value) for p in PotentialCategory)]


def typed_profile(form: WhatIfForm, reference: dt.date) -> dict[str, Any]:
    """Return the profile JSON (docs/rules.md §9.1) the form's fields describe.

    A field left empty is unknown (the criteria reading it show "missing data"). The NIP is
    made from the date of birth, as a real one starts with it.
    """
    birth: dt.date | None = form.birth_date.data
    profile: dict[str, Any] = {
        "nip": f"{(birth or dt.date(1980, 1, 1)):%Y%m%d}{reference.year - 10:04d}011001",
        "name": str(_("Typed-in profile")),
        "birth_date": birth.isoformat() if birth else None,
        "employment_type": form.employment_type.data or None,
        "rank": form.rank.data or None,
        "rank_tmt": form.rank_tmt.data.isoformat() if form.rank_tmt.data else None,
    }
    if form.education.data:
        # The year is required by the profile but read by no criterion: a plausible one.
        year = birth.year + 23 if birth else reference.year - 10
        profile["education"] = [{"level": form.education.data, "year": year}]
    if form.position_level.data:
        since = form.position_since.data
        profile["positions"] = [
            {
                "level": form.position_level.data,
                "start_date": since.isoformat() if since else None,
                "end_date": None,
            }
        ]
    performance = [
        {"year": reference.year - offset, "predicate": value}
        for offset, value in ((1, form.performance_last.data), (2, form.performance_before.data))
        if value
    ]
    if performance:
        profile["performance"] = performance
    if form.jpm.data is not None or form.potential.data:
        assessment: dict[str, Any] = {
            "assessed_on": reference.isoformat(),
            "method": "assessment_center",
        }
        if form.jpm.data is not None:
            assessment["jpm"] = f"{form.jpm.data:.2f}"
        if form.potential.data:
            assessment["potential"] = form.potential.data
        profile["assessments"] = [assessment]
    return {key: value for key, value in profile.items() if value is not None}


PROFILE_FIELDS = {
    "birth_date": "birth_date",
    "employment_type": "employment_type",
    "rank": "rank",
    "rank_tmt": "rank_tmt",
    "education": "education",
    "positions": "position_level",
    "performance": "performance_last",
    "assessments": "jpm",
}
"""Which form field a problem of the profile (``profile.<key>…``) is shown beside."""


def _problems_beside(form: WhatIfForm, refusal: Refusal) -> list[str]:
    """Put each problem beside its field; return the ones no field holds (for the summary)."""
    left = []
    for problem in refusal.problems:
        name = str(problem.get("field", ""))
        message = str(problem.get("message", ""))
        key = re.split(r"[.\[]", name.removeprefix("profile."), maxsplit=1)[0]
        if name == "nip":
            target: str | None = "nip"
        elif name.startswith("vacancy"):
            target = "level"
        elif key == "positions" and "start_date" in name:
            target = "position_since"
        else:
            target = PROFILE_FIELDS.get(key)
        field = getattr(form, target) if target else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            left.append(message)
    return left


def _subject_errors(form: WhatIfForm, nip: str, may_read_registry: bool) -> bool:
    """Check whom the what-if is about (an employee, or a profile with its date of birth); put
    each problem beside its field and return whether there was one."""
    if nip and not may_read_registry:
        form.nip.errors = [_("Only an HR officer may explain a registry employee.")]
    elif nip and not (nip.isdigit() and len(nip) == 18):
        form.nip.errors = [_("A NIP has 18 digits.")]
    elif not nip and form.birth_date.data is None and not form.birth_date.errors:
        form.birth_date.errors = [
            _("Enter the date of birth of the profile (or an employee's NIP).")
        ]
    else:
        return False
    return True


@bp.route("/aturan/<digest>/simulasi", methods=["GET", "POST"])
@signed_in()
def what_if(digest: str) -> Any:
    """Explain a level for a registry employee (HR) or a typed-in profile; nothing is stored."""
    detail = _detail(digest)
    actor = current_actor()
    may_read_registry = Role.HR.value in actor.roles
    form = WhatIfForm()
    _choices(form, [level.value for level in detail.pack.levels])
    explained = None
    refusal: Refusal | None = None
    extra: list[str] = []
    status = 200
    if form.is_submitted():
        valid = form.validate_on_submit()
        nip = (form.nip.data or "").strip()
        if _subject_errors(form, nip, may_read_registry) or not valid:
            status = 422
        else:
            reference = form.reference_date.data or dt.datetime.now(dt.UTC).date()
            try:
                explained = screening.what_if(
                    database(),
                    recorder=recorder("rule pack what-if (pages)"),
                    digest=digest,
                    nip=nip or None,
                    profile=None if nip else typed_profile(form, reference),
                    vacancy={"level": form.level.data, "reference_date": reference.isoformat()},
                    today=dt.datetime.now(dt.UTC).date(),
                    lang="id" if language() == "id" else "en",
                )
            except InvalidInput as exc:
                extra = _problems_beside(form, refusal_of(exc, reload=""))
                status = 422
            except WorkflowError as exc:
                if isinstance(exc, NotFound) and nip:
                    form.nip.errors = [_("No employee with this NIP in your agency.")]
                    status = 404
                else:
                    refusal = refusal_of(exc, reload="")
                    status = refusal.status
    explanation = explained.explanation if explained else {}
    gap = explanation.get("competency_gap") or {}
    return (
        render_template(
            "rule_packs/what_if.html",
            detail=detail,
            form=form,
            may_read_registry=may_read_registry,
            explained=explained,
            e=explanation,
            radar=charts.radar(gap.get("rows") or []) if explained else None,
            lang=language(),
            refusal=refusal,
            extra=extra,
            action=url_for("pages.what_if", digest=digest),
        ),
        status,
    )
