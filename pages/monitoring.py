"""BKN's monitoring dashboard: per agency, its vacancies by state and its overdue and escalated
steps as bars, its 9-box distribution as a small grid, and the deviations from rank 1 with their
justifications. National reviewers and auditors read it (auditors of an agency: their own);
it changes nothing."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from pages import oversight_charts as charts
from pages.i18n import STATES, language
from pages.oversight_forms import MonitoringFilterForm
from pages.web import bp, current_actor, database, now, page_request, signed_in
from workflow import registry, vacancies
from workflow.core import PageRequest
from workflow.models import Role

MONITORS = (Role.NATIONAL_REVIEWER, Role.AUDITOR)
AGENCIES_PER_PAGE = 10
DEVIATIONS_PER_PAGE = 20
DEVIATION_PAGE = "hal_penyimpangan"
"""The query parameter of the deviations' page (``page`` pages the agencies)."""
MAX_AGENCIES_LISTED = 100
"""Agencies offered in the filter (Banten has nine; a national deployment would need a search)."""


def agency_choices(label_all: str) -> list[tuple[str, str]]:
    """Return the agencies the user may read as select choices, "every agency" first."""
    tenants = registry.list_tenants(
        database(), actor=current_actor(), page=PageRequest(page=1, per_page=MAX_AGENCIES_LISTED)
    )
    return [("", label_all)] + [(t.code, f"{t.code} · {t.name}") for t in tenants.items]


def _deviation_page() -> PageRequest:
    raw = request.args.get(DEVIATION_PAGE, "1")
    number = int(raw) if raw.isdigit() and 0 < len(raw) <= 6 else 1
    return PageRequest(page=max(1, number), per_page=DEVIATIONS_PER_PAGE)


def _status_bars(status: vacancies.Dashboard, scale: int) -> dict[str, charts.Bars]:
    """Return each agency's bars: its vacancies per state (workflow order), overdue, escalated."""
    drawn = {}
    for agency in status.status.items:
        rows = [
            (str(STATES.get(state, state)), agency.by_state[state], "state")
            for state in STATES
            if agency.by_state.get(state)
        ]
        rows.append((_("Overdue steps"), agency.overdue, "overdue"))
        rows.append((_("Escalated steps"), agency.escalated, "escalated"))
        drawn[agency.agency] = charts.bars(rows, scale=scale)
    return drawn


@bp.route("/pemantauan")
@signed_in(*MONITORS)
def monitoring() -> Any:
    """The dashboard, filtered by agency (and the period of decisions and screenings)."""
    form = MonitoringFilterForm(formdata=request.args)
    form.instansi.choices = agency_choices(_("Every agency"))
    form.validate()
    since, until = form.period() if not (form.dari.errors or form.sampai.errors) else (None, None)
    found = vacancies.dashboard(
        database(),
        actor=current_actor(),
        where=vacancies.MonitoringFilter(
            agency_code=form.valid("instansi"), since=since, until=until
        ),
        agencies=page_request(AGENCIES_PER_PAGE),
        deviation_page=_deviation_page(),
        now=now(),
    )
    scale = max(
        [
            count
            for agency in found.status.items
            for count in (*agency.by_state.values(), agency.overdue, agency.escalated)
        ]
        or [1]
    )
    grids = {
        box.agency: charts.mini_grid(box.boxes, language=language()) for box in found.nine_box.items
    }
    return render_template(
        "oversight/monitoring.html",
        form=form,
        dashboard=found,
        bars=_status_bars(found, scale),
        grids=grids,
        boxes={box.agency: box for box in found.nine_box.items},
        deviation_param=DEVIATION_PAGE,
    )
