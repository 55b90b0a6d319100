"""Registry rows become candidate profiles in bulk; a position is screened from the registry."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from bench.pool import REFERENCE_DATE, pool
from rules.pack import Pack, load_shipped
from tests.support.registry_rows import add_employee
from workflow.core.db import Database
from workflow.core.errors import InvalidInput, NotFound
from workflow.models.registry import Position, PositionCompetency, Tenant
from workflow.screening.pool import screen_position
from workflow.screening.profiles import find_position, load_profile, load_profiles, vacancy_context


@pytest.fixture(scope="module")
def national() -> Pack:
    return load_shipped()["bkn-national"]


def seed(database: Database, people: int = 12) -> dict[str, int]:
    """Two tenants, an Administrator position held by the first person, ``people`` employees."""
    profiles = pool(people, seed=3)
    with database.transaction() as session:
        banten = Tenant(code="banten", name="Provinsi Banten", level="province")
        session.add(banten)
        session.flush()
        serang = Tenant(code="kota-serang", name="Kota Serang", level="city", parent_id=banten.id)
        session.add(serang)
        session.flush()
        position = Position(
            tenant_id=serang.id, code="ADM-01", title="Kepala Bagian Umum", level="administrator",
            unit="Sekretariat", is_key=True, required_education_fields=["Administrasi Publik"],
        )  # fmt: skip
        position.competencies = [PositionCompetency(competency="integritas", required_level=4)]
        session.add(position)
        session.flush()
        for i, profile in enumerate(profiles):
            tenant = serang.id if i % 3 else banten.id
            add_employee(
                session, profile, tenant_id=tenant, position_id=position.id if i == 1 else None
            )
        return {"banten": banten.id, "serang": serang.id, "position": position.id}


@contextmanager
def counted(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        if not str(args[2]).startswith("BEGIN"):
            statements.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_profiles_read_back_equal_to_what_was_written(database: Database) -> None:
    seed(database)
    written = {p.nip: p for p in pool(12, seed=3)}
    with database.read() as session:
        loaded = load_profiles(session)
    assert len(loaded) == 12
    for profile in loaded:
        source = written[profile.nip]
        assert dataclasses.replace(profile, tenant=source.tenant, position_code=None) == source


def test_a_pool_is_read_with_a_constant_number_of_queries(database: Database) -> None:
    ids = seed(database, people=30)
    with database.read() as session:
        with counted(database) as small:
            load_profiles(session, nips=[p.nip for p in pool(30, seed=3)[:3]])
        with counted(database) as large:
            assert len(load_profiles(session, tenant_ids=[ids["serang"], ids["banten"]])) == 30
    assert len(small) == len(large) <= 9


def test_the_vacancy_context_comes_from_the_position(database: Database) -> None:
    ids = seed(database)
    with database.read() as session:
        assert find_position(session, reference="ADM-01") == ids["position"]
        assert find_position(session, reference="kota-serang/ADM-01") == ids["position"]
        assert find_position(session, reference=str(ids["position"])) == ids["position"]
        with pytest.raises(NotFound):
            find_position(session, reference="banten/ADM-01")
        context = vacancy_context(
            session, position_id=ids["position"], reference_date=REFERENCE_DATE
        )
        holder = load_profile(session, nip=pool(12, seed=3)[1].nip)
    assert context.level.value == "administrator"
    assert context.competencies == (("integritas", 4),)
    assert context.required_education_fields == ("Administrasi Publik",)
    assert context.tenant == "kota-serang"
    assert holder.position_code == "ADM-01"


def test_screening_a_position_excludes_its_holder(database: Database, national: Pack) -> None:
    ids = seed(database)
    holder = pool(12, seed=3)[1].nip
    own = screen_position(
        database, pack=national, position_id=ids["position"], reference_date=REFERENCE_DATE
    )
    assert holder not in {d.nip for d in own.decisions}
    assert {own.profiles[d.input_index].tenant for d in own.decisions} == {"kota-serang"}
    both = screen_position(
        database, pack=national, position_id=ids["position"], reference_date=REFERENCE_DATE,
        tenant_ids=[ids["serang"], ids["banten"]],
    )  # fmt: skip
    assert len(both.decisions) == 11
    assert both.input_digest != own.input_digest


def test_screening_refuses_a_date_the_pack_does_not_cover(
    database: Database, national: Pack
) -> None:
    ids = seed(database)
    with pytest.raises(InvalidInput, match="outside"):
        screen_position(
            database, pack=national, position_id=ids["position"], reference_date=dt.date(2019, 1, 1)
        )
    with pytest.raises(NotFound):
        screen_position(database, pack=national, position_id=999, reference_date=REFERENCE_DATE)
