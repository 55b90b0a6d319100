"""The ledger agrees with docs/ledger.md and holds no names.

One scenario makes the service write every kind it can (a publication, an import, a vacancy
opened, moved, refused, screened, decided by a delegate, reminded and escalated); then every
entry's kind must be in the spec's table, every actor an internal id or null, and no string in
any entry may name a user (username, display name) or an employee. A source walk checks that
every ``append`` names its kind from ``LedgerKind``, so the scenario cannot miss a kind that
only a literal would write."""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.schemas.registry_import import RegistryRowValidator
from rules.pack import load_shipped
from tests.support.talent import add_known
from tests.support.world import build_world
from workflow import jobs, talent
from workflow.core.db import Database
from workflow.core.errors import Refused
from workflow.identity import AccessRecorder, create_delegation
from workflow.ledger import ACTOR_PATTERN, LedgerKind
from workflow.ledger import chain as ledger
from workflow.models import Employee, LedgerEntry, Position, User, Vacancy
from workflow.registry import ImportFile, import_registry
from workflow.screening.rulepacks import publish_pack
from workflow.talent import record_activity, run_talent_map
from workflow.vacancies import sla

ROOT = Path(__file__).resolve().parents[3]
SPEC = ROOT / "docs" / "ledger.md"


def spec_kinds() -> set[str]:
    """Return the kinds in the table of docs/ledger.md §2 (``| `a.b` ...`` or ``, `c.d` ``)."""
    text = SPEC.read_text(encoding="utf-8")
    table = text[text.index("| kind | recorded when |") :].split("\n\n", 1)[0]
    return {
        kind
        for line in table.splitlines()[2:]
        for kind in re.findall(r"`([a-z_.]+)`", line.split("|")[1])
    }


def test_every_kind_the_code_names_is_in_the_spec_and_back() -> None:
    assert spec_kinds() == {str(kind) for kind in LedgerKind}


