"""Delegating a role to a colleague while away (recorded in the agency's ledger)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, render_template
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from pages.forms import DelegationForm
from pages.i18n import ROLES, TIME_ZONE
from pages.web import bp, current_actor, database, now, redirect_to, signed_in
from pages.workflow_words import Refusal, refusal_of
from workflow.core import InvalidInput, NotFound
from workflow.identity import create_delegation
from workflow.models import Role

DELEGABLE = (Role.HR, Role.COMMITTEE, Role.AUTHORITY)


@bp.route("/delegasi", methods=["GET", "POST"])
@signed_in(*DELEGABLE)
def delegations() -> Any:
    """Let a colleague of the same agency act for the user in one of their roles, until a date."""
    actor = current_actor()
    form = DelegationForm()
    form.role.choices = [
        SelectChoice(role.value, str(ROLES[role.value]))
        for role in DELEGABLE
        if role.value in actor.roles
    ]
    refusal: Refusal | None = None
    status = 200
    if form.validate_on_submit():
        moment = now()
        ends = dt.datetime.combine(form.ends_on.data, dt.time(23, 59), tzinfo=TIME_ZONE)
        try:
            create_delegation(
                database(),
                actor=actor,
                delegate_username=form.delegate.data.strip(),
                role=form.role.data,
                starts_at=moment,
                ends_at=ends.astimezone(dt.UTC),
                reason=form.reason.data,
                now=moment,
            )
        except NotFound:
            form.delegate.errors = [*form.delegate.errors, _("No such colleague in your agency.")]
            status = 422
        except InvalidInput as exc:
            refusal = refusal_of(exc, reload="")
            status = 422
        else:
            flash(_("The delegation is recorded."))
            return redirect_to("pages.inbox")
    elif form.is_submitted():
        status = 422
    return render_template("delegations.html", form=form, refusal=refusal), status
