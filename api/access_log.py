"""The personal-data access log, for auditors and administrators, scoped to their agencies."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api.auth import current_actor, requires
from api.pagination import LINK_HEADER, page_of, page_request, paged
from api.schemas.access_log import AccessQuery, AccessRead
from api.state import db
from workflow.identity import AccessFilter, list_accesses
from workflow.models import Role

blp = Blueprint("access_log", __name__, description="Who was shown whose personal data")


@blp.route("/access-log")
@requires(Role.AUDITOR, Role.ADMIN)
@blp.arguments(AccessQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(AccessRead), headers=LINK_HEADER)
def list_access_log(**args: Any) -> Any:
    """List personal-data accesses to employees of the caller's agencies, newest first."""
    page = page_request(args)
    where = AccessFilter(**args)
    return paged(list_accesses(db(), actor=current_actor(), where=where, page=page))
