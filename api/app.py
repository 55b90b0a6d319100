"""The application factory: settings, database, API blueprints, error handling, CLI."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

import structlog
from flask import Flask, request

from api import (
    access_log,
    admission,
    bodies,
    cli,
    converters,
    development,
    docs,
    health,
    imports,
    jobs,
    ledger,
    metrics,
    monitoring,
    registry,
    requests,
    screening,
    succession,
    talent,
    users,
    vacancies,
)
from api.auth import SECURITY_SCHEME
from api.errors import ProblemApi, register_error_handlers
from api.logging import configure_logging
from api.openapi import ContractPlugin
from api.schemas.registry_import import RegistryRowValidator
from api.state import AppState, init_state
from config import Settings
from workflow.core import UNAVAILABLE_ERRORS, Database, check_durability, connect
from workflow.jobs import make_queue

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


class DurabilityGate:
    """The durability check (reliability T8), run once the database is first reachable.

    A worker must boot while the database is down (a worker recycled during an outage would
    otherwise exit, and gunicorn would stop the whole server). So an unreachable database at
    start-up only postpones the check: every request but the liveness probe runs it until it
    has passed once, and while the database stays unreachable the request gets the 503 that
    unavailability maps to. Unsafe settings found then refuse every request with 503, as they
    refuse the start when found at start-up.
    """

    EXEMPT_ENDPOINTS = frozenset({"health.healthz", "metrics.metrics"})

    def __init__(self, database: Database, *, forbid_superuser: bool) -> None:
        self.database = database
        self.forbid_superuser = forbid_superuser
        self.passed = False
        self._lock = threading.Lock()

    def check(self) -> None:
        """Run the check unless it has passed.

        :raises workflow.core.errors.DatabaseMisconfigured: unsafe durability settings.
        :raises sqlalchemy.exc.OperationalError: the database cannot be reached.
        """
        if self.passed:
            return
        with self._lock:
            if not self.passed:
                check_durability(self.database, forbid_superuser=self.forbid_superuser)
                self.passed = True

    def check_at_start(self) -> None:
        """Run the check now if the database answers; postpone it if it cannot be reached."""
        try:
            self.check()
        except UNAVAILABLE_ERRORS as exc:
            log.warning("database_unreachable_at_start", error=type(exc).__name__)

    def before_request(self) -> None:
        """Run the check before a request that may need the database."""
        if not self.passed and request.endpoint not in self.EXEMPT_ENDPOINTS:
            self.check()


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; nothing starts (threads, schedulers, rule hosts) until used.

    The database need not be reachable: see :class:`DurabilityGate`.

    :raises config.ConfigurationError: the environment describes an unsafe configuration.
    :raises workflow.core.errors.DatabaseMisconfigured: the database runs with unsafe durability
        settings (checked at start-up when it is reachable; reliability T8).
    """
    settings = (settings or Settings.from_env()).validate()
    configure_logging(settings)
    if settings.is_sqlite:
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    database = connect(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    gate = DurabilityGate(database, forbid_superuser=settings.is_production)
    gate.check_at_start()

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
    queue = make_queue(
        database,
        broker_url=settings.broker_url,
        eager=settings.jobs_eager,
        shard_size=settings.jobs_shard_size,
        narrow=settings.screening_narrowing,
        narrow_min_pool=settings.screening_narrowing_min_pool,
        import_validator=RegistryRowValidator,
        checkpoint_dir=settings.checkpoint_dir,
    )
    init_state(app, AppState(settings=settings, db=database, jobs=queue))
    app.before_request(gate.before_request)
    app.extensions["meritflow.durability"] = gate
    if settings.app_env != "test":
        # (the test client leaves bodies it never reads open, which would hold places)
        app.wsgi_app = admission.Admission(  # type: ignore[method-assign]
            app.wsgi_app,
            limit=settings.max_concurrent_requests,
            wait_seconds=settings.admission_wait_ms / 1000,
        )
    requests.init_app(app)
    bodies.init_app(app)
    metrics.init_app(app)

    converters.install(app.url_map)
    api = ProblemApi(app, spec_kwargs={"extra_plugins": [ContractPlugin()]})
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
        succession.blp,
        development.blp,
        jobs.blp,
    ):
        api.register_blueprint(blueprint, url_prefix=API_PREFIX)
    app.register_blueprint(docs.blp)
    register_error_handlers(app)
    # The pages are a sibling adapter that reuses api's state and error table, so they are
    # imported once the api package is fully loaded.
    from pages import init_app as init_pages

    init_pages(app)
    cli.register(app)
    return app


def _fixed(schema: dict[str, Any]) -> Any:
    return lambda _converter: dict(schema)
