"""A vacancy from draft to decree: open it for a position, read it, act on it (every action
form carries the version it was rendered with and an idempotency key), follow its screening,
its ranked shortlist on the 9-box, each candidate's explanation, and its timeline."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from api.personal_data import recorder
from api.state import jobs as job_queue
from pages import charts
from pages.forms import (
    ActionForm,
    CloseForm,
    ConfirmForm,
    ConflictForm,
    DecideForm,
    DecreeForm,
    OpenVacancyForm,
    ReasonForm,
    TechnicalApprovalForm,
    VoteForm,
)
from pages.i18n import language
from pages.web import (
    bp,
    current_actor,
    database,
    now,
    page_request,
    redirect_to,
    signed_in,
)
from pages.workflow_words import Refusal, refusal_of
from workflow import jobs, ledger, registry, screening, vacancies
from workflow.core import DEFAULT_PER_PAGE, NotFound, PageRequest, WorkflowError
from workflow.identity import LiveDelegation, delegations_to, usernames
from workflow.models import Role

READERS = (Role.HR, Role.COMMITTEE, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)
SHORTLIST_PER_PAGE = 20
DECISION_POOL = 3

ACTION_FORMS: dict[str, type[ActionForm]] = {
    "submit": ConfirmForm,
    "start_screening": ConfirmForm,
    "vote": VoteForm,
    "declare_conflict": ConflictForm,
    "return": ReasonForm,
    "approve_technical": TechnicalApprovalForm,
    "reject_technical": ReasonForm,
    "issue_decree": DecreeForm,
    "close": CloseForm,
    "cancel": ReasonForm,
}
"""The actions taken from the vacancy page, each with its form (``decide`` has its own page)."""


def _text(form: FlaskForm, name: str) -> str:
    return str(getattr(form, name).data or "").strip()


def _iso(form: FlaskForm, name: str) -> str:
    value = getattr(form, name).data
    return value.isoformat() if isinstance(value, dt.date) else ""


PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "submit": lambda f: {},
    "start_screening": lambda f: {},
    "vote": lambda f: {"decision": _text(f, "decision"), "comment": _text(f, "comment")},
    "declare_conflict": lambda f: {
        "candidate": _text(f, "candidate"),
        "reason": _text(f, "reason"),
    },
    "return": lambda f: {"reason": _text(f, "reason")},
    "approve_technical": lambda f: {"reference": _text(f, "reference")},
    "reject_technical": lambda f: {"reason": _text(f, "reason")},
    "issue_decree": lambda f: {
        "decree_number": _text(f, "decree_number"),
        "decree_date": _iso(f, "decree_date"),
    },
    "close": lambda f: {"inauguration_date": _iso(f, "inauguration_date")},
    "cancel": lambda f: {"reason": _text(f, "reason")},
}


def new_key() -> str:
    """Return a fresh idempotency key for a form (the same key makes a double submit harmless)."""
    return "page-" + secrets.token_urlsafe(18)


def _blank(action: str, vacancy: Mapping[str, Any], behalf: str | None = None) -> ActionForm:
    form = ACTION_FORMS[action](prefix=action, formdata=None)
    form.version.data = str(vacancy["version"])
    form.key.data = new_key()
    form.on_behalf_of.data = behalf or ""
    return form


def _live_delegations() -> list[LiveDelegation]:
    return delegations_to(database(), actor=current_actor(), now=now())


def _delegated(vacancy: Mapping[str, Any], *, own: list[str]) -> dict[str, str]:
    """Return the actions the user may take only by a live delegation, each with the username
    of the delegator it is taken for (the use case checks the delegation again)."""
    offered: dict[str, str] = {}
    for delegation in _live_delegations():
        if delegation.principal.tenant_code != vacancy["tenant"]:
            continue
        for action in _offered(vacancy, delegation.principal.roles):
            if action not in own and action not in offered:
                offered[action] = delegation.principal.username
        if _can_decide(vacancy, delegation.principal.roles):
            offered.setdefault("decide", delegation.principal.username)
    return offered


def _offered(vacancy: Mapping[str, Any], roles: frozenset[str]) -> list[str]:
    """Return the actions the page offers: those of the state open to one of the roles.

    Duty rules (the submitter, one role per person, conflicts of interest) are not pre-judged
    here: the use case decides, and a refusal is shown with its rule.
    """
    definition = vacancies.current_definition()
    offered = []
    for action in definition.actions_from(vacancy["state"]):
        if action.automatic or action.name not in ACTION_FORMS or not action.roles & roles:
            continue
        if action.name == "approve_technical" and vacancy.get("technical_reference"):
            continue
        if action.name == "issue_decree" and not vacancy.get("technical_reference"):
            continue
        offered.append(action.name)
    return offered


def _can_decide(vacancy: Mapping[str, Any], roles: frozenset[str]) -> bool:
    return vacancy["state"] == "authority_decision" and Role.AUTHORITY.value in roles


def _timeline(vacancy_id: int) -> list[dict[str, Any]]:
    """Return the vacancy's ledger entries with who acted named (the ledger holds ids)."""
    entries = ledger.list_entries(
        database(),
        actor=current_actor(),
        where=ledger.EntryFilter(vacancy_id=vacancy_id),
        page=PageRequest(page=1, per_page=100),
    ).items
    ids = {
        int(value.split(":", 1)[1])
        for entry in entries
        for value in (entry.actor, (entry.data or {}).get("on_behalf_of"))
        if isinstance(value, str) and value.startswith("user:") and value[5:].isdigit()
    }
    ids |= {
        value
        for entry in entries
        if isinstance(value := (entry.data or {}).get("on_behalf_of"), int)
    }
    names = usernames(database(), user_ids=ids)

    def who(value: object) -> str | None:
        if isinstance(value, int):
            return names.get(value, f"user:{value}")
        if isinstance(value, str) and value.startswith("user:") and value[5:].isdigit():
            return names.get(int(value[5:]), value)
        return value if isinstance(value, str) else None

    return [
        {
            "entry": entry,
            "data": entry.data or {},
            "who": who(entry.actor),
            "for": who((entry.data or {}).get("on_behalf_of")),
        }
        for entry in entries
    ]


