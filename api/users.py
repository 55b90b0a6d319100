"""The caller's identity, and agency administrators managing their agency's users."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from werkzeug.exceptions import PreconditionRequired

from api.auth import current_actor, requires
from api.pagination import LINK_HEADER, PageQuery, page_of, page_request, paged
from api.requests import json_only
from api.schemas.users import MeRead, UserCreate, UserRead, UserUpdate
from api.state import db
from workflow import identity
from workflow.core import Actor
from workflow.models import Role

blp = Blueprint("users", __name__, description="Who am I; users of the caller's agency")

ETAG_HEADER = {"ETag": {"description": "The user's entity tag", "schema": {"type": "string"}}}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag of the user as last read (412 if it changed since, 428 if absent)",
    "schema": {"type": "string", "minLength": 1},
}


@blp.route("/me")
@requires()
@blp.response(200, MeRead)
def me() -> Actor:
    """Show who the caller is: agency, roles, and whether they read every agency."""
    return current_actor()


@blp.route("/users")
@requires(Role.ADMIN)
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(UserRead), headers=LINK_HEADER)
def list_users(**args: Any) -> Any:
    """List the users of the agencies the caller may read."""
    return paged(identity.list_users(db(), actor=current_actor(), page=page_request(args)))


@blp.route("/users", methods=["POST"])
@requires(Role.ADMIN)
@json_only
@blp.arguments(UserCreate)
@blp.response(201, UserRead, headers=ETAG_HEADER)
@blp.alt_response(409, response="CONFLICT")
def create_user(body: dict[str, Any]) -> Any:
    """Create a user in the caller's own agency."""
    user = identity.create_agency_user(
        db(),
        actor=current_actor(),
        username=body["username"],
        display_name=body["display_name"],
        roles=body["roles"],
        employee_nip=body.get("employee_nip"),
    )
    return user, 201, {"ETag": f'"{user.etag}"'}


@blp.route("/users/<id:user_id>")
@requires(Role.ADMIN)
@blp.response(200, UserRead, headers=ETAG_HEADER)
@blp.alt_response(404, response="NOT_FOUND")
def get_user(user_id: int) -> Any:
    """Show one user, with its ETag for a later change."""
    user = identity.get_user(db(), actor=current_actor(), user_id=user_id)
    return user, 200, {"ETag": f'"{user.etag}"'}


@blp.route("/users/<id:user_id>", methods=["PATCH"])
@requires(Role.ADMIN)
@json_only
@blp.arguments(UserUpdate)
@blp.response(200, UserRead, headers=ETAG_HEADER)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
@blp.doc(parameters=[IF_MATCH])
def update_user(body: dict[str, Any], user_id: int) -> Any:
    """Change a user's display name, roles or active flag, if unchanged since read (If-Match)."""
    expected = request.headers.get("If-Match")
    if not expected:
        raise PreconditionRequired("Send If-Match with the ETag of the user as last read.")
    user = identity.update_user(
        db(),
        actor=current_actor(),
        user_id=user_id,
        expected_etag=expected.removeprefix("W/").strip('"'),
        changes=identity.UserChanges(
            display_name=body.get("display_name"),
            roles=body.get("roles"),
            active=body.get("active"),
        ),
    )
    return user, 200, {"ETag": f'"{user.etag}"'}
