"""Administering the agency's users (role admin): list and create them, change their name, roles
and whether they may sign in, set their password, issue and revoke their API tokens.

Scoped as the API is: an administrator reads the users of the agencies they may read and
changes only their own agency's; another agency's user is a 404 page. A refused change shows
its rule and reason; a token's secret is shown once, on the page that answers its issue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from pages.forms import (
    ROLE_CHOICES,
    PasswordForm,
    RevokeForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from pages.i18n import ROLES
from pages.web import bp, current_actor, database, now, page_request, redirect_to, signed_in
from pages.workflow_words import Refusal, refusal_of
from workflow import identity
from workflow.core import Conflict, InvalidInput, NotFound, WorkflowError
from workflow.models import Role


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, str(ROLES[role])) for role in ROLE_CHOICES]


def _problems_beside(form: Any, refusal: Refusal) -> None:
    """Put each problem a use case names beside its field (the rest stay in the summary)."""
    for problem in refusal.problems:
        field = getattr(form, str(problem.get("field", "")), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, str(problem.get("message", ""))]


@bp.route("/admin/pengguna")
@signed_in(Role.ADMIN)
def admin_users() -> Any:
    """List the users the administrator may read, by username."""
    page = identity.list_users(database(), actor=current_actor(), page=page_request())
    return render_template("admin/users.html", page=page)


@bp.route("/admin/pengguna/baru", methods=["GET", "POST"])
@signed_in(Role.ADMIN)
def admin_user_new() -> Any:
    """Create a user in the administrator's own agency."""
    form = UserCreateForm()
    form.roles.choices = _role_choices()
    refusal: Refusal | None = None
    status = 200
    if form.validate_on_submit():
        try:
            user = identity.create_agency_user(
                database(),
                actor=current_actor(),
                username=form.username.data.strip(),
                display_name=form.display_name.data.strip(),
                roles=form.roles.data,
                employee_nip=(form.employee_nip.data or "").strip() or None,
            )
        except Conflict:
            form.username.errors = [*form.username.errors, _("This username is taken.")]
            status = 409
        except WorkflowError as exc:
            refusal = refusal_of(exc, reload="")
            _problems_beside(form, refusal)
            status = refusal.status
        else:
            flash(_("The user is created. Set their password below."))
            return redirect_to("pages.admin_user", user_id=user.id)
    elif form.is_submitted():
        status = 422
    return render_template("admin/new.html", form=form, refusal=refusal), status


def _render_user(
    user_id: int,
    *,
    edit: UserEditForm | None = None,
    password: PasswordForm | None = None,
    token: TokenForm | None = None,
    refusal: Refusal | None = None,
    issued: identity.IssuedToken | None = None,
    status: int = 200,
) -> Any:
    actor = current_actor()
    user = identity.get_user(database(), actor=actor, user_id=user_id)
    tokens = identity.list_user_tokens(database(), actor=actor, user_id=user_id)
    if edit is None:
        edit = UserEditForm(formdata=None, prefix="edit")
        edit.etag.data = user.etag
        edit.display_name.data = user.display_name
        edit.roles.data = list(user.roles)
        edit.active.data = "yes" if user.active else "no"
    edit.roles.choices = _role_choices()
    response = make_response(
        render_template(
            "admin/user.html",
            user=user,
            tokens=tokens,
            edit=edit,
            password=password or PasswordForm(formdata=None, prefix="password"),
            token=token or TokenForm(formdata=None, prefix="token"),
            revoke=RevokeForm(formdata=None, prefix="revoke"),
            refusal=refusal,
            issued=issued,
            moment=now(),
            writable=user.tenant_code == actor.tenant_code,
        ),
        status,
    )
    if issued is not None:
        # The secret is on this page once: no cache may keep it.
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/admin/pengguna/<int:user_id>")
@signed_in(Role.ADMIN)
def admin_user(user_id: int) -> Any:
    """One user: their details, the change form, the password form and their tokens."""
    return _render_user(user_id)