def _render_vacancy(
    vacancy: Mapping[str, Any],
    *,
    forms: dict[str, ActionForm] | None = None,
    refusal: Refusal | None = None,
    status: int = 200,
) -> tuple[str, int]:
    actor = current_actor()
    offered = _offered(vacancy, actor.roles)
    behalf = _delegated(vacancy, own=offered)
    shown = {action: _blank(action, vacancy) for action in offered}
    shown.update(
        {
            action: _blank(action, vacancy, who)
            for action, who in behalf.items()
            if action != "decide"
        }
    )
    shown.update(forms or {})
    own_decide = _can_decide(vacancy, actor.roles)
    rendered = render_template(
        "vacancies/vacancy.html",
        vacancy=vacancy,
        forms=shown,
        can_decide=own_decide or "decide" in behalf,
        decide_behalf=None if own_decide else behalf.get("decide"),
        refusal=refusal,
        timeline=_timeline(vacancy["id"]),
        screened=vacancy["state"] not in ("draft", "submitted", "screening", "cancelled")
        or vacancy["round"] > 1,
        job=(
            jobs.latest_job(database(), vacancy_id=vacancy["id"], now=now())
            if vacancy["state"] == "screening"
            else None
        ),
    )
    return rendered, status


@bp.route("/lowongan")
@signed_in(*READERS)
def vacancy_list() -> Any:
    """List the vacancies the user may read, newest first, by state."""
    state = request.args.get("tahap") or None
    if state is not None and state not in {s.value for s in vacancies.State}:
        state = None
    page = vacancies.list_vacancies(
        database(),
        actor=current_actor(),
        where=vacancies.VacancyFilter(state=state),
        page=page_request(),
        now=now(),
    )
    return render_template(
        "vacancies/list.html",
        page=page,
        state=state,
        states=[s.value for s in vacancies.State],
        can_open=Role.HR.value in current_actor().roles and not current_actor().is_national,
    )


