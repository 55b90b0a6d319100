"""Page bench: p50/p95 server time of each main web page on the 20,000-employee demo agency.

Seeds a scratch SQLite database as `make run` does (migrate, the Banten demo registry, the
shipped rule packs, the demo users with their demo password), opens and screens one vacancy
for an administrator position of the province through the pages themselves, then requests
each main page N times in-process (Flask's test client: the time is the server's own, with
no network) as the user who would read it, and prints p50 and p95 per page. Target: p95 <=
150 ms. Prints figures; asserts nothing.

    python bench/page_bench.py [--employees 20000] [--requests 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

from api import create_app  # noqa: E402
from api.cli.users import DEMO_PASSWORD  # noqa: E402
from config import Settings  # noqa: E402
from workflow.models import Employee, Position, Tenant  # noqa: E402

REFERENCE_DATE = "2026-03-01"
_CSRF = re.compile(r'name="([\w-]*csrf_token)" type="hidden" value="([^"]+)"')
_HIDDEN = re.compile(r'name="([\w-]+)" type="hidden" value="([^"]*)"')


def _form(client: FlaskClient, url: str) -> dict[str, str]:
    with client.get(url) as response:
        page = response.get_data(as_text=True)
    return dict(_HIDDEN.findall(page))


def _sign_in(app, username: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    fields = _form(client, "/masuk")
    answer = client.post(
        "/masuk",
        data={"csrf_token": fields["csrf_token"], "username": username, "password": DEMO_PASSWORD},
    )
    answer.close()  # an unclosed response keeps its admission place (api/admission.py)
    assert answer.status_code == 303, answer.status_code
    return client


def _act(client: FlaskClient, vacancy_id: int, action: str) -> None:
    fields = _form(client, f"/lowongan/{vacancy_id}")
    data = {k: v for k, v in fields.items() if k.startswith(f"{action}-")}
    answer = client.post(f"/lowongan/{vacancy_id}/aksi/{action}", data=data)
    answer.close()
    assert answer.status_code == 303, (action, answer.status_code)


def main() -> None:
    """Seed, prepare one screened vacancy, time the pages, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per page")
    parser.add_argument("--database-url", help="default: a scratch SQLite file")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="meritflow-page-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'meritflow.db'}"
    app = create_app(
        Settings(
            app_env="development",
            database_url=url,
            instance_path=folder,
            checkpoint_dir=folder / "checkpoints",
            log_level="WARNING",
        )
    )
    runner = app.test_cli_runner()
    started = time.perf_counter()
    for command in (
        ["db", "upgrade"],
        ["demo", "seed", "--employees", str(args.employees), "--seed", "2026"],
        ["rules", "publish", "--by", "page-bench"],
        ["users", "demo"],
    ):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, (command, result.output)
    print(f"seeded {args.employees} employees in {time.perf_counter() - started:.1f} s ({url})")

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
        agency_employees = session.query(Employee).filter_by(tenant_id=province.id).count()
        province_code = province.code
    hr, hr2 = _sign_in(app, "prov.hr"), _sign_in(app, "prov.hr2")
    committee = _sign_in(app, "prov.committee1")
    auditor, reviewer = _sign_in(app, "prov.auditor"), _sign_in(app, "bkn.reviewer")
    fields = _form(hr, "/lowongan/baru")
    opened = hr.post(
        "/lowongan/baru",
        data={
            "csrf_token": fields["csrf_token"],
            "key": fields["key"],
            "position": position,
            "title": "Kepala Bagian (bench)",
            "reference_date": REFERENCE_DATE,
        },
    )
    opened.close()
    vacancy_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    _act(hr, vacancy_id, "submit")
    started = time.perf_counter()
    _act(hr2, vacancy_id, "start_screening")
    print(
        f"province {province.code}: {agency_employees} employees; vacancy {vacancy_id} for "
        f"{position} screened through the pages in {time.perf_counter() - started:.1f} s"
    )
    with committee.get(f"/lowongan/{vacancy_id}/calon") as listed:
        shortlist = listed.get_data(as_text=True)
    found = re.search(rf"/lowongan/{vacancy_id}/calon/(\d{{18}})", shortlist)
    assert found, "the screening shortlisted nobody"
    candidate = found.group(1)

    pages = [
        ("sign-in page (visitor)", app.test_client(), "/"),
        ("inbox (HR)", hr, "/"),
        ("inbox (committee)", committee, "/"),
        ("vacancy list", hr, "/lowongan"),
        ("open a vacancy: position picker", hr, "/lowongan/baru?cari=kepala"),
        ("vacancy with timeline", committee, f"/lowongan/{vacancy_id}"),
        ("shortlist with 9-box", committee, f"/lowongan/{vacancy_id}/calon"),
        ("shortlist, one box", committee, f"/lowongan/{vacancy_id}/calon?kotak=5"),
        ("candidate explanation", committee, f"/lowongan/{vacancy_id}/calon/{candidate}"),
        ("registry search by name", hr, "/pegawai?cari=siti"),
        ("registry search by NIP", hr, f"/pegawai?cari={nip[:8]}"),
        ("employee profile", hr, f"/pegawai/{nip}"),
        ("monitoring dashboard (BKN)", reviewer, "/pemantauan"),
        ("monitoring, one agency (BKN)", reviewer, f"/pemantauan?instansi={province_code}"),
        ("audit trail (auditor)", auditor, "/jejak-audit"),
        ("audit trail of one vacancy", auditor, f"/jejak-audit?lowongan={vacancy_id}"),
        ("ledger entry", auditor, f"/jejak-audit/{province_code}/1"),
        ("access log (auditor)", auditor, "/log-akses"),
    ]
    print(f"\n{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  (n={args.requests})")
    worst = 0.0
    for name, client, path in pages:
        with client.get(path) as warm:  # warm caches once
            assert warm.status_code == 200, (path, warm.status_code)
        times = []
        for _ in range(args.requests):
            begin = time.perf_counter()
            response = client.get(path)
            response.close()
            times.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        worst = max(worst, p95)
        print(f"{name:40} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")
    verdict = "met" if worst <= 150 else "NOT met"
    print(f"\nworst p95 {worst:.1f} ms: target p95 <= 150 ms {verdict}")


if __name__ == "__main__":
    main()