def _refused(user_id: int, exc: WorkflowError, form: Any, **forms: Any) -> Any:
    if isinstance(exc, NotFound):
        raise exc
    refusal = refusal_of(exc, reload=url_for("pages.admin_user", user_id=user_id))
    if refusal.status == 409:
        refusal = Refusal(
            title=_("This user changed since you opened the page"),
            status=409,
            detail=_("Nothing was changed. Reload the page to see the user as they are now."),
            reload=url_for("pages.admin_user", user_id=user_id),
        )
    _problems_beside(form, refusal)
    return _render_user(user_id, refusal=refusal, status=refusal.status, **forms)


@bp.route("/admin/pengguna/<int:user_id>/ubah", methods=["POST"])
@signed_in(Role.ADMIN)
def admin_user_edit(user_id: int) -> Any:
    """Change a user's name, roles and active flag, if unchanged since the page was shown."""
    form = UserEditForm(prefix="edit")
    form.roles.choices = _role_choices()
    if not form.validate():
        return _render_user(user_id, edit=form, status=422)
    try:
        identity.update_user(
            database(),
            actor=current_actor(),
            user_id=user_id,
            expected_etag=form.etag.data,
            changes=identity.UserChanges(
                display_name=form.display_name.data.strip(),
                roles=form.roles.data,
                active=form.active.data == "yes",
            ),
        )
    except WorkflowError as exc:
        return _refused(user_id, exc, form, edit=form)
    flash(_("The changes are saved."))
    return redirect_to("pages.admin_user", user_id=user_id)


@bp.route("/admin/pengguna/<int:user_id>/sandi", methods=["POST"])
@signed_in(Role.ADMIN)
def admin_user_password(user_id: int) -> Any:
    """Set or reset a user's password (stored as an argon2id hash)."""
    form = PasswordForm(prefix="password")
    if not form.validate():
        return _render_user(user_id, password=form, status=422)
    try:
        identity.set_user_password(
            database(), actor=current_actor(), user_id=user_id, password=form.password.data
        )
    except InvalidInput:
        form.password.errors = [
            *form.password.errors,
            _(
                "A password has at least %(min)s and at most 256 characters.",
                min=identity.MIN_PASSWORD_LENGTH,
            ),
        ]
        return _render_user(user_id, password=form, status=422)
    except WorkflowError as exc:
        return _refused(user_id, exc, form, password=form)
    flash(_("The password is set. Tell the person through a separate channel."))
    return redirect_to("pages.admin_user", user_id=user_id)


@bp.route("/admin/pengguna/<int:user_id>/token", methods=["GET", "POST"])
@signed_in(Role.ADMIN)
def admin_token_issue(user_id: int) -> Any:
    """Issue an API token; the page that answers shows its secret once (a GET here, as after
    the address is opened again, goes back to the user's page)."""
    if request.method == "GET":
        return redirect_to("pages.admin_user", user_id=user_id)
    form = TokenForm(prefix="token")
    if not form.validate():
        return _render_user(user_id, token=form, status=422)
    moment = now()
    try:
        issued = identity.issue_user_token(
            database(),
            actor=current_actor(),
            user_id=user_id,
            name=form.name.data,
            now=moment,
            lifetime=dt.timedelta(days=int(form.days.data)),
        )
    except WorkflowError as exc:
        return _refused(user_id, exc, form, token=form)
    return _render_user(user_id, issued=issued, status=201)


@bp.route("/admin/pengguna/<int:user_id>/token/<int:token_id>/cabut", methods=["POST"])
@signed_in(Role.ADMIN)
def admin_token_revoke(user_id: int, token_id: int) -> Any:
    """Revoke one of a user's tokens."""
    form = RevokeForm(prefix="revoke")
    if not form.validate():
        return _render_user(user_id, status=422)
    try:
        revoked = identity.revoke_user_token(
            database(), actor=current_actor(), user_id=user_id, token_id=token_id, now=now()
        )
    except WorkflowError as exc:
        return _refused(user_id, exc, form)
    flash(_("The token is revoked.") if revoked else _("The token was already revoked."))
    return redirect_to("pages.admin_user", user_id=user_id)
