"""The personal-data access log for auditors (UU PDP Art. 31): who was shown whose personal
data, when, through which page or endpoint and why; filtered and paginated.

The page shows no more personal data than the log itself holds: the employee by internal id
(filtering by a NIP is possible, but the NIP is not listed), the user by username.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from pages.oversight_forms import AccessFilterForm
from pages.web import bp, current_actor, database, page_request, signed_in
from workflow.identity import AccessFilter, list_accesses
from workflow.models import Role

ACCESS_READERS = (Role.AUDITOR, Role.ADMIN)
"""Who reads the access log (as the API's ``/access-log``)."""
ACCESSES_PER_PAGE = 50


@bp.route("/log-akses")
@signed_in(*ACCESS_READERS)
def access_log() -> Any:
    """List accesses to personal data of the user's agencies, newest first."""
    form = AccessFilterForm(formdata=request.args)
    form.validate()
    since, until = form.period() if not (form.dari.errors or form.sampai.errors) else (None, None)
    username = form.valid("pengguna")
    found = list_accesses(
        database(),
        actor=current_actor(),
        where=AccessFilter(
            employee_id=form.pegawai.number() if not form.pegawai.errors else None,
            nip=form.valid("nip"),
            username=username.strip() if isinstance(username, str) and username.strip() else None,
            since=since,
            until=until,
        ),
        page=page_request(ACCESSES_PER_PAGE),
    )
    return render_template("oversight/access_log.html", form=form, page=found)
