"""A run's narrowed-out list, kept compact for the explanation cache, answers like a mapping."""

from __future__ import annotations

import random

from workflow.screening.explanations import _NarrowedList


def test_the_compact_list_finds_every_nip_and_nothing_else() -> None:
    rnd = random.Random(5)
    nips = sorted({f"{rnd.randrange(10**17, 10**18)}" for _ in range(3000)})
    criteria = ["age.maximum", "education.minimum", "rank.minimum"]
    pairs = [[nip, rnd.choice(criteria)] for nip in nips]
    compact = _NarrowedList.of(pairs)
    assert compact.fallback is None
    assert len(compact.nips) == 18 * len(nips)
    assert all(compact.get(nip) == criterion for nip, criterion in pairs)
    absent = [f"{int(nip) + 1}" for nip in nips if f"{int(nip) + 1}" not in set(nips)][:200]
    assert all(compact.get(nip) is None for nip in absent)
    assert compact.get("1" * 17) is None
    assert compact.get("") is None
    assert compact.get("١" * 18) is None  # Arabic-Indic digits: not ASCII


def test_nips_of_mixed_width_fall_back_to_a_mapping() -> None:
    pairs = [["12345", "rank.minimum"], ["123456789012345678", "age.maximum"]]
    found = _NarrowedList.of(pairs)
    assert found.fallback == {"12345": "rank.minimum", "123456789012345678": "age.maximum"}
    assert found.get("12345") == "rank.minimum"
    assert found.get("99999") is None
