"""Ranking: status groups, then the pack's keys, unknown values last, NIP as the final tie-break."""

from __future__ import annotations

from typing import Any

from rules.pack import Pack
from rules.screening import screen
from tests.support.rules import candidate, vacancy

BAIK_TWICE = [{"year": 2024, "predicate": "Baik"}, {"year": 2025, "predicate": "Baik"}]
JPM_90 = [{"assessed_on": "2025-08-01", "method": "cact", "jpm": 90, "potential": "tinggi"}]


def ranked(pack: Pack, people: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Screen the named variations of the eligible candidate; return the names in rank order."""
    profiles = [
        candidate(nip=f"19800315200501{i:04d}", name=name, **changes)
        for i, (name, changes) in enumerate(people)
    ]
    result = screen(pack, vacancy(), profiles)
    names = {p.nip: p.name for p in profiles}
    return [str(names[d.nip]) for d in result.decisions]


def test_status_then_box_then_potential_then_performance(national: Pack) -> None:
    order = ranked(
        national,
        [
            ("box8", {"performance": BAIK_TWICE}),
            ("box9_jpm90", {"assessments": JPM_90}),
            ("box9", {}),
            ("ineligible", {"rank": "III/a"}),
            ("needs_data", {"performance": [{"year": 2025, "predicate": "Baik"}]}),
        ],
    )
    assert order == ["box9", "box9_jpm90", "box8", "needs_data", "ineligible"]


def test_duk_tie_breaks_then_nip(national: Pack) -> None:
    order = ranked(
        national,
        [
            ("lower_rank", {"rank": "III/d"}),
            ("twin_b", {}),
            ("twin_a", {}),
            ("older", {"birth_date": "1979-03-15"}),
            ("later_pka", {"trainings": [{"kind": "PKA", "completed_on": "2025-01-01"}]}),
        ],
    )
    # equal box and scores: rank desc, training completed earlier first, older first, then NIP
    assert order == ["older", "twin_b", "twin_a", "later_pka", "lower_rank"]


def test_unknown_values_sort_last_whatever_the_direction(national: Pack) -> None:
    assert ranked(national, [("unassessed", {"assessments": []}), ("assessed", {})]) == [
        "assessed",
        "unassessed",
    ]
