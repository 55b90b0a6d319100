"""In Chromium: the sign-in page, the inbox and the language switch, on a laptop and a phone,
with no serious or critical axe-core violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.pages.conftest import PASSWORD, LiveSite
from tests.support.browser import axe_violations, browser_sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375])
def test_sign_in_then_the_inbox_reads_well_and_passes_axe(
    page: Page, live_site: LiveSite, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_site.url}/")
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    assert axe_violations(page) == []
    browser_sign_in(page, live_site.url, "province.hr", PASSWORD)
    expect(page.get_by_role("heading", name="Tugas saya")).to_be_visible()
    expect(page.get_by_role("link", name="Kepala Bagian Umum (province)")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=f"/tmp/pages-inbox-{width}.png", full_page=True)


def test_a_wrong_password_is_announced_at_the_top_and_passes_axe(
    page: Page, live_site: LiveSite
) -> None:
    page.goto(f"{live_site.url}/masuk")
    page.get_by_label("Nama pengguna").fill("province.hr")
    page.get_by_label("Kata sandi").fill("salah-sekali")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert")).to_contain_text("Nama pengguna atau kata sandi tidak benar")
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/pages-signin-error.png", full_page=True)


def test_the_language_switch_by_keyboard_renders_english(page: Page, live_site: LiveSite) -> None:
    page.goto(f"{live_site.url}/masuk")
    page.get_by_role("button", name="English").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert axe_violations(page) == []
