"""The talent map's digests and snapshot stay what they were before the speed work (issue 11).

The constants were computed by the code before it was optimised (bulk loading on the
connection, one canonical JSON per employee, the snapshot built during the map); the two digests
were recomputed once when bkn-national gained its ``succession_group_first`` parameter (a new
pack digest; the snapshots and the counts did not move). A faster
load, map or store that changed a single byte of what a run digests or stores fails here. One
registry is generated (``bench.pool``: pure), one is the demo registry seeded into each
backend, read back through the use case's loader.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib

import pytest
from sqlalchemy import select

from api.schemas.registry_import import RegistryRowValidator
from bench.pool import REFERENCE_DATE, pool
from rules.pack import Pack, load_shipped
from rules.profile import VacancyContext
from rules.screening import profile_digest, screen
from rules.talent import Subject, map_talent, snapshot_json
from rules.vocab import PositionLevel
from workflow.core.db import Database
from workflow.models import Tenant
from workflow.registry.demo import seed_demo
from workflow.talent.runs import compute, gzip_snapshot, load_subjects

LEVELS = (PositionLevel.PELAKSANA, PositionLevel.PENGAWAS, PositionLevel.ADMINISTRATOR, None)
GENERATED = (
    "54436b1446cc390feab09e07755c9e719d17ca08417c416a93c77aece4173620",
    "71360f07d37ee86a3dddd61b5d3869d5d0806d39f1752df8bcad12fa79ea15ba",
    "8c15ac0ff9757fc005571209366aead5e77a2a5de913edf5e33138bd4fa9a0b3",
)
"""Input digest, result digest, SHA-256 of the snapshot JSON of 3,000 generated employees."""
DEMO = {
    "BANTEN": (
        88,
        "ecb54a497c8fb4ffd43f6e4b18f177b67b49da4cc9ed965ca12e834da2ed0ad8",
        "504c461d4d8406bb14e418928be27f1ff17af49a4896f2c528c1ae32cff4bac8",
        "0d2ee871dd0bc4e48bcf764aef5d213e80e41f9846c8d47e1ebd8f2fd7be538d",
    ),
    "KOTA-SERANG": (
        28,
        "62655069b688c3b7e8770ba84680bcf9134651870b6b0fb7884d69b0ba41a3b3",
        "49efa899edd441e444d658133a5151de04611261eea7a2926c3f0626c35c90c4",
        "0f996eb797d5812e1212cb793157b3b61dd81e797b54348498f80ce545b8a9e6",
    ),
}
"""Per agency of the demo registry (400 employees, seed 13): employees and the same three."""


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_shipped()["bkn-national"]


def _generated() -> list[Subject]:
    return [
        Subject(p, LEVELS[i % 4], f"Unit {i % 7}" if i % 5 else None)
        for i, p in enumerate(pool(3000, seed=23))
    ]


@pytest.mark.parametrize("processes", [1, 2])
def test_a_generated_registry_keeps_its_digests_and_snapshot(pack: Pack, processes: int) -> None:
    subjects = _generated()
    result = map_talent(pack, REFERENCE_DATE, subjects[::-1], processes=processes)
    snapshot = hashlib.sha256(snapshot_json(REFERENCE_DATE, subjects)).hexdigest()
    assert (result.input_digest, result.result_digest, snapshot) == GENERATED
    assert (result.mapped, result.pool) == (2570, 976)
    assert result.snapshot == snapshot_json(REFERENCE_DATE, subjects)


def test_the_demo_registry_loads_and_maps_to_the_same_digests(
    database: Database, pack: Pack
) -> None:
    seed_demo(
        database,
        employees=400,
        seed=13,
        as_of=REFERENCE_DATE,
        validator=RegistryRowValidator(),
        now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    with database.read() as session:
        tenants = dict(session.execute(select(Tenant.code, Tenant.id)).all())
        for code, (employees, input_digest, result_digest, snapshot) in DEMO.items():
            loaded = load_subjects(session, tenant_id=tenants[code])
            result = compute(pack, loaded, reference_date=REFERENCE_DATE, processes=1)
            stored = gzip.decompress(gzip_snapshot(REFERENCE_DATE, loaded.subjects))
            assert len(loaded.subjects) == employees
            assert (result.input_digest, result.result_digest) == (input_digest, result_digest)
            assert hashlib.sha256(stored).hexdigest() == snapshot
            assert result.snapshot == stored


@pytest.mark.parametrize("processes", [1, 2])
def test_a_screening_given_the_profile_digests_is_the_screening_without(
    pack: Pack, processes: int
) -> None:
    """Successor lists digest each profile once for all positions; nothing else changes."""
    profiles = pool(3000, seed=29)
    context = VacancyContext(PositionLevel.ADMINISTRATOR, REFERENCE_DATE, is_key=True)
    digests = {p.nip: profile_digest(p) for p in profiles}
    plain = screen(pack, context, profiles, processes=processes)
    given = screen(pack, context, profiles, processes=processes, digests=digests)
    assert given.decisions == plain.decisions
    assert (given.input_digest, given.result_digest) == (plain.input_digest, plain.result_digest)
