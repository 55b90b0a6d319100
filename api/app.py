"""The application factory: settings, database, API blueprints, error handling, CLI."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import structlog
from flask import Flask, request

from api import (
    access_log,
    cli,
    converters,
    docs,
    health,
    imports,
    ledger,
    metrics,
    monitoring,
    registry,
    requests,
    screening,
    talent,
    users,
    vacancies,
)
from api.auth import SECURITY_SCHEME
from api.errors import ProblemApi, register_error_handlers
from api.logging import configure_logging
from api.state import AppState, init_state
from config import Settings
from workflow.core import check_durability, connect

log = structlog.get_logger(__name__)

API_PREFIX = "/api/v1"
API_DESCRIPTION = (
    "Merit-based promotion decisions for Indonesia's civil service. Every `/api/v1` operation "
    "needs `Authorization: Bearer <token>`; every error is `application/problem+json`; lists "
    "take `page` and `per_page` and answer an envelope with `total` and a `Link` header. "
    "See docs/api.md."
)

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


class Meritflow(Flask):
    """Flask with unhandled exceptions logged once, as a structured event."""

    def log_exception(self, exc_info: _ExcInfo) -> None:
        """Log an unhandled exception with its traceback (the client sees a generic 500)."""
        log.error(
            "unhandled_exception", method=request.method, path=request.path, exc_info=exc_info
        )


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; nothing starts (threads, schedulers, rule hosts) until used.

    :raises config.ConfigurationError: the environment describes an unsafe configuration.
    :raises workflow.core.errors.DatabaseMisconfigured: the database runs with unsafe durability
        settings (checked at start-up; reliability T8).
    """
    settings = (settings or Settings.from_env()).validate()
    configure_logging(settings)
    if settings.is_sqlite:
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    database = connect(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.db_pool_size,
    )
    check_durability(database, forbid_superuser=settings.is_production)

    app = Meritflow(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        API_TITLE="Meritflow",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=docs.ASSETS_URL,
        OPENAPI_SWAGGER_UI_CONFIG={"persistAuthorization": False},
        API_SPEC_OPTIONS={"info": {"description": API_DESCRIPTION}},
        TESTING=settings.app_env == "test",
    )
    init_state(app, AppState(settings=settings, db=database))
    requests.init_app(app)
    metrics.init_app(app)

    converters.install(app.url_map)
    api = ProblemApi(app)
    for converter, schema in converters.CONVERTERS.values():
        api.register_converter(converter, _fixed(schema))
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {"type": "http", "scheme": "bearer", "description": "A token from `tokens issue`"},
    )
    api.register_blueprint(health.blp)
    api.register_blueprint(metrics.blp)
    for blueprint in (
        registry.blp,
        imports.blp,
        users.blp,
        access_log.blp,
        vacancies.blp,
        screening.blp,
        screening.packs_blp,
        ledger.blp,
        monitoring.blp,
        talent.blp,
    ):
        api.register_blueprint(blueprint, url_prefix=API_PREFIX)
    app.register_blueprint(docs.blp)
    register_error_handlers(app)
    cli.register(app)
    return app


def _fixed(schema: dict[str, Any]) -> Any:
    return lambda _converter: dict(schema)
