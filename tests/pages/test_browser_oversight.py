"""In Chromium: BKN's monitoring dashboard, the auditor's audit trail (filter, open an entry and
its predecessor, verify the chains, replay a screening) and the access log, each signed in as
the right demo user, with no serious or critical axe-core violation, in Indonesian (no English
message id left) and in English; another role gets the 403 page, another agency's entry the 404
page; a ledger row tampered with in SQL shows as the broken link on the verify page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update

from bench.pool import pool
from tests.api.conftest import World
from tests.pages.conftest import PASSWORD, LiveSite, _serve, chromium_missing
from tests.pages.test_browser_vacancy import ENGLISH_IDS
from tests.support.browser import axe_violations, browser_sign_in
from tests.support.screening import publish_overlay, screen_province_vacancy
from tests.support.tamper import rewrite_body
from workflow.core.db import Database
from workflow.models import Vacancy

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")
JUSTIFICATION = "Pengalaman pengelolaan keuangan daerah lebih relevan."


def _prepare(db: Database, world: World) -> None:
    """A screened province vacancy, the kota-serang overlay published, a city deviation."""
    publish_overlay(db)
    world.vacancy_id["screened"] = screen_province_vacancy(
        db, world, profiles=pool(16, seed=1)
    ).vacancy_id
    with db.transaction() as session:
        session.execute(
            update(Vacancy)
            .where(Vacancy.id == world.vacancy_id["city"])
            .values(deviation=True, selected_rank=2, justification=JUSTIFICATION)
        )


@pytest.fixture(scope="module")
def site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The live site with a screened vacancy, a second pack and a deviation."""
    if chromium_missing():
        pytest.skip("browser leg skipped: no Chromium at /usr/bin/chromium")
    yield from _serve(sqlite_template, tmp_path_factory.mktemp("oversight"), _prepare)


