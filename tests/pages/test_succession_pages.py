"""Succession-group pages: HR proposes, the proposer cannot approve (the refusal shows its rule),
a stale form is refused, the authority returns with a reason and approves; in Chromium with axe."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Browser

from tests.api.conftest import NOW, World
from tests.pages.conftest import PASSWORD, LiveSite, _serve, chromium_missing, sign_in
from tests.pages.test_vacancy_pages import hidden_fields
from tests.support.browser import axe_violations, browser_sign_in
from tests.support.talent import add_known
from tests.workflow.talent.test_groups import key_position, recorder_of
from workflow import talent
from workflow.core.db import Database


def _draft(database: Database, world: World) -> int:
    add_known(database, tenant_id=world.tenant_id["province"])
    position = key_position(database, world.tenant_id["province"])
    detail = talent.create_group(
        database,
        recorder=recorder_of(database, "province.hr"),
        position_id=position,
        year=2026,
        pack="bkn-national",
        reference_date=dt.date(2026, 3, 1),
        now=NOW,
    )
    return detail.group.id


def post_form(client: FlaskClient, page: str, action: str, **fields: str) -> Any:
    """GET the group page, then POST the action's form with its hidden fields and ``fields``."""
    name = action.rsplit("/", 1)[1]
    data = hidden_fields(client.get(page), name)
    data.update(fields)
    return client.post(action, data=data)


def _client(web: FlaskClient, username: str) -> FlaskClient:
    client = web.application.test_client()
    sign_in(client, username)
    return client


def test_propose_return_and_approve_through_the_pages(
    web: FlaskClient, world: World, database: Database
) -> None:
    group = _draft(database, world)
    page = f"/talenta/suksesi/{group}"
    hr = _client(web, "province.hr")
    listed = hr.get("/talenta/suksesi").get_data(as_text=True)
    assert page in listed
    assert "konsep" in listed
    shown = hr.get(page).get_data(as_text=True)
    assert "Suksesor menurut peringkat" in shown
    assert "Usulkan kepada PPK" in shown
    proposed = post_form(hr, page, f"{page}/aksi/propose")
    assert proposed.status_code == 303
    assert "diusulkan kepada PPK" in hr.get(page).get_data(as_text=True)
    stale = hr.post(f"{page}/aksi/propose", data={"propose-version": "1", "propose-key": "k"})
    assert stale.status_code in (400, 409, 422)
    boss = _client(web, "province.authority")
    empty = post_form(boss, page, f"{page}/aksi/return")
    assert empty.status_code == 422
    returned = post_form(boss, page, f"{page}/aksi/return", **{"return-reason": "Tambah calon"})
    assert returned.status_code == 303
    again = hr.get(page).get_data(as_text=True)
    assert "Tambah calon" in again
    assert post_form(hr, page, f"{page}/aksi/propose").status_code == 303
    approved = post_form(boss, page, f"{page}/aksi/approve")
    assert approved.status_code == 303
    final = boss.get(page).get_data(as_text=True)
    assert "berlaku" in final
    assert not re.search(r'action="[^"]*/aksi/', final)  # an approved group offers no form
    city = _client(web, "city.hr")
    assert city.get(page).status_code == 404


@pytest.fixture(scope="module")
def live_group_site(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveSite]:
    if chromium_missing():
        pytest.skip("no Chromium")
    yield from _serve(sqlite_template, tmp_path_factory.mktemp("live"), _draft)


@pytest.mark.browser
def test_the_group_page_in_chromium(chromium: Browser, live_group_site: LiveSite) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    browser_sign_in(tab, live_group_site.url, "province.hr", PASSWORD)
    tab.goto(f"{live_group_site.url}/talenta/suksesi")
    assert axe_violations(tab) == []
    tab.screenshot(path="/tmp/pages-succession-list.png", full_page=True)
    tab.get_by_role("link", name="Kepala Biro Keuangan").first.click()
    assert axe_violations(tab) == []
    tab.get_by_role("button", name="Usulkan kepada PPK").click()
    assert tab.get_by_text("diusulkan kepada PPK").first.is_visible()
    tab.screenshot(path="/tmp/pages-succession-group.png", full_page=True)
    context.close()
