"""In Chromium: the talent pages (talent map, a box, data quality, a development plan with
HR recording an activity) and the employee's own page, each with no serious or critical
axe-core violation, in both languages; each page is screenshotted into /tmp."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.api.conftest import NOW, World
from tests.pages.conftest import PASSWORD, LiveSite, _serve, chromium_missing
from tests.support.browser import axe_violations, browser_sign_in
from tests.support.talent import add_known
from workflow import talent
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username
from workflow.models import Assessment, AssessmentScore, PerformanceRating

pytestmark = pytest.mark.browser


def _prepare(db: Database, world: World) -> None:
    """Known boxes in the province, the employee user's own record rated and assessed (box 9),
    and a talent map of the province."""
    add_known(db, tenant_id=world.tenant_id["province"])
    own = world.own_employee_id["province"]
    with db.transaction() as session:
        session.add_all(
            [
                PerformanceRating(employee_id=own, year=2024, predicate="Sangat Baik"),
                PerformanceRating(employee_id=own, year=2025, predicate="Sangat Baik"),
                Assessment(
                    employee_id=own,
                    assessed_on=dt.date(2025, 8, 1),
                    method="assessment_center",
                    jpm=Decimal("86.00"),
                    potential="tinggi",
                    scores=[
                        AssessmentScore(competency="integritas", level=5),
                        AssessmentScore(competency="kerja_sama", level=3),
                    ],
                ),
            ]
        )
    with db.read() as session:
        hr = actor_by_username(session, "province.hr")
    talent.run_talent_map(db, actor=hr, now=NOW)


@pytest.fixture(scope="module")
def talent_site(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveSite]:
    """The live site with a mapped province."""
    if chromium_missing():
        pytest.skip("Chromium is not installed")
    yield from _serve(sqlite_template, tmp_path_factory.mktemp("talent"), _prepare)


def test_hr_reads_the_map_opens_a_box_and_records_an_activity(
    page: Page, talent_site: LiveSite
) -> None:
    url = talent_site.url
    browser_sign_in(page, url, "province.hr", PASSWORD)
    page.get_by_role("link", name="Peta talenta").click()
    expect(page.get_by_role("heading", name="Peta talenta")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/talent-map.png", full_page=True)
    page.get_by_role("link", name="kotak 9: 3").click()
    expect(page.get_by_role("heading", name="Kotak 9")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/talent-box.png", full_page=True)
    page.get_by_role("link", name="Buka").first.click()
    expect(page.get_by_role("heading", name="Rekomendasi pengembangan")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Pelatihan selesai").check()
    page.get_by_label("Kegiatan yang dilakukan").fill("Pelatihan Kepemimpinan Administrator")
    page.get_by_label("Tanggal").fill("2026-02-10")
    page.get_by_label("Jam pelajaran").fill("120")
    page.get_by_label("Kompetensi yang dikembangkan").select_option("integritas")
    page.get_by_label("Pelatihan kepemimpinan yang diselesaikan").select_option("PKA")
    page.get_by_role("button", name="Catat kegiatan").click()
    expect(page.get_by_text("Kegiatan pengembangan sudah dicatat.")).to_be_visible()
    expect(page.locator("table").last).to_contain_text("Pelatihan Kepemimpinan Administrator")
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/talent-development.png", full_page=True)
    page.get_by_role("button", name="Catat kegiatan").click()  # empty: errors beside fields
    expect(page.get_by_role("alert").first).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{url}/talenta/kualitas-data")
    expect(page.get_by_role("heading", name="Data yang perlu dilengkapi · 36.00")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/talent-quality.png", full_page=True)


def test_bkn_sees_every_agency_data_quality(page: Page, talent_site: LiveSite) -> None:
    browser_sign_in(page, talent_site.url, "national.national_reviewer", PASSWORD)
    page.goto(f"{talent_site.url}/talenta/kualitas-data")
    expect(page.locator("table")).to_contain_text("36.00")
    expect(page.locator("table")).to_contain_text("36.73")
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/talent-quality-bkn.png", full_page=True)
    page.goto(f"{talent_site.url}/talenta?instansi=36.00")
    expect(page.get_by_role("button", name="Petakan sekarang")).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["Bahasa Indonesia", "English"])
def test_the_employee_reads_their_own_page(
    page: Page, talent_site: LiveSite, language: str
) -> None:
    url = talent_site.url
    page.goto(f"{url}/masuk")
    page.get_by_label("Nama pengguna").fill("province.employee")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{url}/saya")
    page.get_by_role("button", name=language).click()
    heading = "Profil saya" if language == "Bahasa Indonesia" else "My profile"
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("svg")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=f"/tmp/talent-own-{language[:2].lower()}.png", full_page=True)
    page.goto(f"{url}/talenta")
    assert "403" in page.title() or page.locator("h1").inner_text() != heading
