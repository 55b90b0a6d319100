"""Fixtures for the pages: a seeded app with passwords, signing in through the sign-in form,
CSRF tokens read from rendered forms, and a live server with Chromium for the browser tests."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import update
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from api import create_app
from config import Settings
from tests.api.conftest import World, seed_world
from workflow.core.db import Database, connect
from workflow.models import User

PASSWORD = "rahasia-uji-123"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_SKIP_REASON = "browser leg skipped: no Chromium at /usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# A cheap argon2id hash of the test password (the service's own parameters cost ~0.1 s per
# hash and per check, too slow for dozens of users per test); set_password is tested apart.
_CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def seed_passwords(db: Database, world: World) -> None:
    """Give every seeded user the test password."""
    with db.transaction() as session:
        session.execute(update(User).values(password_hash=_CHEAP_HASH))


@pytest.fixture
def world(database: Database) -> World:
    """The seeded world of the API tests (three agencies, a user per role, two drafts)."""
    return seed_world(database)


@pytest.fixture
def pages_app(settings: Settings, world: World, database: Database) -> Iterator[Flask]:
    """The application on the seeded database, every user with :data:`PASSWORD`."""
    seed_passwords(database, world)
    application = create_app(settings)
    yield application
    application.extensions["meritflow"].db.dispose()


@pytest.fixture
def web(pages_app: Flask) -> FlaskClient:
    """A browser-like test client of the seeded pages."""
    return pages_app.test_client()


def csrf_token(response: TestResponse) -> str:
    """Return the CSRF token of the first form on a rendered page."""
    found = _CSRF.search(response.get_data(as_text=True))
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    """Sign in through the sign-in form; return the answer to the POST."""
    token = csrf_token(client.get("/masuk"))
    return client.post(
        "/masuk", data={"username": username, "password": password, "csrf_token": token}
    )


def post_form(client: FlaskClient, page: str, action: str, **fields: Any) -> TestResponse:
    """GET ``page``, then POST ``fields`` to ``action`` with the page's CSRF token."""
    token = csrf_token(client.get(page))
    return client.post(action, data={"csrf_token": token, **fields})


# ------------------------------------------------------------------ the browser leg


@dataclass
class LiveSite:
    """A running app for the browser: its base URL, database and seeded world."""

    url: str
    db: Database
    world: World
    app: Flask


def chromium_missing() -> bool:
    """Return whether the system Chromium is absent (the browser leg is then skipped)."""
    return not CHROMIUM.exists()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no browser is downloaded)."""
    if chromium_missing():
        pytest.skip(BROWSER_SKIP_REASON)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page, laptop-sized, Indonesian."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def _serve(
    sqlite_template: Path,
    folder: Path,
    prepare: Callable[[Database, World], object] | None = None,
    *,
    eager: bool = True,
) -> Iterator[LiveSite]:
    shutil.copy(sqlite_template, folder / "meritflow.db")
    url = f"sqlite:///{folder / 'meritflow.db'}"
    db = connect(url)
    seeded = seed_world(db)
    if prepare is not None:
        prepare(db, seeded)
    seed_passwords(db, seeded)
    settings = Settings(
        app_env="test",
        database_url=url,
        instance_path=folder / "instance",
        checkpoint_dir=folder / "checkpoints",
        log_level="WARNING",
        jobs_eager=eager,
        jobs_broker_url="" if eager else "memory://",
        jobs_shard_size=5000 if eager else 20,
    )
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveSite(url=f"http://127.0.0.1:{server.server_port}", db=db, world=seeded, app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["meritflow"].db.dispose()
        db.dispose()


@pytest.fixture(scope="module")
def live_site(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveSite]:
    """Serve the app on a free port from a background thread, on a scratch SQLite database
    seeded with the small world (every user with :data:`PASSWORD`)."""
    if chromium_missing():
        pytest.skip(BROWSER_SKIP_REASON)
    yield from _serve(sqlite_template, tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="module")
def live_vacancy_site(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveSite]:
    """The live site with a screenable pool in the province and its extra committee members
    (one of them a shortlisted candidate), as the API's end-to-end test seeds them."""
    if chromium_missing():
        pytest.skip(BROWSER_SKIP_REASON)
    from tests.api.test_e2e_vacancy import seed_candidates

    yield from _serve(sqlite_template, tmp_path_factory.mktemp("live"), seed_candidates)


@pytest.fixture(scope="module")
def live_queued_site(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveSite]:
    """The live vacancy site with a job queue no worker serves (the test runs the shards), so
    a screening stays in progress until the test lets it finish."""
    if chromium_missing():
        pytest.skip(BROWSER_SKIP_REASON)
    from tests.api.test_e2e_vacancy import seed_candidates

    yield from _serve(
        sqlite_template, tmp_path_factory.mktemp("live"), seed_candidates, eager=False
    )
