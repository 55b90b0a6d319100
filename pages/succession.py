"""Succession groups for HR and the authority (PPK): the list, and a group page with its ranked
successors (readiness and lacks) and the propose / approve / return forms the caller may use."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, url_for
from flask_babel import gettext as _

from api.personal_data import recorder
from pages.forms import ConfirmForm, ReasonForm
from pages.i18n import language
from pages.web import bp, current_actor, database, now, page_request, redirect_to, signed_in
from pages.workflow_words import Refusal, refusal_of
from workflow import talent
from workflow.core import NotFound, WorkflowError
from workflow.models import Role

READERS = (Role.HR, Role.AUTHORITY, Role.NATIONAL_REVIEWER, Role.AUDITOR)
FORMS: dict[str, type[ConfirmForm] | type[ReasonForm]] = {
    "propose": ConfirmForm,
    "approve": ConfirmForm,
    "return": ReasonForm,
}
"""The actions a page offers (revising the members is done through the API or the CLI)."""


def _words() -> dict[str, Any]:
    """The states' and actions' names in the page's language."""
    return {
        "group_states": {
            "draft": _("draft"),
            "proposed": _("proposed to the authority"),
            "returned": _("returned to HR"),
            "approved": _("approved"),
        },
        "group_actions": {
            "propose": _("Propose to the authority"),
            "approve": _("Approve the group"),
            "return": _("Return to HR"),
        },
    }


@bp.route("/talenta/suksesi")
@signed_in(*READERS)
def succession_groups() -> Any:
    """The succession groups of the caller's agency (BKN: every agency), newest year first."""
    page = talent.list_groups(database(), actor=current_actor(), page=page_request())
    return render_template("talent/groups.html", page=page, **_words())


def _render(
    group_id: int,
    *,
    forms: dict[str, Any] | None = None,
    refusal: Refusal | None = None,
    status: int = 200,
) -> Any:
    detail = talent.get_group(
        database(), recorder=recorder("succession group (pages)"), group_id=group_id
    )
    shown = {}
    for action in detail.actions:
        if action not in FORMS:
            continue
        form = (forms or {}).get(action) or FORMS[action](prefix=action)
        form.version.data = str(detail.group.revision)
        form.key.data = form.key.data or f"group-{group_id}-{detail.group.revision}-{action}"
        shown[action] = form
    return (
        render_template(
            "talent/group.html",
            detail=detail,
            group=detail.group,
            forms=shown,
            refusal=refusal,
            lang=language(),
            **_words(),
        ),
        status,
    )


@bp.route("/talenta/suksesi/<int:group_id>")
@signed_in(*READERS)
def succession_group(group_id: int) -> Any:
    """A group: its ranked successors with readiness and lacks, and the caller's forms."""
    return _render(group_id)


@bp.route("/talenta/suksesi/<int:group_id>/aksi/<action>", methods=["POST"])
@signed_in(Role.HR, Role.AUTHORITY)
def succession_group_act(group_id: int, action: str) -> Any:
    """Take one action with the revision the page was rendered with."""
    if action not in FORMS:
        abort(404)
    form = FORMS[action](prefix=action)
    if not form.validate():
        return _render(group_id, forms={action: form}, status=422)
    revision = str(form.version.data)
    try:
        talent.act(
            database(),
            recorder=recorder("succession group (pages)"),
            group_id=group_id,
            action=action,
            revision=int(revision) if revision.isdigit() else 0,
            now=now(),
            reason=getattr(form, "reason", None) and form.reason.data,
        )
    except WorkflowError as exc:
        if isinstance(exc, NotFound):
            raise
        reload = url_for("pages.succession_group", group_id=group_id)
        refusal = refusal_of(exc, reload=reload)
        return _render(group_id, forms={action: form}, refusal=refusal, status=refusal.status)
    return redirect_to("pages.succession_group", group_id=group_id)
