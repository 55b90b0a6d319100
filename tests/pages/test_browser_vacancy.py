"""In Chromium, through pages alone: six users carry a vacancy from draft to closed, meeting a
refused self-approval, a stale form, a conflict of interest and the authority's justified
rank-2 pick; then the auditor finds every step on the vacancy's timeline. axe-core checks every
page on the way; the vote form is walked by keyboard only; the pages are read in Indonesian
with no English message id left, and in English."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, Page, expect

from bench.pool import REFERENCE_DATE
from tests.api.test_e2e_vacancy import CANDIDATE_MEMBER
from tests.pages.conftest import PASSWORD, LiveSite
from tests.support.browser import axe_violations, browser_sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")
CATALOGUE = Path(__file__).resolve().parents[2] / "pages/translations/id/LC_MESSAGES/messages.po"


def _english_ids() -> list[str]:
    """Message ids whose Indonesian differs, long enough not to be shared words."""
    with CATALOGUE.open("rb") as po:
        catalog = read_po(po)
    return [
        str(m.id)
        for m in catalog
        if m.id and m.string and m.string != m.id and "%(" not in m.id and len(str(m.id)) > 14
    ]


ENGLISH_IDS = _english_ids()


def checked(page: Page, name: str) -> None:
    """Assert no serious/critical axe violation and no untranslated message on ``page``."""
    assert axe_violations(page) == [], name
    text = page.inner_text("body")
    leftovers = [m for m in ENGLISH_IDS if m in text]
    assert leftovers == [], name
    page.screenshot(path=str(SHOTS / f"pages-{name}.png"), full_page=True)


def person(browser: Browser, site: LiveSite, username: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    browser_sign_in(tab, site.url, username, PASSWORD)
    return tab


def card(page: Page, title: str) -> object:
    return page.locator("section.card").filter(has=page.get_by_role("heading", name=title))


def state(page: Page) -> str:
    return page.locator("dl.summary-list dd strong").first.inner_text()


def test_six_users_carry_a_vacancy_from_draft_to_closed_through_pages(
    chromium: Browser, live_vacancy_site: LiveSite
) -> None:
    site = live_vacancy_site
    code = site.world.admin_position_code["province"]

    # HR opens the vacancy with the position picker, and submits it.
    hr = person(chromium, site, "province.hr")
    hr.get_by_role("link", name="Lowongan jabatan").click()
    hr.get_by_role("link", name="Buka lowongan jabatan").click()
    hr.get_by_label("Kode atau nama jabatan").fill("umum")
    hr.get_by_role("button", name="Cari").click()
    checked(hr, "open-vacancy")
    hr.get_by_role("link", name=f"Pilih {code}").click()
    expect(hr.get_by_label("Kode jabatan")).to_have_value(code)
    hr.get_by_label("Nama lowongan jabatan").fill("Kepala Bagian Umum dan Keuangan")
    hr.get_by_label("Tanggal acuan").fill(REFERENCE_DATE.isoformat())
    hr.get_by_role("button", name="Buka lowongan").click()
    expect(hr.get_by_role("heading", name="Kepala Bagian Umum dan Keuangan")).to_be_visible()
    vacancy_url = hr.url
    checked(hr, "vacancy-draft")
    card(hr, "Ajukan").get_by_role("button", name="Ajukan").click()
    expect(hr.locator("dl.summary-list")).to_contain_text("Diajukan")

    # The submitter may not start the screening: refused, with its rule, nothing moves.
    card(hr, "Mulai seleksi").get_by_role("button", name="Mulai seleksi").click()
    expect(hr.get_by_role("alert")).to_contain_text("SOD-SUBMITTER")
    expect(hr.get_by_role("alert")).to_contain_text("Pengaju lowongan ini tidak boleh")
    checked(hr, "refused-self-approval")

    # A stale form: the second HR officer's first tab was opened before the screening started.
    hr2 = person(chromium, site, "province.all")
    hr2.goto(vacancy_url)
    second_tab = hr2.context.new_page()
    second_tab.goto(vacancy_url)
    card(second_tab, "Mulai seleksi").get_by_role("button", name="Mulai seleksi").click()
    expect(second_tab.locator("dl.summary-list")).to_contain_text("Penilaian TPK")
    card(hr2, "Batalkan").get_by_label("Alasan").fill("Jabatan akan digabung")
    card(hr2, "Batalkan").get_by_role("button", name="Batalkan").click()
    expect(hr2.get_by_role("alert")).to_contain_text("Lowongan ini berubah sejak Anda membukanya")
    checked(hr2, "stale-form")
    hr2.get_by_role("link", name="Muat ulang lowongan").click()
    assert state(hr2) == "Penilaian TPK"

    # A committee member reads the shortlist on the 9-box and one explanation.
    member = person(chromium, site, "province.committee")
    member.goto(vacancy_url)
    member.get_by_role("link", name="Baca daftar calon dan kotak talenta").click()
    expect(member.get_by_role("heading", name="Kotak talenta (matriks 9 kotak)")).to_be_visible()
    checked(member, "shortlist")
    first = member.locator("a[href*='/calon/']").first
    name = first.inner_text()
    box = first.locator("xpath=ancestor::tr/td[5]").inner_text()
    member.locator(f"svg a[href$='kotak={box}']").click()  # a box of the picture filters
    expect(member.get_by_role("heading", name=f"Calon di kotak {box}")).to_be_visible()
    member.get_by_role("link", name=name).first.click()
    expect(member.get_by_role("heading", name="Setiap kriteria")).to_be_visible()
    checked(member, "explanation")

    # The shortlisted candidate on the committee is refused a vote (conflict of interest).
    candidate = person(chromium, site, CANDIDATE_MEMBER)
    candidate.goto(vacancy_url)
    vote = card(candidate, "Beri suara")
    vote.get_by_label("Setujui daftar calon").check()
    vote.get_by_role("button", name="Beri suara").click()
    expect(candidate.get_by_role("alert")).to_contain_text("COI-CANDIDATE")

    # The member votes by keyboard alone: Tab to the choice, Space, Tab, type, Tab, Enter.
    member.goto(vacancy_url)
    member.locator("body").focus()
    for _ in range(80):
        member.keyboard.press("Tab")
        if member.evaluate("document.activeElement.id") == "vote-decision-0":
            break
    else:
        pytest.fail("the vote's first choice is not reachable by Tab")
    member.keyboard.press("Space")
    member.keyboard.press("Tab")
    assert member.evaluate("document.activeElement.id") == "vote-comment"
    member.keyboard.type("Memenuhi syarat dan layak.")
    member.keyboard.press("Tab")
    assert member.evaluate("document.activeElement.textContent").strip() == "Beri suara"
    member.keyboard.press("Enter")
    expect(member.locator("#timeline")).to_be_visible()
    member2 = person(chromium, site, "province.committee2")
    member2.goto(vacancy_url)
    card(member2, "Beri suara").get_by_label("Setujui daftar calon").check()
    card(member2, "Beri suara").get_by_role("button", name="Beri suara").click()
    expect(member2.locator("dl.summary-list")).to_contain_text("Keputusan PPK")

    # The authority picks rank 2: a justification, then "check your answer".
    authority = person(chromium, site, "province.authority")
    authority.goto(vacancy_url)
    authority.get_by_role("link", name="Pilih calon").click()
    checked(authority, "decide")
    authority.get_by_label(re.compile(r"^2\. ")).check()
    authority.get_by_role("button", name="Lanjutkan").click()
    expect(authority.get_by_role("alert")).to_contain_text("minimal 20 karakter")
    authority.get_by_label("Alasan tertulis").fill(
        "Pengalaman pengelolaan keuangan daerah lebih relevan untuk jabatan ini."
    )
    authority.get_by_role("button", name="Lanjutkan").click()
    expect(authority.get_by_role("heading", name="Periksa jawaban Anda")).to_be_visible()
    expect(authority.get_by_role("note")).to_contain_text("penyimpangan")
    checked(authority, "decide-check")
    authority.get_by_role("button", name="Kirim keputusan").click()
    expect(authority.locator("dl.summary-list")).to_contain_text("Menyimpang dari peringkat 1")

    # BKN's technical approval, then HR's decree and closing.
    reviewer = person(chromium, site, "national.national_reviewer")
    reviewer.get_by_role("link", name="Kepala Bagian Umum dan Keuangan").click()
    approval = card(reviewer, "Beri pertimbangan teknis")
    approval.get_by_label("Nomor pertimbangan teknis (pertek)").fill("PERTEK-BKN/2026/0042")
    approval.get_by_role("button", name="Beri pertimbangan teknis").click()
    expect(reviewer.locator("dl.summary-list")).to_contain_text("PERTEK-BKN/2026/0042")
    today = dt.date.today().isoformat()
    hr2.goto(vacancy_url)
    decree = card(hr2, "Terbitkan SK")
    decree.get_by_label("Nomor SK").fill("800/12/2026")
    decree.get_by_label("Tanggal SK").fill(today)
    decree.get_by_role("button", name="Terbitkan SK").click()
    expect(hr2.locator("dl.summary-list")).to_contain_text("SK terbit")
    card(hr2, "Tutup").get_by_label("Tanggal pelantikan").fill(today)
    card(hr2, "Tutup").get_by_role("button", name="Tutup").click()
    expect(hr2.locator("dl.summary-list")).to_contain_text("Selesai")

    # The auditor finds every step on the timeline, refusals included.
    auditor = person(chromium, site, "province.auditor")
    auditor.goto(vacancy_url)
    timeline = auditor.locator("ol.timeline")
    for step in (
        "Ajukan",
        "SOD-SUBMITTER",
        "Mulai seleksi",
        "COI-CANDIDATE",
        "Beri suara",
        "Pilih calon",
        "Beri pertimbangan teknis",
        "Terbitkan SK",
        "Tutup",
    ):
        expect(timeline).to_contain_text(step)
    checked(auditor, "timeline")

    # On a phone: the vacancy, its shortlist and an explanation read at 375 px.
    auditor.set_viewport_size({"width": 375, "height": 800})
    checked(auditor, "phone-vacancy")
    auditor.get_by_role("link", name="Baca daftar calon dan kotak talenta").click()
    checked(auditor, "phone-shortlist")
    auditor.locator("a[href*='/calon/']").first.click()
    checked(auditor, "phone-explanation")
    wide = auditor.evaluate("document.documentElement.scrollWidth")
    assert wide <= 375 + 1, "the explanation page scrolls sideways on a phone"
    auditor.set_viewport_size({"width": 1280, "height": 900})
    auditor.goto(vacancy_url)

    # The same page in English.
    auditor.get_by_role("button", name="English").click()
    expect(auditor.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(auditor.locator("dl.summary-list")).to_contain_text("Closed")
    assert axe_violations(auditor) == []

    # Another agency's vacancy is a 404 page.
    city = person(chromium, site, "city.hr")
    response = city.goto(vacancy_url)
    assert response is not None
    assert response.status == 404
    expect(city.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()
    checked(city, "not-found")
