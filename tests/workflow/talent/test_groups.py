"""Succession groups: HR proposes the year's group from the ranked successors, the authority
approves or returns it; separation of duties, immutability once approved, versions that
supersede, agency isolation, the access log and the ledger."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from tests.api.conftest import NOW, World, seed_world
from tests.support.talent import add_known
from workflow import talent
from workflow.core import Actor, Conflict, InvalidInput, NotFound, PageRequest, Refused
from workflow.core.db import Database
from workflow.identity import AccessRecorder
from workflow.identity.accounts import actor_by_username, create_user
from workflow.ledger import chain as ledger
from workflow.models import Employee, LedgerEntry, PersonalDataAccess, Position, UserRole

REFERENCE = dt.date(2026, 3, 1)
YEAR = 2026


@pytest.fixture
def world(database: Database) -> World:
    return seed_world(database)


def recorder_of(database: Database, username: str) -> AccessRecorder:
    with database.read() as session:
        actor: Actor = actor_by_username(session, username)
    return AccessRecorder(actor=actor, method="POST", endpoint="t", purpose="t", now=NOW)


def key_position(database: Database, tenant_id: int, code: str = "ADM-KEY") -> int:
    with database.transaction() as session:
        position = Position(
            tenant_id=tenant_id,
            code=code,
            title="Kepala Biro Keuangan",
            level="administrator",
            unit="Biro Keuangan",
            is_key=True,
        )
        session.add(position)
        session.flush()
        return position.id


@pytest.fixture
def position(database: Database, world: World) -> int:
    add_known(database, tenant_id=world.tenant_id["province"])
    return key_position(database, world.tenant_id["province"])


def _create(database: Database, position: int, **kwargs: object) -> talent.GroupDetail:
    return talent.create_group(
        database,
        recorder=recorder_of(database, "province.hr"),
        position_id=position,
        year=YEAR,
        pack="bkn-national",
        reference_date=REFERENCE,
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def _act(
    database: Database, username: str, detail: talent.GroupDetail, action: str, **kw: object
) -> talent.GroupDetail:
    return talent.act(
        database,
        recorder=recorder_of(database, username),
        group_id=detail.group.id,
        action=action,
        revision=detail.group.revision,
        now=NOW + dt.timedelta(hours=1),
        **kw,  # type: ignore[arg-type]
    )


def _kinds(database: Database) -> list[dict[str, object]]:
    with database.read() as session:
        bodies = [json.loads(b) for b in session.scalars(select(LedgerEntry.body))]
    return [b for b in bodies if str(b["kind"]).startswith("succession.")]


def test_proposed_then_approved_with_the_ledger_showing_each_step(
    database: Database, world: World, position: int
) -> None:
    draft = _create(database, position)
    assert draft.group.state == "draft"
    assert draft.group.version == 1
    assert 1 <= len(draft.members) <= 5
    assert [m.rank for m in draft.members] == sorted(m.rank for m in draft.members)
    assert all(m.readiness and "en" in m.readiness for m in draft.members)
    assert draft.actions == ["propose", "revise"]
    proposed = _act(database, "province.hr", draft, "propose")
    assert proposed.group.state == "proposed"
    assert proposed.group.due_at == NOW + dt.timedelta(hours=1, days=talent.DECISION_DAYS)
    assert proposed.actions == []
    approved = _act(database, "province.authority", proposed, "approve")
    assert approved.group.state == "approved"
    assert approved.group.current
    entries = _kinds(database)
    assert [(e["kind"], e["data"].get("action")) for e in entries] == [  # type: ignore[union-attr]
        ("succession.created", None),
        ("succession.transition", "propose"),
        ("succession.transition", "approve"),
    ]
    hr, boss = world.user_id["province.hr"], world.user_id["province.authority"]
    assert [e["actor"] for e in entries] == [f"user:{hr}", f"user:{hr}", f"user:{boss}"]
    assert entries[0]["data"]["members"] == [m.employee_id for m in draft.members]  # type: ignore[index]
    assert ledger.verify(database).ok
    found = talent.memberships(database, draft.members[0].employee_id)
    assert [(m.group_id, m.rank, m.year) for m in found] == [
        (approved.group.id, draft.members[0].rank, YEAR)
    ]


def test_returned_with_a_reason_then_revised_and_proposed_again(
    database: Database, world: World, position: int
) -> None:
    proposed = _act(database, "province.hr", _create(database, position), "propose")
    with pytest.raises(InvalidInput, match="needs a reason"):
        _act(database, "province.authority", proposed, "return", reason="  ")
    returned = _act(database, "province.authority", proposed, "return", reason="Tambahkan kandidat")
    assert returned.group.state == "returned"
    assert returned.group.return_reason == "Tambahkan kandidat"
    last = _kinds(database)[-1]
    assert "Tambahkan" not in json.dumps(last)  # the ledger keeps the reason's digest only
    chosen = [m.nip for m in returned.members][:1]
    revised = _act(database, "province.hr", returned, "revise", members=chosen)
    assert [m.nip for m in revised.members] == chosen
    assert revised.group.state == "returned"
    assert revised.group.members_digest != returned.group.members_digest
    again = _act(database, "province.hr", revised, "propose")
    assert again.group.state == "proposed"
    assert again.group.return_reason is None


def test_hr_may_not_decide_and_the_refusal_is_in_the_ledger(
    database: Database, world: World, position: int
) -> None:
    proposed = _act(database, "province.hr", _create(database, position), "propose")
    with pytest.raises(Refused, match="taken by authority"):
        _act(database, "province.hr", proposed, "approve")
    refused = _kinds(database)[-1]
    assert refused["kind"] == "succession.refused"
    assert refused["data"]["rule"] == "ROLE"  # type: ignore[index]


def test_sod_proposer_cannot_approve(database: Database, world: World, position: int) -> None:
    with database.transaction() as session:
        session.add(UserRole(user_id=world.user_id["province.hr"], role="authority"))
    proposed = _act(database, "province.hr", _create(database, position), "propose")
    with pytest.raises(Refused, match="proposed a succession group") as caught:
        _act(database, "province.hr", proposed, "approve")
    assert caught.value.details["rule"] == "SOD-PROPOSER"
    assert _kinds(database)[-1]["kind"] == "succession.refused"


def test_stale_revision_and_wrong_state_are_conflicts(
    database: Database, world: World, position: int
) -> None:
    draft = _create(database, position)
    _act(database, "province.hr", draft, "propose")
    with pytest.raises(Conflict, match="changed since you opened it"):
        _act(database, "province.hr", draft, "propose")
    with pytest.raises(Conflict, match="still open"):
        _create(database, position)


def test_approved_is_immutable_and_a_new_version_supersedes_it(
    database: Database, world: World, position: int
) -> None:
    first = _act(
        database,
        "province.authority",
        _act(database, "province.hr", _create(database, position), "propose"),
        "approve",
    )
    for action in ("revise", "propose", "return", "approve"):
        with pytest.raises(Conflict, match="not possible in state approved"):
            _act(database, "province.authority", first, action, reason="x")
    second = _create(database, position, members=[first.members[0].nip])
    assert second.group.version == 2
    approved = _act(
        database,
        "province.authority",
        _act(database, "province.hr", second, "propose"),
        "approve",
    )
    old = talent.get_group(
        database, recorder=recorder_of(database, "province.hr"), group_id=first.group.id
    )
    assert old.group.state == "approved"
    assert not old.group.current
    assert old.group.superseded_by == approved.group.id
    assert [m.nip for m in old.members] == [m.nip for m in first.members]  # still readable
    assert _kinds(database)[-1]["data"]["supersedes"] == [first.group.id]  # type: ignore[index]
    with database.read() as session:
        assert talent.approved_members(session, position_id=position, year=YEAR) == {
            first.members[0].employee_id
        }


def test_other_agencies_see_nothing_and_national_users_change_nothing(
    database: Database, world: World, position: int
) -> None:
    draft = _create(database, position)
    with pytest.raises(NotFound):
        talent.get_group(
            database, recorder=recorder_of(database, "city.hr"), group_id=draft.group.id
        )
    with pytest.raises(NotFound):
        _act(database, "city.hr", draft, "propose")
    with pytest.raises(Refused):
        _act(database, "national.hr", draft, "propose")
    page = PageRequest(page=1, per_page=50)
    city = recorder_of(database, "city.hr").actor
    assert talent.list_groups(database, actor=city, page=page).items == []
    national = recorder_of(database, "national.national_reviewer").actor
    listed = talent.list_groups(database, actor=national, page=page, year=YEAR, state="draft")
    assert [g.id for g in listed.items] == [draft.group.id]
    with pytest.raises(Refused):
        talent.create_group(
            database,
            recorder=recorder_of(database, "province.authority"),
            position_id=position,
            year=YEAR + 1,
            pack="bkn-national",
            reference_date=REFERENCE,
            now=NOW,
        )


def test_members_must_come_from_the_list_and_reads_are_logged(
    database: Database, world: World, position: int
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _create(database, position, members=["199901012020011001"])
    assert caught.value.problems[0]["field"] == "members[0]"
    draft = _create(database, position)
    with database.transaction() as session:
        session.query(PersonalDataAccess).delete()
    talent.get_group(
        database, recorder=recorder_of(database, "province.auditor"), group_id=draft.group.id
    )
    with database.read() as session:
        logged = set(session.scalars(select(PersonalDataAccess.employee_id)))
    assert logged == {m.employee_id for m in draft.members}


def test_a_member_sees_the_approved_group_in_their_own_view(
    database: Database, world: World, position: int
) -> None:
    """The employee's own view lists the approved group (with year and rank) of a key position,
    and no longer as merely "computed" for that position."""
    draft = _create(database, position)
    before = _act(database, "province.hr", draft, "propose")
    _act(database, "province.authority", before, "approve")
    member = draft.members[0]
    with database.read() as session:
        nip = session.scalar(select(Employee.nip).where(Employee.id == member.employee_id))
    assert nip is not None
    create_user(
        database,
        tenant_code=world.tenant_code["province"],
        username="province.member",
        display_name="Anggota",
        roles=["employee"],
        employee_nip=nip,
    )
    view = talent.own_view(
        database, recorder=recorder_of(database, "province.member"), reference_date=REFERENCE
    )
    mine = [s for s in view.succession if s["position_id"] == position]
    assert mine == [
        {
            "position_id": position,
            "position_code": "ADM-KEY",
            "title": "Kepala Biro Keuangan",
            "level": None,
            "readiness": member.readiness,
            "source": "approved",
            "year": YEAR,
            "rank": member.rank,
        }
    ]