def person(browser: Browser, site: LiveSite, username: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    browser_sign_in(tab, site.url, username, PASSWORD)
    return tab


def checked(page: Page, name: str) -> None:
    """No serious/critical axe violation, no English message id left; a screenshot to look at."""
    assert axe_violations(page) == [], name
    text = page.inner_text("body")
    assert [m for m in ENGLISH_IDS if m in text] == [], name
    page.screenshot(path=str(SHOTS / f"oversight-{name}.png"), full_page=True)


def test_bkn_monitors_every_agency_and_filters_one(chromium: Browser, site: LiveSite) -> None:
    reviewer = person(chromium, site, "national.national_reviewer")
    reviewer.get_by_role("link", name="Pemantauan").click()
    expect(reviewer.get_by_role("heading", name="Pemantauan instansi")).to_be_visible()
    expect(reviewer.locator("section.agency")).to_have_count(3)
    expect(reviewer.locator("table.mini-ninebox").first).to_be_visible()
    expect(reviewer.get_by_text(JUSTIFICATION)).to_be_visible()
    checked(reviewer, "monitoring")
    reviewer.get_by_label("Instansi").select_option("36.73")
    reviewer.get_by_role("button", name="Tampilkan").click()
    expect(reviewer.locator("section.agency")).to_have_count(1)
    expect(reviewer.locator("section.agency h3")).to_contain_text("36.73")
    reviewer.get_by_role("link", name="Kepala Bagian Umum (city)").click()
    expect(reviewer.locator("dl.summary-list")).to_contain_text("Menyimpang dari peringkat 1")
    reviewer.go_back()
    reviewer.get_by_role("button", name="English").click()
    expect(reviewer.get_by_role("heading", name="Monitoring the agencies")).to_be_visible()
    assert axe_violations(reviewer) == []
    reviewer.set_viewport_size({"width": 375, "height": 800})
    reviewer.goto(f"{site.url}/pemantauan")
    assert reviewer.evaluate("document.documentElement.scrollWidth") <= 376
    reviewer.screenshot(path=str(SHOTS / "oversight-monitoring-phone-en.png"), full_page=True)


def test_the_auditor_filters_the_trail_opens_an_entry_and_replays(
    chromium: Browser, site: LiveSite
) -> None:
    auditor = person(chromium, site, "province.auditor")
    auditor.get_by_role("link", name="Jejak audit").click()
    expect(auditor.get_by_role("heading", name="Jejak audit", exact=True)).to_be_visible()
    checked(auditor, "ledger")
    auditor.get_by_label("Jenis catatan").select_option("screening.result")
    auditor.get_by_role("button", name="Tampilkan").click()
    expect(auditor.get_by_text("Ditemukan 1 catatan.")).to_be_visible()
    auditor.locator("a[href^='/jejak-audit/36.00/']").first.click()
    expect(auditor.get_by_role("heading", name="Isi kanonik")).to_be_visible()
    expect(auditor.get_by_text("SHA-256 isi di bawah cocok")).to_be_visible()
    expect(auditor.locator("pre.canonical").first).to_contain_text('"kind": "screening.result"')
    checked(auditor, "entry")
    heading = auditor.locator("h1").inner_text()
    auditor.get_by_role("link", name="Catatan sebelumnya,").click()
    expect(auditor.locator("h1")).not_to_have_text(heading)

    auditor.goto(f"{site.url}/jejak-audit")
    auditor.get_by_role("link", name="Ulangi seleksi").click()
    auditor.get_by_label("Nomor lowongan").fill(str(site.world.vacancy_id["screened"]))
    auditor.get_by_role("button", name="Ulangi", exact=True).click()
    expect(auditor.get_by_role("heading", name="Hasil sama persis")).to_be_visible()
    checked(auditor, "replay-reproduced")
    option = auditor.locator("#paket option", has_text="kota-serang")
    auditor.get_by_label("Paket aturan").select_option(option.get_attribute("value"))
    auditor.get_by_role("button", name="Ulangi", exact=True).click()
    expect(auditor.get_by_role("heading", name="Dengan paket lain")).to_be_visible()
    expect(auditor.locator("table.changes")).to_contain_text("tidak lagi memenuhi syarat")
    checked(auditor, "replay-counterfactual")

    city = person(chromium, site, "city.auditor")
    response = city.goto(f"{site.url}/jejak-audit/36.00/1")
    assert response is not None
    assert response.status == 404
    expect(city.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()
    hr = person(chromium, site, "province.hr")
    for url in ("/jejak-audit", "/log-akses", "/pemantauan"):
        response = hr.goto(f"{site.url}{url}")
        assert response is not None
        assert response.status == 403
        expect(hr.get_by_role("heading", name="Tidak diizinkan")).to_be_visible()
    assert axe_violations(hr) == []


def test_the_access_log_names_who_read_whose_data(chromium: Browser, site: LiveSite) -> None:
    hr = person(chromium, site, "province.hr")
    hr.goto(f"{site.url}/pegawai/{site.world.employee_nip['province']}")
    auditor = person(chromium, site, "province.auditor")
    auditor.get_by_role("link", name="Log akses data pribadi").click()
    expect(auditor.locator("table")).to_contain_text("province.hr")
    auditor.get_by_label("Nama pengguna").fill("province.hr")
    auditor.get_by_role("button", name="Tampilkan").click()
    expect(auditor.locator("table")).to_contain_text(str(site.world.employee_id["province"]))
    assert site.world.employee_nip["province"] not in auditor.inner_text("main table")
    checked(auditor, "access-log")
    auditor.get_by_role("button", name="English").click()
    expect(auditor.get_by_role("heading", name="Access log")).to_be_visible()
    assert axe_violations(auditor) == []


def test_a_tampered_row_shows_as_the_broken_link(chromium: Browser, site: LiveSite) -> None:
    auditor = person(chromium, site, "province.auditor")
    auditor.goto(f"{site.url}/jejak-audit")
    auditor.get_by_role("link", name="Verifikasi rantai").click()
    auditor.get_by_role("button", name="Verifikasi sekarang").click()
    expect(auditor.get_by_role("status")).to_contain_text("Semua rantai terverifikasi")
    checked(auditor, "verify-ok")
    rewrite_body(site.db, tenant_id=site.world.tenant_id["province"], seq=2)
    auditor.get_by_role("button", name="Verifikasi sekarang").click()
    expect(auditor.get_by_role("alert")).to_contain_text("Ada rantai yang tidak terverifikasi")
    expect(auditor.locator("table")).to_contain_text("putus")
    checked(auditor, "verify-broken")
    auditor.get_by_role("link", name="catatan 2").click()
    expect(auditor.get_by_text("SHA-256 isi di bawah tidak cocok")).to_be_visible()
    checked(auditor, "entry-tampered")
    auditor.get_by_role("button", name="English").click()
    auditor.goto(f"{site.url}/jejak-audit/verifikasi")
    auditor.get_by_role("button", name="Verify now").click()
    expect(auditor.get_by_role("alert")).to_contain_text("A chain does not verify")
    assert axe_violations(auditor) == []
