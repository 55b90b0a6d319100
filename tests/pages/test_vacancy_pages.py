"""The vacancy's pages through the Flask test client: from draft to closed, with a refused
self-approval, a stale form, a double submit, a conflict of interest, the authority's justified
rank-2 pick with its "check your answer" page, the 9-box filter, an explanation, the timeline,
and another agency's vacancy as a 404 page."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from werkzeug.test import TestResponse

from bench.pool import REFERENCE_DATE
from tests.api.conftest import World
from tests.api.test_e2e_vacancy import CANDIDATE_MEMBER, Candidates, seed_candidates
from tests.pages.conftest import csrf_token, seed_passwords, sign_in
from workflow.core.db import Database

_HIDDEN = re.compile(r'name="([\w-]+)" type="hidden" value="([^"]*)"')


def hidden_fields(page: TestResponse, prefix: str) -> dict[str, str]:
    """Return the hidden fields (version, key, CSRF token) of the form with this prefix."""
    fields = dict(_HIDDEN.findall(page.get_data(as_text=True)))
    found = {name: value for name, value in fields.items() if name.startswith(f"{prefix}-")}
    found.setdefault(f"{prefix}-csrf_token", csrf_token(page))
    return found


class Person:
    """One signed-in user with their own browser-like client."""

    def __init__(self, app: Flask, username: str) -> None:
        self.client = app.test_client()
        self.username = username
        assert sign_in(self.client, username).status_code == 303

    def page(self, url: str) -> TestResponse:
        return self.client.get(url)

    def act(self, vacancy_id: int, action: str, **fields: str) -> TestResponse:
        page = self.page(f"/lowongan/{vacancy_id}")
        assert page.status_code == 200
        data = hidden_fields(page, action)
        data.update({f"{action}-{name}": value for name, value in fields.items()})
        return self.client.post(f"/lowongan/{vacancy_id}/aksi/{action}", data=data)


def state_of(person: Person, vacancy_id: int) -> str:
    page = person.page(f"/lowongan/{vacancy_id}").get_data(as_text=True)
    found = re.search(r"<dt>Tahap</dt><dd><strong>([^<]+)</strong>", page)
    assert found, page
    return found.group(1)


def test_a_vacancy_from_draft_to_closed_through_pages(
    pages_app: Flask, database: Database, world: World
) -> None:
    candidates: Candidates = seed_candidates(database, world)
    seed_passwords(database, world)
    hr = Person(pages_app, "province.hr")

    # Open through the position picker.
    found = hr.page("/lowongan/baru?cari=umum").get_data(as_text=True)
    assert world.admin_position_code["province"] in found
    assert world.admin_position_code["city"] not in found  # another agency's positions
    form = hr.page("/lowongan/baru")
    data = {
        "csrf_token": csrf_token(form),
        "key": dict(_HIDDEN.findall(form.get_data(as_text=True)))["key"],
        "position": world.admin_position_code["province"],
        "title": "Kepala Bagian Umum",
        "reference_date": REFERENCE_DATE.isoformat(),
    }
    opened = hr.client.post("/lowongan/baru", data=data)
    assert opened.status_code == 303
    vacancy_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    again = hr.client.post("/lowongan/baru", data=data)  # a double submit opens nothing new
    assert again.headers["Location"] == opened.headers["Location"]
    assert state_of(hr, vacancy_id) == "Konsep"

    # Submit, and a double submit of the same form is harmless.
    page = hr.page(f"/lowongan/{vacancy_id}")
    fields = hidden_fields(page, "submit")
    assert hr.client.post(f"/lowongan/{vacancy_id}/aksi/submit", data=fields).status_code == 303
    assert hr.client.post(f"/lowongan/{vacancy_id}/aksi/submit", data=fields).status_code == 303
    assert state_of(hr, vacancy_id) == "Diajukan"

    # The submitter may not start the screening (refused self-approval).
    refused = hr.act(vacancy_id, "start_screening")
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert "SOD-SUBMITTER" in text
    assert "Pengaju lowongan ini tidak boleh bertindak pada tahap berikutnya" in text

    # A stale form: another HR officer's page was rendered before a change.
    hr2 = Person(pages_app, "province.all")
    stale_page = hr2.page(f"/lowongan/{vacancy_id}")
    hr2.act(vacancy_id, "cancel", reason="")  # an empty reason: refused, nothing moves
    assert state_of(hr2, vacancy_id) == "Diajukan"
    started = hr2.act(vacancy_id, "start_screening")
    assert started.status_code == 303
    stale = hr2.client.post(
        f"/lowongan/{vacancy_id}/aksi/cancel",
        data={**hidden_fields(stale_page, "cancel"), "cancel-reason": "tidak jadi dibuka"},
    )
    assert stale.status_code == 409
    assert "Lowongan ini berubah sejak Anda membukanya" in stale.get_data(as_text=True)
    assert state_of(hr2, vacancy_id) == "Penilaian TPK"

    # The shortlist and its 9-box, filtered by a box; an explanation.
    member = Person(pages_app, "province.committee")
    shortlist = member.page(f"/lowongan/{vacancy_id}/calon").get_data(as_text=True)
    assert "<svg" in shortlist
    assert "<title" in shortlist
    first = candidates.eligible[0]
    assert first in shortlist
    assert len(set(re.findall(r"kotak=(\d)", shortlist))) == 9
    # Choosing a box lists only its candidates: the first candidate is in exactly one box.
    holding = [
        box
        for box in range(1, 10)
        if first in member.page(f"/lowongan/{vacancy_id}/calon?kotak={box}").get_data(as_text=True)
    ]
    assert len(holding) == 1
    explained = member.page(f"/lowongan/{vacancy_id}/calon/{first}")
    assert explained.status_code == 200
    assert "memenuhi syarat" in explained.get_data(as_text=True).lower()

    # A conflict of interest: the candidate member is refused; a declared conflict recuses.
    candidate_member = Person(pages_app, CANDIDATE_MEMBER)
    coi = candidate_member.act(vacancy_id, "vote", decision="approve")
    assert coi.status_code == 403
    assert "COI-CANDIDATE" in coi.get_data(as_text=True)
    assert member.act(vacancy_id, "vote", decision="approve", comment="layak").status_code == 303
    member2 = Person(pages_app, "province.committee2")
    assert member2.act(vacancy_id, "vote", decision="approve").status_code == 303
    assert state_of(member2, vacancy_id) == "Keputusan PPK"

    # The authority picks rank 2 with a justification, after "check your answer".
    authority = Person(pages_app, "province.authority")
    decide_page = authority.page(f"/lowongan/{vacancy_id}/putuskan")
    fields = hidden_fields(decide_page, "decide")
    second = candidates.eligible[1]
    short = authority.client.post(
        f"/lowongan/{vacancy_id}/putuskan",
        data={**fields, "decide-candidate": second, "decide-justification": ""},
    )
    assert short.status_code == 422
    assert "Ada masalah" in short.get_data(as_text=True)
    justification = "Pengalaman keuangan daerah lebih relevan untuk bagian ini."
    check = authority.client.post(
        f"/lowongan/{vacancy_id}/putuskan",
        data={**fields, "decide-candidate": second, "decide-justification": justification},
    )
    assert check.status_code == 200
    assert "BKN" in check.get_data(as_text=True)
    assert "penyimpangan" in check.get_data(as_text=True)
    assert state_of(authority, vacancy_id) == "Keputusan PPK"  # nothing sent yet
    sent = authority.client.post(
        f"/lowongan/{vacancy_id}/putuskan",
        data={
            **fields,
            "decide-candidate": second,
            "decide-justification": justification,
            "decide-confirmed": "yes",
        },
    )
    assert sent.status_code == 303
    assert state_of(authority, vacancy_id) == "Pertimbangan teknis BKN"

    reviewer = Person(pages_app, "national.national_reviewer")
    approved = reviewer.act(vacancy_id, "approve_technical", reference="PERTEK-BKN/2026/0042")
    assert approved.status_code == 303
    today = dt.date.today().isoformat()
    assert (
        hr2.act(vacancy_id, "issue_decree", decree_number="800/1/2026", decree_date=today)
    ).status_code == 303
    assert hr2.act(vacancy_id, "close", inauguration_date=today).status_code == 303
    assert state_of(hr2, vacancy_id) == "Selesai"

    # The auditor reads every step on the timeline, refusals included.
    auditor = Person(pages_app, "province.auditor")
    timeline = auditor.page(f"/lowongan/{vacancy_id}").get_data(as_text=True)
    for word in (
        "SOD-SUBMITTER",
        "COI-CANDIDATE",
        "Terbitkan SK",
        "Tutup",
        "Pilih calon",
        "Lowongan dibuka",
        "province.hr (Petugas BKPSDM)",
        "national.national_reviewer",
    ):
        assert word in timeline, word

    # Another agency's vacancy is a 404 page, in the user's language.
    city = Person(pages_app, "city.hr")
    other = city.page(f"/lowongan/{vacancy_id}")
    assert other.status_code == 404
    assert "Halaman tidak ditemukan" in other.get_data(as_text=True)
