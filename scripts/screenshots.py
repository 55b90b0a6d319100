"""Screenshots of the main pages into docs/screenshots/ (1280x800 PNGs).

Seeds a scratch SQLite database as `make run` does (migrate, the Banten demo registry, the
shipped rule packs, the demo users with the demo password), carries one vacancy of the province
through the pages to the authority's decision (opened and submitted by prov.hr, screened by
prov.hr2, approved by the committee's quorum), serves the app on a free port, and signs
in as each demo user with Debian's Chromium (Playwright) to photograph the page they would read.

What is photographed is the data-driven list :data:`SHOTS` (user, page, file name): add a row
to add a picture. A row naming an endpoint the app does not have (yet), or a page that answers
404, is skipped with a note.

    python scripts/screenshots.py [--employees 2000] [--out docs/screenshots] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, url_for  # noqa: E402
from flask.testing import FlaskClient, FlaskCliRunner  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.routing import BuildError  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from api import create_app  # noqa: E402
from api.cli.users import DEMO_PASSWORD  # noqa: E402
from config import Settings  # noqa: E402
from workflow.models import Employee, Position, RulePack, Tenant  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 800}
REFERENCE_DATE = "2026-03-01"
COMMITTEE = ("prov.committee1", "prov.committee2", "prov.committee3")
_HIDDEN = re.compile(r'name="([\w-]+)" type="hidden" value="([^"]*)"')


@dataclass(frozen=True)
class Shot:
    """One picture: who is signed in (None: a visitor), which page, the file it is saved as.

    ``path`` may hold ``{vacancy}``, ``{candidate}``, ``{nip}`` and ``{digest}``; ``endpoint``
    names a page by its Flask endpoint instead (skipped when the app has no such endpoint).
    ``fill`` (field name → value) is typed into the page's form and ``submit`` (a button's
    name) sent before the picture; ``anchor`` scrolls an element to the top; ``lang`` "en"
    switches the language first.
    """

    user: str | None
    file: str
    path: str | None = None
    endpoint: str | None = None
    fill: dict[str, str] = field(default_factory=dict)
    submit: str | None = None
    anchor: str | None = None
    lang: str = "id"


SHOTS: tuple[Shot, ...] = (
    Shot(None, "sign-in.png", path="/"),
    Shot("prov.hr", "inbox.png", path="/"),
    Shot("prov.committee1", "vacancy.png", path="/lowongan/{vacancy}"),
    Shot("prov.committee1", "shortlist-9-box.png", path="/lowongan/{vacancy}/calon"),
    Shot("prov.committee1", "candidate.png", path="/lowongan/{vacancy}/calon/{candidate}"),
    Shot(
        "prov.committee1",
        "candidate-radar.png",
        path="/lowongan/{vacancy}/calon/{candidate}",
        anchor="#radar-title",
    ),
    Shot(
        "prov.committee1",
        "candidate-en.png",
        path="/lowongan/{vacancy}/calon/{candidate}",
        lang="en",
    ),
    Shot("prov.authority", "ppk-decision.png", path="/lowongan/{vacancy}/putuskan"),
    Shot("prov.auditor", "timeline.png", path="/lowongan/{vacancy}", anchor="#timeline"),
    Shot("prov.hr", "registry.png", path="/pegawai?cari=siti"),
    Shot("prov.hr", "employee.png", path="/pegawai/{nip}"),
    Shot("prov.hr", "open-vacancy.png", path="/lowongan/baru?cari=kepala"),
    Shot("prov.hr", "delegate.png", path="/delegasi"),
    Shot("prov.admin", "admin-users.png", endpoint="pages.admin_users"),
    Shot("prov.admin", "admin-user.png", path="/admin/pengguna/{hr_user}"),
    Shot("prov.committee1", "rule-packs.png", endpoint="pages.rule_packs"),
    Shot("prov.committee1", "rule-pack.png", path="/aturan/{digest}", anchor="#criteria"),
    Shot(
        "prov.hr",
        "what-if.png",
        path="/aturan/{digest}/simulasi",
        fill={
            "level": "administrator",
            "reference_date": REFERENCE_DATE,
            "birth_date": "1980-03-15",
            "employment_type": "PNS",
            "rank": "III/c",
            "rank_tmt": "2021-04-01",
            "education": "S1",
            "position_level": "pengawas",
            "position_since": "2021-01-04",
            "performance_last": "Sangat Baik",
            "performance_before": "Baik",
            "jpm": "78.50",
            "potential": "tinggi",
        },
        submit="Jelaskan",
        anchor="#result",
    ),
    # The pages of other areas: photographed once their endpoints exist.
    Shot("bkn.reviewer", "monitoring.png", endpoint="pages.monitoring"),
    Shot("prov.auditor", "ledger.png", endpoint="pages.ledger"),
    Shot("prov.auditor", "access-log.png", endpoint="pages.access_log"),
    Shot(
        "prov.auditor",
        "ledger-verify.png",
        path="/jejak-audit/verifikasi",
        submit="Verifikasi sekarang",
    ),
    Shot(
        "prov.auditor",
        "ledger-verify-job.png",
        path="/jejak-audit/verifikasi",
        submit="Verifikasi sebagai pekerjaan latar",
    ),
    Shot("prov.hr", "talent.png", endpoint="pages.talent"),
    Shot("prov.hr", "data-quality.png", path="/talenta/kualitas-data"),
    Shot("bkn.reviewer", "data-quality-national.png", path="/talenta/kualitas-data"),
    Shot("prov.hr", "development.png", path="/pegawai/{nip}/pengembangan"),
    Shot("prov.authority", "succession-groups.png", endpoint="pages.succession_groups"),
    Shot("prov.authority", "succession-group.png", path="/talenta/suksesi/{group}"),
    Shot("bkn.reviewer", "talent-national.png", endpoint="pages.talent_national"),
    Shot("prov.employee1", "own-profile.png", path="/saya"),
)


def _hidden(client: FlaskClient, url: str) -> dict[str, str]:
    return dict(_HIDDEN.findall(client.get(url).get_data(as_text=True)))


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    fields = _hidden(client, "/masuk")
    answer = client.post(
        "/masuk",
        data={"csrf_token": fields["csrf_token"], "username": username, "password": DEMO_PASSWORD},
    )
    assert answer.status_code == 303, (username, answer.status_code)
    return client


def _act(client: FlaskClient, vacancy_id: int, action: str, **extra: str) -> None:
    fields = _hidden(client, f"/lowongan/{vacancy_id}")
    data = {k: v for k, v in fields.items() if k.startswith(f"{action}-")}
    data.update({f"{action}-{name}": value for name, value in extra.items()})
    answer = client.post(f"/lowongan/{vacancy_id}/aksi/{action}", data=data)
    assert answer.status_code == 303, (action, answer.status_code)


def _talent(app: Flask, runner: FlaskCliRunner, tenant_id: int) -> str:
    """Map the province's talent and propose a succession group of its first key position that
    has successors (the PPK's decision waits); return the group id ("" when none could be made)."""
    mapped = runner.invoke(
        args=["talent", "run", "--as", "prov.hr", "--reference-date", REFERENCE_DATE]
    )
    assert mapped.exit_code == 0, mapped.output
    db = app.extensions["meritflow"].db
    with db.read() as session:
        keys = session.scalars(
            select(Position.id)
            .where(Position.tenant_id == tenant_id, Position.is_key.is_(True))
            .order_by(Position.id)
        ).all()
    for position in keys:
        made = runner.invoke(
            args=[
                "talent", "groups", "create", "--as", "prov.hr", "--position", str(position),
                "--year", REFERENCE_DATE[:4], "--reference-date", REFERENCE_DATE,
            ]
        )  # fmt: skip
        found = re.match(r"group (\d+) ", made.output)
        if made.exit_code == 0 and found:
            group = found.group(1)
            proposed = runner.invoke(
                args=["talent", "groups", "propose", group, "--as", "prov.hr", "--revision", "1"]
            )
            assert proposed.exit_code == 0, proposed.output
            return group
    return ""


def seed(app: Flask, employees: int) -> dict[str, str]:
    """Seed the demo data and carry a vacancy to the authority's decision; return the values
    the shots' paths name."""
    runner = app.test_cli_runner()
    for command in (
        ["db", "upgrade"],
        ["demo", "seed", "--employees", str(employees), "--seed", "2026"],
        ["rules", "publish", "--by", "screenshots"],
        ["users", "demo"],
    ):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, (command, result.output)
    db = app.extensions["meritflow"].db
    with db.read() as session:
        province = session.scalar(
            select(Tenant).where(Tenant.level == "province").order_by(Tenant.code).limit(1)
        )
        assert province is not None
        position = session.scalar(
            select(Position.code)
            .where(Position.tenant_id == province.id, Position.level == "administrator")
            .order_by(Position.code)
            .limit(1)
        )
        nip = session.scalar(select(Employee.nip).where(Employee.tenant_id == province.id).limit(1))
        digest = session.scalar(
            select(RulePack.digest).where(RulePack.pack_id == "bkn-national").limit(1)
        )
    group = _talent(app, runner, province.id)
    hr = _client(app, "prov.hr")
    fields = _hidden(hr, "/lowongan/baru")
    opened = hr.post(
        "/lowongan/baru",
        data={
            "csrf_token": fields["csrf_token"],
            "key": fields["key"],
            "position": position,
            "title": "Kepala Bagian Perencanaan",
            "reference_date": REFERENCE_DATE,
        },
    )
    vacancy_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    _act(hr, vacancy_id, "submit")
    _act(_client(app, "prov.hr2"), vacancy_id, "start_screening")
    for member in COMMITTEE:  # until the quorum moves the vacancy on
        voter = _client(app, member)
        if "vote-key" in _hidden(voter, f"/lowongan/{vacancy_id}"):
            _act(voter, vacancy_id, "vote", decision="approve", comment="Sesuai merit")
    shortlist = hr.get(f"/lowongan/{vacancy_id}/calon").get_data(as_text=True)
    found = re.search(rf"/lowongan/{vacancy_id}/calon/(\d{{18}})", shortlist)
    assert found, "the screening shortlisted nobody"
    admin = _client(app, "prov.admin")
    users = admin.get("/admin/pengguna").get_data(as_text=True)
    hr_user = re.search(r'href="/admin/pengguna/(\d+)">prov\.hr<', users)
    return {
        "vacancy": str(vacancy_id),
        "candidate": found.group(1),
        "nip": str(nip),
        "digest": str(digest),
        "hr_user": hr_user.group(1) if hr_user else "1",
        "group": group,
    }


class _Quiet(WSGIRequestHandler):
    """A request handler that does not log every request (the shots' lines are the output)."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        """Log nothing."""


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port from a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _path(app: Flask, shot: Shot, values: dict[str, str]) -> str | None:
    if shot.endpoint is not None:
        with app.test_request_context():
            try:
                return str(url_for(shot.endpoint))
            except BuildError:
                return None
    assert shot.path is not None
    return shot.path.format(**values)


def _signed_in(browser: Browser, base: str, user: str | None) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="id-ID")  # type: ignore[arg-type]
    context.set_default_timeout(30_000)
    page = context.new_page()
    if user is not None:
        page.goto(f"{base}/masuk")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form[action='/masuk'] button[type=submit]")
        # the inbox, or an employee's own page: anywhere but the sign-in form
        page.wait_for_url(lambda url: not url.endswith("/masuk"))
    return page


def _fill(page: Page, fill: dict[str, str]) -> None:
    for name, value in fill.items():
        element = page.locator(f"[name='{name}']")
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)


def photograph(
    browser: Browser, base: str, app: Flask, values: dict[str, str], shot: Shot, out: Path
) -> str:
    """Take one shot; return what happened (the file written, or why it was skipped)."""
    path = _path(app, shot, values)
    if path is None:
        return f"skipped {shot.file}: no endpoint {shot.endpoint}"
    page = _signed_in(browser, base, shot.user)
    try:
        if shot.lang != "id":
            page.click(f"form.language button[value='{shot.lang}']")
            page.wait_for_load_state()
        answer = page.goto(f"{base}{path}")
        if answer is None or answer.status == 404:
            return f"skipped {shot.file}: {path} answered 404"
        if shot.fill:
            _fill(page, shot.fill)
        if shot.submit:
            page.get_by_role("button", name=shot.submit, exact=True).click()
            page.wait_for_load_state()
        if shot.anchor:
            page.locator(shot.anchor).first.scroll_into_view_if_needed()
            page.evaluate(
                "a => { const e = document.querySelector(a); if (e) window.scrollTo(0, "
                "e.getBoundingClientRect().top + window.scrollY - 16); }",
                shot.anchor,
            )
        target = out / shot.file
        page.screenshot(path=str(target))
        return f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
    finally:
        page.context.close()


def main(argv: list[str] | None = None) -> int:
    """Seed, serve, photograph every shot; print one line per shot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=2_000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", help="file names to take (default: every shot)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"no Chromium at {CHROMIUM}: nothing photographed", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="meritflow-screenshots-"))
    app = create_app(
        Settings(
            app_env="development",
            database_url=f"sqlite:///{folder / 'meritflow.db'}",
            instance_path=folder,
            checkpoint_dir=folder / "checkpoints",
            log_level="WARNING",
            # The test client keeps a place until a response is closed: no shedding here.
            max_concurrent_requests=1_000,
            admission_wait_ms=60_000,
            # The screening runs in this process (no worker is started for the pictures).
            jobs_eager=True,
        )
    )
    started = time.perf_counter()
    values = seed(app, args.employees)
    print(
        f"seeded {args.employees} employees, vacancy {values['vacancy']} awaits the authority "
        f"({time.perf_counter() - started:.1f} s)"
    )
    shots = [s for s in SHOTS if not args.only or s.file in args.only]
    take: Callable[..., str] = photograph
    with serving(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            headless=True,
        )
        try:
            for shot in shots:
                print(take(browser, base, app, values, shot, args.out))
        finally:
            browser.close()
    app.extensions["meritflow"].db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
