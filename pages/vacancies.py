"""A vacancy from draft to decree: open, read, act, follow the screening and the timeline."""

from __future__ import annotations

from typing import Any

from flask import render_template

from pages.web import bp, current_actor, database, signed_in
from workflow import vacancies
from workflow.models import Role

READERS = (Role.HR, Role.COMMITTEE, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)


@bp.route("/lowongan/<int:vacancy_id>")
@signed_in(*READERS)
def vacancy(vacancy_id: int) -> Any:
    """Show one vacancy: its state, what the user may do now, and its timeline."""
    found = vacancies.get_vacancy(database(), actor=current_actor(), vacancy_id=vacancy_id)
    return render_template("vacancies/vacancy.html", vacancy=found)
