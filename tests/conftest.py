"""Shared fixtures: every database test runs on SQLite and, with TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import workflow.models
from api import create_app
from config import Settings, environment_value
from workflow.core import migrate
from workflow.core.db import Database, connect

TEST_DATABASE_URL = environment_value("TEST_DATABASE_URL")
BACKENDS = ("sqlite", "postgresql")
_PG_SKIP_REASON = "PostgreSQL leg skipped: TEST_DATABASE_URL is not set"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file copied for each test (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = connect(f"sqlite:///{path}")
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database private to this test worker, dropped at the end."""
    if not TEST_DATABASE_URL:
        pytest.skip(_PG_SKIP_REASON)
    server = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
    name = f"meritflow_test_{_worker()}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    db = connect(url)
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in workflow.models.Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        # replica role: the ledger's append-only triggers must not stop a test reset
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a migrated, empty database: one SQLite copy, or the worker's PostgreSQL one."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "meritflow.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    db = connect(url)
    try:
        _truncate_all(db)
    finally:
        db.dispose()
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A :class:`Database` on a migrated, empty schema, on each backend."""
    db = connect(database_url)
    yield db
    db.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Test settings pointing at the test database and a private instance folder."""
    return Settings(
        app_env="test",
        database_url=database_url,
        instance_path=tmp_path / "instance",
        checkpoint_dir=tmp_path / "checkpoints",
        log_level="WARNING",
        jobs_eager=True,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The application on the test database."""
    application = create_app(settings)
    yield application
    application.extensions["meritflow"].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for ``app``."""
    return app.test_cli_runner()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly whether the PostgreSQL leg and the browser leg ran."""
    _browser_summary(terminalreporter)
    if TEST_DATABASE_URL:
        host = make_url(TEST_DATABASE_URL).render_as_string(hide_password=True)
        terminalreporter.write_line(f"PostgreSQL leg: ran against {host}")
    else:
        skipped = [
            r
            for r in terminalreporter.stats.get("skipped", [])
            if _PG_SKIP_REASON in str(getattr(r, "longrepr", ""))
        ]
        terminalreporter.write_line(
            f"PostgreSQL leg: SKIPPED ({len(skipped)} tests) because TEST_DATABASE_URL is not set",
            yellow=True,
        )


def _browser_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if Path("/usr/bin/chromium").exists():
        terminalreporter.write_line("browser leg: ran with /usr/bin/chromium")
    else:
        terminalreporter.write_line("browser leg: SKIPPED (no Chromium)", yellow=True)
