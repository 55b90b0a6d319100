"""The oversight pages through the Flask test client: BKN's monitoring dashboard, the auditor's
audit trail (filters, one entry, verifying the chains, replaying a screening) and the
personal-data access log; each for the roles that may read it, another role's 403, another
agency's entry as a 404, bad filters beside their fields, and a tampered row found broken."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select, update

from bench.pool import pool
from tests.api.conftest import World
from tests.pages.conftest import csrf_token, sign_in
from tests.support.ledger import clock, fill
from tests.support.screening import publish_overlay, screen_province_vacancy
from tests.support.tamper import rewrite_body
from workflow.core.db import Database
from workflow.models import LedgerEntry, Vacancy

POOL = pool(16, seed=1)
"""Generated candidates of which the national pack finds some eligible and the kota-serang
overlay (JPM at least 80 %) fewer (as the API's replay tests use them)."""


class Reader:
    """One signed-in user with their own browser-like client."""

    def __init__(self, app: Flask, username: str) -> None:
        self.client = app.test_client()
        assert sign_in(self.client, username).status_code == 303

    def text(self, url: str, status: int = 200) -> str:
        response = self.client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response.get_data(as_text=True)

    def post(self, page: str, action: str, status: int = 200, **fields: str) -> str:
        token = csrf_token(self.client.get(page))
        response = self.client.post(action, data={"csrf_token": token, **fields})
        assert response.status_code == status, (action, response.status_code)
        return response.get_data(as_text=True)


def _visible(html: str) -> str:
    """Return the page's text without tags (so assertions read what a person reads)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ------------------------------------------------------------------ who may read what


def test_each_page_is_for_its_roles_only(pages_app: Flask) -> None:
    visitor = pages_app.test_client()
    for url in ("/pemantauan", "/jejak-audit", "/log-akses", "/jejak-audit/verifikasi"):
        assert visitor.get(url).status_code == 302  # to the sign-in page
    hr = Reader(pages_app, "province.hr")
    for url in ("/pemantauan", "/jejak-audit", "/log-akses", "/jejak-audit/putar-ulang"):
        assert "Tidak diizinkan" in hr.text(url, 403)
    committee = Reader(pages_app, "province.committee")
    committee.text("/jejak-audit/verifikasi", 403)
    admin = Reader(pages_app, "province.admin")
    admin.text("/log-akses")
    admin.text("/pemantauan", 403)
    reviewer = Reader(pages_app, "national.national_reviewer")
    menu = reviewer.text("/")
    assert 'href="/pemantauan"' in menu
    assert 'href="/jejak-audit"' in menu
    assert 'href="/log-akses"' not in menu
    auditor = Reader(pages_app, "province.auditor")
    menu = auditor.text("/")
    assert all(f'href="{u}"' in menu for u in ("/pemantauan", "/jejak-audit", "/log-akses"))


# ------------------------------------------------------------------ monitoring


def test_the_dashboard_shows_every_agency_to_bkn_and_only_its_own_to_an_agency_auditor(
    pages_app: Flask, database: Database, world: World
) -> None:
    with database.transaction() as session:
        session.execute(
            update(Vacancy)
            .where(Vacancy.id == world.vacancy_id["city"])
            .values(
                deviation=True,
                selected_rank=2,
                justification="Pengalaman keuangan daerah lebih relevan.",
            )
        )
    reviewer = Reader(pages_app, "national.national_reviewer")
    page = reviewer.text("/pemantauan")
    text = _visible(page)
    assert "Pemantauan instansi" in text
    for code in ("bkn", "36.00", "36.73"):
        assert f"({code})" in text
    assert "Konsep" in text  # the drafts, by state, as bars with their counts
    assert page.count('class="bar bar-state"') >= 2
    assert "Pengalaman keuangan daerah lebih relevan." in text
    assert f'href="/lowongan/{world.vacancy_id["city"]}"' in page
    assert text.count("Tidak ada seleksi dalam periode ini.") == 3  # nothing screened yet

    only_city = _visible(reviewer.text("/pemantauan?instansi=36.73"))
    assert "(36.73)" in only_city
    assert "(36.00)" not in only_city

    auditor = _visible(Reader(pages_app, "province.auditor").text("/pemantauan"))
    assert "(36.00)" in auditor
    assert "(36.73)" not in auditor
    assert "Pengalaman keuangan" not in auditor  # the city's deviation is not the province's


def test_bad_monitoring_filters_are_named_beside_their_fields(pages_app: Flask) -> None:
    reviewer = Reader(pages_app, "national.national_reviewer")
    page = _visible(reviewer.text("/pemantauan?instansi=%3Cscript%3E&dari=2026-13-45"))
    assert "Ada masalah" in page
    assert "Kode instansi terdiri atas huruf" in page
    assert "Masukkan tanggal" in page
    backwards = _visible(reviewer.text("/pemantauan?dari=2026-12-01&sampai=2026-11-01"))
    assert "Akhir periode lebih awal daripada awalnya." in backwards


# ------------------------------------------------------------------ the audit trail


def test_the_trail_lists_filters_and_opens_an_entry(
    pages_app: Flask, database: Database, world: World
) -> None:
    auditor = Reader(pages_app, "province.auditor")
    listed = auditor.text("/jejak-audit")
    assert "Jejak audit" in listed
    assert 'href="/jejak-audit/36.00/1"' in listed
    assert "/jejak-audit/36.73/" not in listed  # another agency's chain
    vacancy = world.vacancy_id["province"]
    about = auditor.text(f"/jejak-audit?lowongan={vacancy}&jenis=vacancy.opened")
    assert "Ditemukan 1 catatan." in _visible(about)
    assert "Lowongan dibuka" in _visible(about)
    none = _visible(auditor.text("/jejak-audit?jenis=sla.escalated"))
    assert "Tidak ada catatan yang cocok." in none
    bad = _visible(auditor.text("/jejak-audit?jenis=bukan.jenis&lowongan=abc"))
    assert "Pilih jenis dari daftar." in bad
    assert "Masukkan bilangan bulat mulai dari 1." in bad

    fill(database, world.tenant_id["province"], 3, clock())
    with database.read() as session:
        last = session.scalar(
            select(LedgerEntry.seq)
            .where(LedgerEntry.tenant_id == world.tenant_id["province"])
            .order_by(LedgerEntry.seq.desc())
        )
    assert last is not None
    assert last >= 2
    entry = auditor.text(f"/jejak-audit/36.00/{last}")
    text = _visible(entry)
    assert f"Catatan jejak audit 36.00#{last}" in text
    assert "SHA-256 isi di bawah cocok" in text
    assert f'href="/jejak-audit/36.00/{last - 1}"' in entry  # the predecessor's hash links
    assert "&#34;tenant&#34;: &#34;36.00&#34;" in entry  # the pretty body
    first = _visible(auditor.text("/jejak-audit/36.00/1"))
    assert "Catatan pertama dalam rantai." in first
    auditor.text("/jejak-audit/36.73/1", 404)  # another agency's entry
    auditor.text("/jejak-audit/36.00/999999", 404)
    auditor.text(f"/jejak-audit/36.00/{10**30}", 404)
    national = Reader(pages_app, "national.auditor")
    assert "Catatan jejak audit 36.73#1" in _visible(national.text("/jejak-audit/36.73/1"))


def test_verifying_finds_a_tampered_row(pages_app: Flask, database: Database, world: World) -> None:
    auditor = Reader(pages_app, "province.auditor")
    form = auditor.text("/jejak-audit/verifikasi")
    assert "Verifikasi sekarang" in form
    without_token = auditor.client.post("/jejak-audit/verifikasi", data={})
    assert without_token.status_code == 400
    ok = _visible(auditor.post("/jejak-audit/verifikasi", "/jejak-audit/verifikasi"))
    assert "Semua rantai terverifikasi" in ok
    assert "36.73" not in ok  # the province's auditor verifies the province's chain
    rewrite_body(database, tenant_id=world.tenant_id["province"], seq=1)
    broken = auditor.post("/jejak-audit/verifikasi", "/jejak-audit/verifikasi")
    assert "Ada rantai yang tidak terverifikasi" in _visible(broken)
    assert 'href="/jejak-audit/36.00/1"' in broken
    assert "putus" in _visible(broken)
    entry = _visible(auditor.text("/jejak-audit/36.00/1"))
    assert "SHA-256 isi di bawah tidak cocok" in entry
    national = Reader(pages_app, "national.national_reviewer")
    city = _visible(
        national.post("/jejak-audit/verifikasi", "/jejak-audit/verifikasi", instansi="36.73")
    )
    assert "Semua rantai terverifikasi" in city
    national.post(
        "/jejak-audit/verifikasi", "/jejak-audit/verifikasi", status=404, instansi="nowhere"
    )


def test_a_replay_is_reproduced_or_shows_who_fares_differently(
    pages_app: Flask, database: Database, world: World
) -> None:
    overlay = publish_overlay(database)
    vacancy_id = screen_province_vacancy(database, world, profiles=POOL).vacancy_id
    auditor = Reader(pages_app, "province.auditor")
    form = auditor.text(f"/jejak-audit/putar-ulang?lowongan={vacancy_id}")
    assert f'value="{vacancy_id}"' in form
    assert f'value="{overlay}"' in form  # the published packs to choose from
    same = _visible(
        auditor.post(
            "/jejak-audit/putar-ulang", "/jejak-audit/putar-ulang", lowongan=str(vacancy_id)
        )
    )
    assert "Hasil sama persis" in same
    assert re.search(r"sama persis \([0-9]+ calon\)", same)
    other = _visible(
        auditor.post(
            "/jejak-audit/putar-ulang",
            "/jejak-audit/putar-ulang",
            lowongan=str(vacancy_id),
            paket=overlay,
        )
    )
    assert "Dengan paket lain" in other
    assert "tidak lagi memenuhi syarat" in other
    missing = _visible(
        auditor.post(
            "/jejak-audit/putar-ulang",
            "/jejak-audit/putar-ulang",
            status=404,
            lowongan=str(world.vacancy_id["province"]),
        )
    )
    assert "Tidak ada hasil seleksi tersimpan" in missing
    city = Reader(pages_app, "city.auditor")
    city.post(
        "/jejak-audit/putar-ulang", "/jejak-audit/putar-ulang", status=404, lowongan=str(vacancy_id)
    )
    auditor.post(
        "/jejak-audit/putar-ulang",
        "/jejak-audit/putar-ulang",
        status=422,
        lowongan=str(vacancy_id),
        paket="f" * 64,
    )
    auditor.post("/jejak-audit/putar-ulang", "/jejak-audit/putar-ulang", status=422, lowongan="")


# ------------------------------------------------------------------ the access log


def test_the_access_log_says_who_read_whom_without_more_personal_data(
    pages_app: Flask, world: World
) -> None:
    hr = Reader(pages_app, "province.hr")
    nip = world.employee_nip["province"]
    hr.text(f"/pegawai/{nip}")  # one access to one employee, logged
    auditor = Reader(pages_app, "province.auditor")
    page = auditor.text("/log-akses")
    text = _visible(page)
    assert "Log akses data pribadi" in text
    assert "province.hr" in text
    assert f'href="/log-akses?pegawai={world.employee_id["province"]}"' in page
    assert nip not in page
    assert "Pegawai province 1" not in page
    by_nip = _visible(auditor.text(f"/log-akses?nip={nip}"))
    assert "Ditemukan 1 akses." in by_nip
    assert "Ditemukan 0 akses." in _visible(auditor.text("/log-akses?pengguna=someone.else"))
    bad = _visible(auditor.text("/log-akses?nip=123&pegawai=-4&dari=kemarin"))
    assert "NIP terdiri atas 18 angka." in bad
    assert "Masukkan bilangan bulat mulai dari 1." in bad
    city = _visible(Reader(pages_app, "city.auditor").text("/log-akses"))
    assert "Ditemukan 0 akses." in city  # the province's employees are not the city's


def test_the_pages_speak_english_too(pages_app: Flask) -> None:
    auditor = Reader(pages_app, "province.auditor")
    token = csrf_token(auditor.client.get("/jejak-audit"))
    auditor.client.post("/bahasa", data={"lang": "en", "csrf_token": token, "next": "/"})
    assert "Every recorded event" in _visible(auditor.text("/jejak-audit"))
    assert "Monitoring the agencies" in _visible(auditor.text("/pemantauan"))
    assert "Who was shown whose personal data" in _visible(auditor.text("/log-akses"))
    assert "Verify now" in _visible(auditor.text("/jejak-audit/verifikasi"))