def test_every_append_in_the_code_takes_its_kind_from_ledger_kind() -> None:
    loose = []
    for path in [*ROOT.glob("workflow/**/*.py"), *ROOT.glob("api/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and _called(node) == "append"):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            if "kind" not in keywords:
                continue
            kind, actor = keywords["kind"], keywords.get("actor")
            if not (isinstance(kind, ast.Attribute) and ast.unparse(kind.value).endswith("Kind")):
                loose.append(f"{path.relative_to(ROOT)}:{node.lineno} kind={ast.unparse(kind)}")
            if isinstance(actor, ast.Constant) and actor.value is not None:
                loose.append(f"{path.relative_to(ROOT)}:{node.lineno} actor={actor.value!r}")
    assert loose == []


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _succession_group(database: Database, world: Any) -> None:
    """A group created, proposed, refused to its proposer (HR does not decide), approved."""
    add_known(database, tenant_id=world.tenant_ids["BANTEN"])
    with database.transaction() as session:
        position = Position(
            tenant_id=world.tenant_ids["BANTEN"],
            code="KEY-SPEC",
            title="Kepala Biro",
            level="administrator",
            unit="Biro Keuangan",
            is_key=True,
        )
        session.add(position)
        session.flush()
        position_id = position.id

    def recorder(username: str) -> AccessRecorder:
        return AccessRecorder(
            actor=world.actor(username), method="POST", endpoint="t", purpose="t", now=world.now()
        )

    group = talent.create_group(
        database,
        recorder=recorder("hr1"),
        position_id=position_id,
        year=2026,
        pack="bkn-national",
        reference_date=dt.date(2026, 3, 1),
        now=world.now(),
    )
    group = talent.act(
        database,
        recorder=recorder("hr1"),
        group_id=group.group.id,
        action="propose",
        revision=group.group.revision,
        now=world.now(),
    )
    with pytest.raises(Refused):
        talent.act(
            database,
            recorder=recorder("hr1"),
            group_id=group.group.id,
            action="approve",
            revision=group.group.revision,
            now=world.now(),
        )
    talent.act(
        database,
        recorder=recorder("boss"),
        group_id=group.group.id,
        action="approve",
        revision=group.group.revision,
        now=world.now(),
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_every_kind_written_is_specified_and_names_nobody(database: Database) -> None:
    world = build_world(database)
    now = world.now()
    publish_pack(database, pack=load_shipped()["bkn-national"], published_by="ops", now=now)
    headers = {
        "positions.csv": b"tenant_code,code,title,level,unit\n",
        "position_competencies.csv": b"tenant_code,position_code,competency,required_level\n",
    }
    files = [
        ImportFile(name=name, opener=lambda content=content: io.BytesIO(content))
        for name, content in headers.items()
    ]
    import_registry(database, files=files, validator=RegistryRowValidator(), now=now)
    decided = world.to_authority()
    create_delegation(
        database,
        actor=world.actor("boss"),
        delegate_username="deputy",
        role="authority",
        starts_at=world.now(),
        ends_at=world.now() + dt.timedelta(days=7),
        reason="on official travel",
        now=world.now(),
    )
    world.act("deputy", decided, "decide", candidate=world.nips["E1"], on_behalf_of="boss")
    late = world.to_committee()
    with pytest.raises(Refused):
        world.act("aud", late, "vote", decision="approve")
    with database.read() as session:
        vacancy = session.get(Vacancy, late)
        assert vacancy is not None
        start = vacancy.state_entered_at
    sla.sweep(database, now=start + dt.timedelta(days=7, hours=12))
    sla.sweep(database, now=start + dt.timedelta(days=10))
    run_talent_map(database, actor=world.actor("hr1"), reference_date=now.date(), now=now)
    _succession_group(database, world)
    record_activity(
        database,
        actor=world.actor("hr1"),
        employee=world.nips["E1"],
        kind="training",
        title="Pelatihan Kepemimpinan Pengawas",
        occurred_on=now.date(),
        hours=40,
        competency="integritas",
        training_kind="PKP",
        now=now,
    )
    # a screening job no worker picked up, stopped by the authority: job.started, job.finished
    screening_job = world.open()
    world.act("hr2", screening_job, "submit")
    queue = jobs.make_queue(database, broker_url="memory://", eager=False, shard_size=5000)
    started = jobs.start_screening_job(
        queue,
        actor=world.system(),
        vacancy_id=screening_job,
        expected_version=world.version(screening_job),
        idempotency_key=world.key(),
        now=world.now(),
    )
    assert started.job is not None
    jobs.cancel_job(
        database, actor=world.actor("boss"), job_id=started.job.id, reason="stop", now=world.now()
    )

    with database.read() as session:
        bodies = [json.loads(b) for b in session.scalars(select(LedgerEntry.body))]
        names = {
            *session.scalars(select(User.username)),
            *session.scalars(select(User.display_name)),
            *session.scalars(select(Employee.name)),
        }
    written = {body["kind"] for body in bodies}
    assert written == {str(kind) for kind in LedgerKind}  # the scenario reached every kind
    assert written <= spec_kinds()
    assert "vacancy.refused" in written
    # A string that is a name, or holds one of 4+ characters as a word ("bkn" the username is
    # also the prefix of the pack id "bkn-national"; "boss", "deputy", "Pegawai E1" are names).
    words = sorted((n for n in names if len(n) >= 4), key=len, reverse=True)
    named = re.compile(
        "|".join(rf"\b{re.escape(n)}\b" for n in words)
        + "|^(?:"
        + "|".join(map(re.escape, names))
        + ")$"
    )
    for body in bodies:
        actor = body["actor"]
        assert actor is None or ACTOR_PATTERN.fullmatch(actor), body
        delegator = body["data"].get("on_behalf_of")
        assert delegator is None or ACTOR_PATTERN.fullmatch(delegator), body
        found = [s for s in _strings([actor, body["data"]]) if named.search(s)]
        assert found == [], (body["kind"], found)
    delegated = [b for b in bodies if "on_behalf_of" in b["data"]]
    assert [(b["actor"], b["data"]["on_behalf_of"]) for b in delegated] == [
        (f"user:{world.actor('deputy').user_id}", f"user:{world.actor('boss').user_id}")
    ]
    assert ledger.verify(database).ok
