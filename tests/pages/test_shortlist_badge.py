"""The shortlist page shows a badge beside each member of the approved succession group."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.api.conftest import World
from tests.api.test_shortlist_succession import approved_group_and_vacancy
from tests.pages.conftest import sign_in
from workflow.core.db import Database


def test_members_carry_the_badge(web: FlaskClient, world: World, database: Database) -> None:
    members, vacancy_id = approved_group_and_vacancy(database, world)
    sign_in(web, "province.hr")
    html = web.get(f"/lowongan/{vacancy_id}/calon").get_data(as_text=True)
    shown = [nip for nip in members if nip in html]
    assert shown
    assert html.count('class="tag tag-group"') == len(shown)
    assert "kelompok suksesi" in html
