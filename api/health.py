"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

import structlog
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.errors import DATABASE_RETRY_AFTER_SECONDS, problem
from api.state import db
from workflow.core import schema_heads, schema_revision

log = structlog.get_logger(__name__)

blp = Blueprint("health", __name__, description="Process and database health")


class HealthRead(Schema):
    """The process answers."""

    status = fields.String(required=True, metadata={"example": "ok"})


class ReadyRead(Schema):
    """The database answers and its schema is at the newest migration."""

    status = fields.String(required=True)
    database = fields.String(required=True)
    migrations = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


@blp.route("/healthz")
@blp.response(200, HealthRead)
def healthz() -> dict[str, str]:
    """Report that the process is up (no dependencies are checked)."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, ReadyRead)
@blp.alt_response(503, description="Database unreachable or schema not at the newest migration")
def readyz() -> Any:
    """Report whether the database is reachable and migrated to the newest revision."""
    database = db()
    try:
        with database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current, heads = schema_revision(database), schema_heads()
    except SQLAlchemyError as exc:
        log.warning("readiness_failed", error=type(exc).__name__)
        return problem(
            503,
            "Service Unavailable",
            "The database cannot be reached.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
            reason="database_unavailable",
        )
    migrations = {"current": list(current), "head": list(heads)}
    if set(current) != set(heads):
        return problem(
            503,
            "Service Unavailable",
            "The database schema is not at the newest migration; "
            "run `flask --app wsgi db upgrade`.",
            readiness="migrations_pending",
            migrations=migrations,
        )
    return {"status": "ok", "database": database.engine.dialect.name, "migrations": migrations}