@bp.route("/lowongan/baru", methods=["GET", "POST"])
@signed_in(Role.HR)
def vacancy_new() -> Any:
    """Open a vacancy for a position of the agency (the picker searches positions by code or
    title without JavaScript: a GET form lists matches to choose from)."""
    actor = current_actor()
    form = OpenVacancyForm()
    search = (request.args.get("cari") or "").strip()
    if request.method == "GET":
        form.key.data = new_key()
        form.position.data = request.args.get("jabatan") or None
        if form.position.data and not form.title.data:
            form.title.data = request.args.get("judul") or None
    positions = registry.list_positions(
        database(),
        actor=actor,
        where=registry.PositionFilter(tenant_code=actor.tenant_code, search=search or None),
        page=PageRequest(page=1, per_page=DEFAULT_PER_PAGE),
    )
    refusal: Refusal | None = None
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                outcome = vacancies.open_by_reference(
                    database(),
                    actor=actor,
                    position_code=_text(form, "position"),
                    title=_text(form, "title"),
                    reference_date=form.reference_date.data,
                    pack_reference="bkn-national",
                    candidate_tenant_codes=None,
                    idempotency_key=form.key.data,
                    now=now(),
                )
            except WorkflowError as exc:
                refusal = refusal_of(exc, reload=url_for("pages.vacancy_new"))
                _field_errors(form, refusal)
                status = refusal.status
            else:
                return redirect_to("pages.vacancy", vacancy_id=outcome.vacancy["id"])
        else:
            status = 422
    return (
        render_template(
            "vacancies/new.html",
            form=form,
            positions=positions,
            search=search,
            refusal=refusal,
        ),
        status,
    )


def _field_errors(form: FlaskForm, refusal: Refusal) -> None:
    """Put each problem a use case names beside its field (the rest stay in the summary)."""
    fields = {name.split("-", 1)[-1]: field for name, field in form._fields.items()}
    for problem in refusal.problems:
        field = fields.get(str(problem.get("field", "")))
        if field is not None:
            field.errors = [*field.errors, str(problem.get("message", ""))]


@bp.route("/lowongan/<int:vacancy_id>")
@signed_in(*READERS)
def vacancy(vacancy_id: int) -> Any:
    """Show one vacancy: its state, what the user may do now, and its timeline."""
    found = vacancies.get_vacancy(database(), actor=current_actor(), vacancy_id=vacancy_id)
    return _render_vacancy(found)


@bp.route("/lowongan/<int:vacancy_id>/aksi/<action>", methods=["POST"])
@signed_in(*READERS)  # not an employee's own view: a refusal would render the vacancy page
def vacancy_act(vacancy_id: int, action: str) -> Any:
    """Take one action from the vacancy page with the version the page was rendered with."""
    if action not in ACTION_FORMS:
        abort(404)
    found = vacancies.get_vacancy(database(), actor=current_actor(), vacancy_id=vacancy_id)
    form = ACTION_FORMS[action](prefix=action)
    if not form.validate():
        return _render_vacancy(found, forms={action: form}, status=422)
    version = form.version.data
    try:
        jobs.take_action(
            job_queue(),
            actor=current_actor(),
            vacancy_id=vacancy_id,
            action=action,
            expected_version=int(version) if str(version).isdigit() else 0,
            idempotency_key=form.key.data,
            payload=PAYLOADS[action](form),
            on_behalf_of=form.on_behalf_of.data or None,
            now=now(),
        )
    except WorkflowError as exc:
        if isinstance(exc, NotFound):
            raise
        refusal = refusal_of(exc, reload=url_for("pages.vacancy", vacancy_id=vacancy_id))
        _field_errors(form, refusal)
        current = vacancies.get_vacancy(database(), actor=current_actor(), vacancy_id=vacancy_id)
        return _render_vacancy(
            current, forms={action: form}, refusal=refusal, status=refusal.status
        )
    return redirect_to("pages.vacancy", vacancy_id=vacancy_id, _anchor="top")


@bp.route("/lowongan/<int:vacancy_id>/calon")
@signed_in(*READERS)
def shortlist(vacancy_id: int) -> Any:
    """The ranked shortlist with the 9-box; ``?kotak=N`` keeps only box N."""
    found = vacancies.get_vacancy(database(), actor=current_actor(), vacancy_id=vacancy_id)
    raw_box = request.args.get("kotak", "")
    box = int(raw_box) if raw_box.isdigit() and 1 <= int(raw_box) <= 9 else None
    listed = screening.shortlist(
        database(),
        recorder=recorder("vacancy shortlist (pages)"),
        vacancy_id=vacancy_id,
        page=page_request(SHORTLIST_PER_PAGE),
        box=box,
    )
    pack = screening.load_published(database(), digest=found["pack_digest"])
    grid = charts.nine_box(
        pack.derived.nine_box,
        counts=listed.boxes,
        names={
            number: [item.name for item in listed.page.items if item.box == number]
            for number in range(1, 10)
        },
        link=lambda number: url_for("pages.shortlist", vacancy_id=vacancy_id, kotak=number),
        selected=box,
    )
    return render_template(
        "vacancies/shortlist.html",
        vacancy=found,
        listed=listed,
        page=listed.page,
        grid=grid,
        box=box,
        actions={
            number: text.id if language() == "id" else text.en
            for number, text in pack.derived.box_actions.items()
        },
    )


