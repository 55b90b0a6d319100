"""Browser helpers: axe-core's serious and critical violations on a page, and sign-in."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_AXE = Axe()
SERIOUS = frozenset({"serious", "critical"})


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core in ``page`` and return its serious and critical violations (id, impact,
    help, the first failing nodes' selectors), for an assertion that reads well when it fails."""
    results = _AXE.run(page)
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"][:3]],
        }
        for violation in results.response["violations"]
        if violation.get("impact") in SERIOUS
    ]


def browser_sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Sign in through the sign-in page and wait for the inbox."""
    page.goto(f"{base_url}/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base_url}/")
