"""In Chromium: the administrator's user pages, the rule-pack and what-if pages, and a delegate
acting on behalf of a colleague from the inbox; axe-core on each, both languages, refusals."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.pages.conftest import PASSWORD, LiveSite
from tests.support.browser import axe_violations, browser_sign_in
from workflow.models import LedgerEntry

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["Bahasa Indonesia", "English"])
def test_an_admin_creates_a_user_issues_a_token_and_meets_a_refusal(
    page: Page, live_site: LiveSite, language: str
) -> None:
    browser_sign_in(page, live_site.url, "province.admin", PASSWORD)
    page.get_by_role("button", name=language).click()
    english = language == "English"
    page.get_by_role("link", name="Users" if english else "Pengguna").click()
    expect(page.get_by_role("link", name="province.hr", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Create a user" if english else "Buat pengguna").click()
    page.locator("form button[type=submit]").last.click()  # empty: errors beside the fields
    expect(page.locator(".error-summary")).to_be_visible()
    assert axe_violations(page) == []
    username = f"province.new-{'en' if english else 'id'}"
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=display_name]").fill("Pegawai Baru")
    page.locator("input[name=roles][value=committee]").check()
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("heading", name=username)).to_be_visible()
    assert axe_violations(page) == []
    page.locator("input[name=token-name]").fill("laporan")
    page.locator("form[action$='/token'] button[type=submit]").click()
    secret = page.locator("#token-secret").inner_text()
    assert secret.startswith("mf_")
    assert axe_violations(page) == []
    page.goto(page.url)  # the address again: back on the user's page, without the secret
    expect(page.locator("#token-secret")).to_have_count(0)
    expect(page.locator("td", has_text="laporan")).to_be_visible()
    # Removing one's own admin role is refused with its rule.
    page.goto(f"{live_site.url}/admin/pengguna/{live_site.world.user_id['province.admin']}")
    page.locator("input[name=edit-roles][value=admin]").uncheck()
    page.locator("input[name=edit-roles][value=hr]").check()
    page.locator("form[action$='/ubah'] button[type=submit]").click()
    expect(page.locator("#refusal")).to_contain_text("ADMIN-SELF")
    assert axe_violations(page) == []
    page.screenshot(path=f"/tmp/admin-refused-{language[:2]}.png")


@pytest.mark.parametrize("language", ["Bahasa Indonesia", "English"])
def test_the_rule_packs_and_a_what_if_in_both_languages(
    page: Page, live_site: LiveSite, language: str
) -> None:
    browser_sign_in(page, live_site.url, "province.committee", PASSWORD)
    page.get_by_role("button", name=language).click()
    english = language == "English"
    page.get_by_role("link", name="Rule packs" if english else "Paket aturan").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="bkn-national").first.click()
    expect(page.locator("#c-rank\\.minimum")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_site.url}/aturan/{live_site.world.pack_digest}/simulasi")
    page.locator("select[name=level]").select_option("administrator")
    page.locator("input[name=jpm]").fill("150")
    page.locator("form.what-if button[type=submit]").click()
    expect(page.locator("#jpm-error")).to_be_visible()
    expect(page.locator("#birth_date-error")).to_be_visible()
    assert axe_violations(page) == []
    page.locator("input[name=jpm]").fill("81.00")
    page.locator("input[name=birth_date]").fill("1980-03-15")
    page.locator("select[name=employment_type]").select_option("PNS")
    page.locator("select[name=rank]").select_option("III/c")
    page.locator("form.what-if button[type=submit]").click()
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#result table").first).to_contain_text("III/c")
    assert axe_violations(page) == []
    page.screenshot(path=f"/tmp/what-if-{language[:2]}.png", full_page=True)


def test_a_delegate_sees_the_colleague_s_duty_and_acts_on_their_behalf(
    page: Page, live_site: LiveSite
) -> None:
    world = live_site.world
    browser_sign_in(page, live_site.url, "province.hr", PASSWORD)
    page.goto(f"{live_site.url}/delegasi")
    page.locator("input[name=delegate]").fill("province.auditor")
    page.locator("input[name=role][value=hr]").check()
    page.locator("input[name=ends_on]").fill((dt.date.today() + dt.timedelta(days=7)).isoformat())
    page.locator("textarea[name=reason]").fill("Cuti tahunan")
    page.locator("form[action='/delegasi'] button[type=submit]").click()
    page.wait_for_url(f"{live_site.url}/")
    page.context.clear_cookies()

    browser_sign_in(page, live_site.url, "province.auditor", PASSWORD)
    expect(page.locator("#on-behalf")).to_be_visible()
    row = page.locator("tr", has_text="atas nama province.hr").first
    expect(row).to_be_visible()
    assert axe_violations(page) == []
    vacancy_id = world.vacancy_id["province"]
    page.locator(f"a[href='/lowongan/{vacancy_id}']").first.click()
    submit = page.locator("form[action$='/aksi/submit']")
    expect(page.locator("section", has=submit)).to_contain_text("atas nama province.hr")
    assert axe_violations(page) == []
    submit.locator("button[type=submit]").click()
    expect(page.locator("dl.summary-list")).to_contain_text("Diajukan")
    with live_site.db.read() as session:
        bodies = [
            json.loads(body)
            for body in session.scalars(
                select(LedgerEntry.body).where(LedgerEntry.kind == "vacancy.transition")
            )
        ]
    submitted = [b for b in bodies if b["data"].get("action") == "submit"]
    assert submitted, bodies
    assert submitted[-1]["data"]["on_behalf_of"] == f"user:{world.user_id['province.hr']}"
    assert submitted[-1]["actor"] == f"user:{world.user_id['province.auditor']}"
    expect(page.locator("#timeline")).to_be_visible()
    assert re.search("province.hr", page.locator(".timeline").inner_text())
