"""In Chromium: the registry pages (search, profile, upload with its problems) and the
delegation page, each with no serious or critical axe-core violation, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.pages.conftest import PASSWORD, LiveSite
from tests.support.browser import axe_violations, browser_sign_in

pytestmark = pytest.mark.browser


def test_hr_finds_an_employee_reads_the_profile_and_meets_a_rejected_upload(
    page: Page, live_site: LiveSite, tmp_path: Path
) -> None:
    browser_sign_in(page, live_site.url, "province.hr", PASSWORD)
    page.get_by_role("link", name="Data pegawai").click()
    page.get_by_label("Nama atau NIP").fill("pegawai province")
    page.get_by_role("button", name="Cari").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Pegawai province 1").click()
    expect(page.get_by_role("heading", name="Riwayat jabatan")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_site.url}/pegawai/impor")
    broken = tmp_path / "profiles.jsonl"
    broken.write_text('{"nip": "123"}\n')
    page.get_by_label("Berkas").set_input_files(str(broken))
    page.get_by_role("button", name="Unggah dan impor").click()
    expect(page.get_by_role("alert")).to_contain_text("Tidak ada yang diimpor")
    expect(page.locator("table")).to_contain_text("profiles.jsonl")
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/pages-upload-rejected.png", full_page=True)


@pytest.mark.parametrize("language", ["Bahasa Indonesia", "English"])
def test_the_delegation_page_passes_axe_in_both_languages(
    page: Page, live_site: LiveSite, language: str
) -> None:
    browser_sign_in(page, live_site.url, "province.committee", PASSWORD)
    page.get_by_role("button", name=language).click()
    page.goto(f"{live_site.url}/delegasi")
    expect(page.locator("form input[type=date]")).to_be_visible()
    assert axe_violations(page) == []
    page.locator("form button[type=submit]").last.click()  # empty: errors beside the fields
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == []
