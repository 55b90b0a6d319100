"""Acting on behalf through the pages: the delegate's inbox lists the delegator's waiting duties
marked "on behalf of", the vacancy page offers the action in their name, and the ledger names
the delegator; without a live delegation nothing is offered."""

from __future__ import annotations

import datetime as dt
import json
import re

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import World
from tests.pages.conftest import csrf_token, sign_in
from workflow.core.db import Database
from workflow.models import LedgerEntry

_HIDDEN = re.compile(r'name="(submit-[\w]+)" type="hidden" value="([^"]*)"')


def _delegate_hr_to_auditor(web: FlaskClient) -> None:
    sign_in(web, "province.hr")
    until = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    token = csrf_token(web.get("/delegasi"))
    answer = web.post(
        "/delegasi",
        data={
            "csrf_token": token,
            "delegate": "province.auditor",
            "role": "hr",
            "ends_on": until,
            "reason": "Dinas luar",
        },
    )
    assert answer.status_code == 303
    web.post("/keluar", data={"csrf_token": csrf_token(web.get("/"))})


def test_the_delegate_acts_on_behalf_and_the_ledger_names_the_delegator(
    web: FlaskClient, world: World, database: Database
) -> None:
    vacancy_id = world.vacancy_id["province"]
    sign_in(web, "province.auditor")
    assert "atas nama" not in web.get("/").get_data(as_text=True)
    page = web.get(f"/lowongan/{vacancy_id}").get_data(as_text=True)
    assert f'action="/lowongan/{vacancy_id}/aksi/submit"' not in page
    web.post("/keluar", data={"csrf_token": csrf_token(web.get("/"))})

    _delegate_hr_to_auditor(web)
    sign_in(web, "province.auditor")
    inbox = web.get("/").get_data(as_text=True)
    assert "atas nama province.hr" in inbox
    assert f'href="/lowongan/{vacancy_id}"' in inbox
    assert f'href="/lowongan/{world.vacancy_id["city"]}"' not in inbox
    page = web.get(f"/lowongan/{vacancy_id}").get_data(as_text=True)
    fields = dict(_HIDDEN.findall(page))
    assert fields["submit-on_behalf_of"] == "province.hr"
    answer = web.post(f"/lowongan/{vacancy_id}/aksi/submit", data=fields)
    assert answer.status_code == 303
    with database.read() as session:
        bodies = [
            json.loads(b)
            for b in session.scalars(
                select(LedgerEntry.body).where(LedgerEntry.kind == "vacancy.transition")
            )
        ]
    (submitted,) = [b for b in bodies if b["data"]["action"] == "submit"]
    assert submitted["actor"] == f"user:{world.user_id['province.auditor']}"
    assert submitted["data"]["on_behalf_of"] == f"user:{world.user_id['province.hr']}"
    timeline = web.get(f"/lowongan/{vacancy_id}").get_data(as_text=True)
    assert "province.hr" in timeline
