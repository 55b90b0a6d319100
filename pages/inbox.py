"""The front door: the sign-in page for a visitor, "tugas saya" (the inbox) once signed in."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, url_for

from pages.account import sign_in
from pages.web import bp, current_actor, database, now, page_request
from workflow import vacancies
from workflow.models import Role


@bp.route("/")
def inbox() -> Any:
    """Show the vacancies waiting on the signed-in user, soonest due first, and apart those
    waiting on a colleague who delegated a role to them ("on behalf of")."""
    if g.actor is None:
        return sign_in()
    if g.actor.roles == {Role.EMPLOYEE.value}:
        # An ASN signed in as themself has no workflow tasks: their own page is their front door.
        return redirect(url_for("pages.own_profile"))
    found = vacancies.my_tasks(database(), actor=current_actor(), page=page_request(), now=now())
    return render_template(
        "inbox.html", page=found.own, tasks=found.own.items, delegated=found.delegated
    )
