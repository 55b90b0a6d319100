"""Employees with known 9-box placements for the talent tests, added to a seeded world."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from tests.support.registry_rows import add_employee
from tests.support.rules import candidate
from workflow.core.db import Database
from workflow.models import Employee, Position

KNOWN: tuple[tuple[str, str | None, int | None], ...] = (
    # (last predicate, potential, expected box)
    ("Sangat Baik", "tinggi", 9),
    ("Sangat Baik", "tinggi", 9),
    ("Baik", "tinggi", 8),
    ("Sangat Baik", "menengah", 7),
    ("Baik", "menengah", 5),
    ("Kurang", "rendah", 1),
    ("Baik", None, None),
)
"""Seven employees: two in box 9, one each in 8, 7, 5 and 1, and one without an assessment."""


def add_known(database: Database, *, tenant_id: int, serial: int = 0) -> dict[str, int | None]:
    """Add :data:`KNOWN` to the agency (in its administrator-level position's unit) and return
    each NIP's expected box."""
    expected: dict[str, int | None] = {}
    with database.transaction() as session:
        position_id = session.scalar(
            select(Position.id).where(
                Position.tenant_id == tenant_id, Position.level == "administrator"
            )
        )
        for i, (predicate, potential, box) in enumerate(KNOWN):
            nip = f"19800315200501{5000 + serial * 100 + i:04d}"
            assessments: list[dict[str, Any]] = (
                [
                    {
                        "assessed_on": "2025-08-01",
                        "method": "assessment_center",
                        "potential": potential,
                    }
                ]
                if potential
                else []
            )
            profile = candidate(
                nip=nip,
                performance=[
                    {"year": 2024, "predicate": "Baik"},
                    {"year": 2025, "predicate": predicate},
                ],
                assessments=assessments,
            )
            add_employee(session, profile, tenant_id=tenant_id, position_id=position_id)
            expected[nip] = box
    return expected


def touch(database: Database, nip: str, at: dt.datetime) -> None:
    """Mark an employee changed at ``at``, as an import that changed their record does."""
    with database.transaction() as session:
        session.execute(update(Employee).where(Employee.nip == nip).values(updated_at=at))
