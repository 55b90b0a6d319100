"""The national talent monitoring page: BKN and auditors only, one row per agency with its
9-box, bars and figures; in Indonesian, accessible (axe), and looked at in Chromium."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Browser

from tests.api.conftest import NOW, World
from tests.pages.conftest import PASSWORD, LiveSite, _serve, chromium_missing, sign_in
from tests.support.browser import axe_violations, browser_sign_in
from tests.support.talent import add_known
from workflow import talent
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username


def _mapped(database: Database, world: World) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    with database.read() as session:
        hr = actor_by_username(session, "province.hr")
    talent.run_talent_map(database, actor=hr, reference_date=dt.date(2026, 3, 1), now=NOW)


def test_bkn_sees_every_agency_and_others_are_refused(
    web: FlaskClient, world: World, database: Database
) -> None:
    _mapped(database, world)
    sign_in(web, "national.national_reviewer")
    page = web.get("/talenta/nasional")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Pemantauan talenta nasional" in html
    for key in ("national", "province", "city"):
        assert world.tenant_code[key] in html
    assert html.count('class="minibox"') == 1  # only the province is mapped
    assert "belum dipetakan" in html
    assert 'href="/talenta/nasional"' in html  # the menu entry
    other = web.application.test_client()
    sign_in(other, "province.hr")
    assert other.get("/talenta/nasional").status_code == 403


@pytest.fixture(scope="module")
def live_talent_site(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveSite]:
    if chromium_missing():
        pytest.skip("no Chromium")
    yield from _serve(sqlite_template, tmp_path_factory.mktemp("live"), _mapped)


@pytest.mark.browser
def test_the_page_in_chromium(chromium: Browser, live_talent_site: LiveSite) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    browser_sign_in(tab, live_talent_site.url, "national.national_reviewer", PASSWORD)
    tab.goto(f"{live_talent_site.url}/talenta/nasional")
    assert tab.get_by_role("heading", name="Pemantauan talenta nasional").is_visible()
    assert axe_violations(tab) == []
    tab.screenshot(path="/tmp/pages-talent-national.png", full_page=True)
    context.close()
