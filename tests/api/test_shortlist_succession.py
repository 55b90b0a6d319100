"""A key position's vacancy: the screening reads the approved succession group of the year into
its snapshot, and the shortlist marks its members (PP 11/2017 Art. 199)."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient

from tests.api.conftest import NOW, World
from tests.support.screening import screen_province_vacancy
from tests.support.talent import add_known
from tests.workflow.talent.test_groups import key_position, recorder_of
from workflow import talent
from workflow.core.db import Database


def approved_group_and_vacancy(database: Database, world: World) -> tuple[list[str], int]:
    """Approve a group of a new province key position for 2026, then screen a vacancy for it;
    return the members' NIPs and the vacancy's id."""
    add_known(database, tenant_id=world.tenant_id["province"])
    position = key_position(database, world.tenant_id["province"])
    draft = talent.create_group(
        database,
        recorder=recorder_of(database, "province.hr"),
        position_id=position,
        year=2026,
        pack="bkn-national",
        reference_date=dt.date(2026, 3, 1),
        members=None,
        now=NOW,
    )
    proposed = talent.act(
        database,
        recorder=recorder_of(database, "province.hr"),
        group_id=draft.group.id,
        action="propose",
        revision=1,
        now=NOW,
    )
    talent.act(
        database,
        recorder=recorder_of(database, "province.authority"),
        group_id=draft.group.id,
        action="approve",
        revision=proposed.group.revision,
        now=NOW,
    )
    members = sorted(m.nip for m in draft.members)
    screened = screen_province_vacancy(database, world, position_code="ADM-KEY")
    assert screened.snapshot["vacancy"]["succession_group"] == members
    return members, screened.vacancy_id


def test_the_shortlist_marks_the_approved_group(
    api: FlaskClient, world: World, database: Database
) -> None:
    members, vacancy_id = approved_group_and_vacancy(database, world)
    shortlist = api.get(
        f"/api/v1/vacancies/{vacancy_id}/shortlist",
        headers=world.headers("province.hr"),
    )
    assert shortlist.status_code == 200, shortlist.json
    marked = {i["nip"] for i in shortlist.json["items"] if i["in_succession_group"]}
    listed = {i["nip"] for i in shortlist.json["items"]}
    assert marked == set(members) & listed
    assert marked
