"""Talent management pages: HR's talent map (the latest run on the 9-box, its distributions, a
box's people, the talent pool, "map now"), data quality (BKN: every agency side by side), an
employee's development plan (HR records activities there) and the employee's own page
("Profil saya"). Every page that shows people writes them to the personal-data access log."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from api.personal_data import recorder
from api.state import jobs as job_queue
from pages import charts
from pages.jobs import progress_label, time_left
from pages.web import bp, current_actor, database, now, page_request, redirect_to, signed_in
from pages.workflow_words import Refusal, refusal_of
from workflow import jobs, screening, talent
from workflow.core import InvalidInput, PageRequest
from workflow.models import Role

READERS = (Role.HR, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)
"""Who reads the talent pages (as the API's talent readers)."""
RUNNERS = (Role.HR, Role.NATIONAL_REVIEWER)
ASSESSMENT_YEARS = 3
KINDS = {
    "training": _l("Training completed"),
    "assignment": _l("Assignment"),
    "mentoring": _l("Mentoring"),
}
STATUSES = {
    "eligible": _l("Eligible"),
    "ineligible": _l("Not eligible yet"),
    "needs_data": _l("Data still missing"),
    "undecided": _l("Cannot be decided"),
}
HOLE_LABELS = {
    "no_recent_assessment": _l("No competency assessment in the last 3 years"),
    "missing_performance_year": _l("A performance year of the window is missing"),
    "no_position_history": _l("No position history"),
    "no_lhkpn": _l("No wealth report (LHKPN)"),
    "no_health_certificate": _l("No health certificate"),
}


class MapForm(FlaskForm):  # type: ignore[misc]
    """ "Map now": the agency to map (BKN names it; HR maps its own)."""

    agency = HiddenField()


class ActivityForm(FlaskForm):  # type: ignore[misc]
    """A development activity HR records (a key makes a double submit record once)."""

    key = HiddenField(validators=[InputRequired(), Length(max=100)])
    kind = RadioField(
        _l("Kind of activity"),
        choices=[SelectChoice(k, label) for k, label in KINDS.items()],
        validators=[InputRequired(message=_l("Choose the kind of activity."))],
    )
    title = StringField(
        _l("What was done"),
        validators=[DataRequired(message=_l("Describe the activity.")), Length(max=200)],
    )
    occurred_on = DateField(
        _l("Date"), validators=[InputRequired(message=_l("Enter the date as YYYY-MM-DD."))]
    )
    hours = IntegerField(
        _l("Hours"),
        validators=[Optional(), NumberRange(min=0, max=2000, message=_l("0 to 2000 hours."))],
    )
    competency = SelectField(_l("Competency addressed"), validators=[Optional()])
    training_kind = SelectField(_l("Leadership training completed"), validators=[Optional()])


@bp.app_template_filter("bi")
def bilingual(value: Any) -> str:
    """Return the current language's text of an ``{"id", "en"}`` pair ("" for None)."""
    if not value:
        return ""
    from pages.i18n import language

    return str(value.get(language()) or value.get("id") or "")


def _agency_choice() -> str | None:
    """The agency a national user chose (``?instansi=``); others read only their own."""
    actor = current_actor()
    if not actor.is_national:
        return actor.tenant_code
    chosen = (request.args.get("instansi") or "").strip()[:40]
    return chosen or None


@bp.route("/talenta", endpoint="talent")
@signed_in(*READERS)
def talent_map() -> Any:
    """The agency's latest talent map: the 9-box picture, distributions by level and unit."""
    actor = current_actor()
    agency = _agency_choice()
    runs = talent_runs(agency)
    job = _job_context(agency)
    if not runs.items:
        return render_template(
            "talent/map.html", run=None, agency=agency, runs=runs, form=MapForm(), **job
        )
    detail = talent.run_detail(database(), actor=actor, run_id=runs.items[0].id)
    return _render_map(detail, agency, runs, job)


def _job_context(agency: str | None) -> dict[str, Any]:
    """The newest talent-map job of the agency (its bar while it runs, its error if it
    stopped), for the template."""
    found = (
        jobs.latest_talent_job(database(), actor=current_actor(), agency=agency, now=now())
        if agency
        else None
    )
    if found is None:
        return {"job": None}
    return {
        "job": found.job,
        "job_label": progress_label(found.job),
        "job_left": time_left(found.job),
    }


def talent_runs(agency: str | None) -> Any:
    """The newest runs of the chosen agency (of every agency for BKN without a choice)."""
    return talent.list_runs(
        database(),
        actor=current_actor(),
        agency=agency,
        page=PageRequest(1, 1 if agency else 20),
    )


def _render_map(
    detail: talent.RunDetail, agency: str | None, runs: Any, job: dict[str, Any]
) -> Any:
    pack = screening.load_published(database(), digest=detail.run.pack_digest)
    counts = {int(k): v for k, v in detail.by_box.items() if k.isdigit()}
    grid = charts.nine_box(
        pack.derived.nine_box,
        counts=counts,
        names={},
        link=lambda number: url_for("pages.talent_box", run_id=detail.run.id, box=number),
        selected=None,
    )
    return render_template(
        "talent/map.html",
        run=detail.run,
        detail=detail,
        grid=grid,
        agency=agency or detail.run.agency,
        runs=runs,
        form=MapForm(agency=detail.run.agency),
        boxes=[str(b) for b in range(9, 0, -1)] + ["unmapped"],
        **job,
    )


@bp.route("/talenta/petakan", methods=["POST"])
@signed_in(*RUNNERS)
def talent_map_now() -> Any:
    """Map the agency now (HR: its own; BKN: the agency of the page), as a background job: the
    talent page shows its progress until the map is made."""
    actor = current_actor()
    form = MapForm()
    if not form.validate_on_submit():
        abort(400)
    agencies = [form.agency.data] if actor.is_national and form.agency.data else None
    if actor.is_national and not agencies:
        abort(400)
    started = jobs.start_talent_job(
        job_queue(),
        actor=actor,
        agencies=agencies,
        pack=talent.DEFAULT_PACK,
        reference_date=None,
        now=now(),
    )
    if started.job.state == jobs.SUCCEEDED and started.runs:
        flash(_("The talent map is made: %(n)s employees mapped.", n=started.runs[0].mapped))
    elif started.finished:
        flash(_("The talent map could not be made: %(error)s", error=started.job.error or ""))
    else:
        flash(_("The talent map is being made. This page shows how far it got."))
    if actor.is_national:
        return redirect_to("pages.talent", instansi=agencies[0] if agencies else None)
    return redirect_to("pages.talent")


def _people_page(run_id: int, box: int | None, pool: bool, title: str) -> Any:
    detail = talent.run_detail(database(), actor=current_actor(), run_id=run_id)
    people = talent.box_people(
        database(),
        recorder=recorder("talent_box (pages)"),
        run_id=run_id,
        box=box,
        pool=pool,
        page=page_request(),
    )
    return render_template(
        "talent/people.html", run=detail.run, people=people, title=title, box=box, pool=pool
    )


@bp.route("/talenta/<int:run_id>/kotak/<int:box>")
@signed_in(*READERS)
def talent_box(run_id: int, box: int) -> Any:
    """The people of one box of a run, by NIP (each written to the access log)."""
    if not 1 <= box <= 9:
        abort(404)
    return _people_page(run_id, box, False, _("Box %(box)s", box=box))


@bp.route("/talenta/<int:run_id>/pool")
@signed_in(*READERS)
def talent_pool(run_id: int) -> Any:
    """The talent pool of a run (the pack's pool boxes), by NIP."""
    return _people_page(run_id, None, True, _("Talent pool"))


@bp.route("/talenta/kualitas-data")
@signed_in(*READERS)
def data_quality() -> Any:
    """Data quality: the agency's score and records to fix (BKN: every agency side by side)."""
    actor = current_actor()
    today = now().date()
    scores = talent.agency_quality(
        database(),
        actor=actor,
        reference_date=today,
        assessment_years=ASSESSMENT_YEARS,
        page=PageRequest(1, 100),
    )
    agency = _agency_choice()
    records = None
    if agency:
        records = talent.records_to_fix(
            database(),
            recorder=recorder("talent_data_quality (pages)"),
            agency=agency,
            reference_date=today,
            assessment_years=ASSESSMENT_YEARS,
            hole=None,
            page=page_request(),
        )
    return render_template(
        "talent/quality.html",
        scores=scores.items,
        records=records,
        agency=agency,
        holes=HOLE_LABELS,
        registry_link=Role.HR.value in actor.roles,
    )


def _activity_form(form: ActivityForm) -> ActivityForm:
    pack = screening.load_published(
        database(), digest=screening.resolve(database(), "bkn-national").digest
    )
    form.competency.choices = [SelectChoice("", _("(none)"))] + [
        SelectChoice(name, name) for name in sorted(talent.known_competencies(pack))
    ]
    form.training_kind.choices = [SelectChoice("", _("(none)"))] + [
        SelectChoice(kind, kind) for kind in talent.LEADERSHIP_TRAININGS
    ]
    if not form.key.data:
        form.key.data = secrets.token_urlsafe(16)
    return form


@bp.route("/pegawai/<nip>/pengembangan", methods=["GET", "POST"])
@signed_in(*READERS)
def development(nip: str) -> Any:
    """An employee's development plan; HR records an activity on it."""
    actor = current_actor()
    can_record = Role.HR.value in actor.roles and not actor.is_national
    if request.method == "POST" and not can_record:
        abort(403)
    if not nip.isdigit() or len(nip) != 18:
        abort(404)
    form = _activity_form(ActivityForm())
    refusal: Refusal | None = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                talent.record_activity(
                    database(),
                    actor=actor,
                    employee=nip,
                    kind=form.kind.data,
                    title=form.title.data,
                    occurred_on=form.occurred_on.data,
                    hours=form.hours.data,
                    competency=form.competency.data or None,
                    training_kind=form.training_kind.data or None,
                    now=now(),
                    request_key=form.key.data,
                )
            except InvalidInput as exc:
                refusal = refusal_of(exc, reload="")
                status = 422
            else:
                flash(_("The development activity is recorded."))
                return redirect_to("pages.development", nip=nip)
        else:
            status = 422
    plan = talent.development_plan(
        database(),
        recorder=recorder("talent_development (pages)"),
        employee=nip,
        reference_date=now().date(),
    )
    return render_template(
        "talent/development.html",
        plan=plan,
        form=form if can_record else None,
        refusal=refusal,
        kinds=KINDS,
    ), status


@bp.route("/saya")
@signed_in(Role.EMPLOYEE)
def own_profile() -> Any:
    """The signed-in employee's own page: profile, box and its meaning, eligibility for the
    next level with what would make them eligible, development plan, succession lists."""
    view = talent.own_view(
        database(), recorder=recorder("own_view (pages)"), reference_date=now().date()
    )
    pack = screening.load_published(database(), digest=view.plan.pack_digest)
    box = view.box["number"] if view.box else None
    grid = charts.nine_box(
        pack.derived.nine_box,
        counts={},
        names={},
        link=lambda _number: "#kotak",
        selected=box,
    )
    return render_template(
        "talent/own.html", view=view, plan=view.plan, grid=grid, kinds=KINDS, statuses=STATUSES
    )
