"""Delegating while away through the page: recorded, and refused with a clear message."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.api.conftest import World
from tests.pages.conftest import csrf_token, sign_in
from workflow.core.db import Database
from workflow.models import Delegation


def _delegate(web: FlaskClient, **fields: str) -> tuple[int, str]:
    token = csrf_token(web.get("/delegasi"))
    answer = web.post("/delegasi", data={"csrf_token": token, **fields})
    return answer.status_code, answer.get_data(as_text=True)


def test_an_hr_officer_delegates_to_a_colleague_until_a_date(
    web: FlaskClient, world: World, database: Database
) -> None:
    sign_in(web, "province.hr")
    until = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    status, _ = _delegate(
        web, delegate="province.all", role="hr", ends_on=until, reason="Cuti tahunan"
    )
    assert status == 303
    with database.read() as session:
        rows = session.scalars(select(Delegation)).all()
    assert [(r.role, r.delegate_id) for r in rows] == [("hr", world.user_id["province.all"])]


def test_an_unknown_colleague_or_a_missing_reason_is_shown_beside_the_field(
    web: FlaskClient, database: Database
) -> None:
    sign_in(web, "province.hr")
    until = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    status, page = _delegate(web, delegate="city.hr", role="hr", ends_on=until, reason="Cuti")
    assert status == 422
    assert "Tidak ada rekan dengan nama itu di instansi Anda." in page
    status, page = _delegate(web, delegate="province.all", role="hr", ends_on=until, reason="")
    assert status == 422
    assert 'href="#reason"' in page
    with database.read() as session:
        assert session.scalars(select(Delegation)).all() == []
