"""The pack parameter ``succession_group_first`` (PP 11/2017 Arts. 198, 200): false by default;
true ranks the approved succession group's members (a pure input of the context) ahead of
everyone of the same status; the group is part of the input digest, so replays agree."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from rules.pack import load_shipped, pack_from_document, read_yaml
from rules.profile import VacancyContext
from rules.ranking import RankKey, group_first, key_function
from rules.screening import screen
from rules.vocab import PositionLevel
from tests.support.rules import candidate

PACKS = Path(__file__).resolve().parents[2] / "rules" / "packs"
REFERENCE = dt.date(2026, 3, 1)


def _pool() -> list[Any]:
    """Five eligible candidates that differ only by NIP (so the NIP decides the order)."""
    return [candidate(nip=f"19800315200501200{i}") for i in range(1, 6)]


def _context(group: tuple[str, ...]) -> VacancyContext:
    return VacancyContext(
        level=PositionLevel.ADMINISTRATOR,
        reference_date=REFERENCE,
        position_code="ADM-KEY",
        is_key=True,
        succession_group=group,
    )


def _pack(first: bool) -> Any:
    document: dict[str, Any] = copy.deepcopy(read_yaml(PACKS / "bkn-national" / "pack.yaml"))
    document["parameters"]["succession_group_first"]["value"] = first
    return pack_from_document(document, file="test.yaml", parent=None)


def test_the_shipped_pack_declares_the_parameter_false_and_unconfirmed() -> None:
    param = load_shipped()["bkn-national"].params["succession_group_first"]
    assert param.default is False
    assert param.unconfirmed


def test_the_key_function_puts_the_group_first_only_inside_a_status() -> None:
    keys = [RankKey("nip", "asc")]
    plain, grouped = key_function(keys), key_function(keys, frozenset({"b"}))
    args: list[tuple[str, str]] = [("eligible", "a"), ("eligible", "b"), ("needs_data", "c")]
    facts: Any = {}
    measures: Any = None

    def order(key: Any) -> list[str]:
        return [n for s, n in sorted(args, key=lambda a: key(a[0], facts, measures, a[1], None))]

    assert order(plain) == ["a", "b", "c"]
    assert order(grouped) == ["b", "a", "c"]
    assert group_first({"succession_group_first": False}, ["b"]) == frozenset()
    assert group_first({"succession_group_first": True}, ["b"]) == frozenset({"b"})
    assert group_first({}, ["b"]) == frozenset()


def test_members_rank_first_when_the_pack_says_so_and_the_digest_holds_the_group() -> None:
    pool = _pool()
    last = pool[-1].nip
    without = screen(_pack(False), _context((last,)), pool, evaluator="python")
    assert [d.nip for d in without.decisions][-1] == last
    first = screen(_pack(True), _context((last,)), pool, evaluator="python")
    assert first.decisions[0].nip == last
    assert first.decisions[0].status == "eligible"
    again = screen(_pack(True), _context((last,)), pool, evaluator="python")
    assert again.result_digest == first.result_digest
    assert again.input_digest == first.input_digest
    other = screen(_pack(True), _context(()), pool, evaluator="python")
    assert other.input_digest != first.input_digest


def test_the_context_carries_the_group_through_json() -> None:
    context = _context(("198003152005012002", "198003152005012001"))
    data = context.to_json()
    assert data["succession_group"] == ["198003152005012002", "198003152005012001"]
    assert VacancyContext.from_json(data).succession_group == (
        "198003152005012001",
        "198003152005012002",
    )
    assert "succession_group" not in _context(()).to_json()