@bp.route("/lowongan/<int:vacancy_id>/calon/<nip>")
@signed_in(*READERS)
def candidate(vacancy_id: int, nip: str) -> Any:
    """One candidate's explanation: every criterion, the competency radar, JPM, box, rank."""
    found = vacancies.get_vacancy(database(), actor=current_actor(), vacancy_id=vacancy_id)
    if not nip.isdigit() or len(nip) != 18:
        abort(404)
    explained = screening.screening_explanation(
        database(),
        recorder=recorder("candidate explanation (pages)"),
        vacancy_id=vacancy_id,
        nip=nip,
        lang="id" if language() == "id" else "en",
    )
    explanation = explained.explanation
    gap = explanation.get("competency_gap") or {}
    radar = charts.radar(gap.get("rows") or [])
    return render_template(
        "vacancies/candidate.html",
        vacancy=found,
        explained=explained,
        e=explanation,
        radar=radar,
        lang=language(),
    )


@bp.route("/lowongan/<int:vacancy_id>/putuskan", methods=["GET", "POST"])
@signed_in()
def decide(vacancy_id: int) -> Any:
    """The authority's choice among the top three; a choice other than rank 1 needs a written
    justification and a "check your answer" page saying BKN will see it as a deviation.

    Open to the authority and to a colleague the authority delegated the role to (who acts on
    their behalf)."""
    actor = current_actor()
    own = Role.AUTHORITY.value in actor.roles
    if not own and not any(d.role == Role.AUTHORITY.value for d in _live_delegations()):
        abort(403)
    found = vacancies.get_vacancy(database(), actor=actor, vacancy_id=vacancy_id)
    if found["state"] != "authority_decision":
        return redirect_to("pages.vacancy", vacancy_id=vacancy_id)
    behalf = None if own else _delegated(found, own=[]).get("decide")
    if not own and behalf is None:
        abort(403)
    listed = screening.shortlist(
        database(),
        recorder=recorder("authority decision (pages)"),
        vacancy_id=vacancy_id,
        page=PageRequest(page=1, per_page=DECISION_POOL),
    )
    pool = [item for item in listed.page.items if item.status == "eligible"][:DECISION_POOL]
    form = DecideForm(prefix="decide")
    form.candidate.choices = [SelectChoice(item.nip, f"{item.rank}. {item.name}") for item in pool]
    ranks = {item.nip: item for item in pool}
    if request.method == "GET":
        form.version.data = str(found["version"])
        form.key.data = new_key()
        form.on_behalf_of.data = behalf or ""
        return render_template("vacancies/decide.html", vacancy=found, form=form, pool=pool)
    if not form.validate():
        return render_template("vacancies/decide.html", vacancy=found, form=form, pool=pool), 422
    chosen = ranks[form.candidate.data]
    justification = _text(form, "justification")
    if chosen.rank != 1 and len(justification) < 20:
        form.justification.errors = [
            *form.justification.errors,
            _(
                "A choice other than rank 1 needs a written justification of at least "
                "20 characters."
            ),
        ]
        return render_template("vacancies/decide.html", vacancy=found, form=form, pool=pool), 422
    if form.confirmed.data != "yes":
        form.confirmed.data = "yes"
        return render_template(
            "vacancies/decide_check.html", vacancy=found, form=form, chosen=chosen
        )
    try:
        vacancies.take_action(
            database(),
            actor=actor,
            vacancy_id=vacancy_id,
            action="decide",
            expected_version=int(form.version.data) if str(form.version.data).isdigit() else 0,
            idempotency_key=form.key.data,
            payload={"candidate": chosen.nip, "justification": justification or None},
            on_behalf_of=behalf,
            now=now(),
        )
    except WorkflowError as exc:
        if isinstance(exc, NotFound):
            raise
        refusal = refusal_of(exc, reload=url_for("pages.vacancy", vacancy_id=vacancy_id))
        current = vacancies.get_vacancy(database(), actor=actor, vacancy_id=vacancy_id)
        return _render_vacancy(current, refusal=refusal, status=refusal.status)
    return redirect_to("pages.vacancy", vacancy_id=vacancy_id)
