"""The application factory: settings, database, API blueprints, error handling, CLI."""

from __future__ import annotations

from flask import Flask

from api import cli, health
from api.errors import ProblemApi, register_error_handlers
from api.logging import configure_logging
from api.state import AppState, init_state
from config import Settings
from workflow.db import check_durability, connect


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; nothing starts (threads, schedulers, rule hosts) until used.

    :raises config.ConfigurationError: the environment describes an unsafe configuration.
    :raises workflow.errors.DatabaseMisconfigured: the database runs with unsafe durability
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

    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        API_TITLE="Meritflow",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        TESTING=settings.app_env == "test",
    )
    init_state(app, AppState(settings=settings, db=database))

    api = ProblemApi(app)
    api.register_blueprint(health.blp)
    register_error_handlers(app)
    cli.register(app)
    return app
