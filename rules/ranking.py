"""Succession ranking: ordered sort keys from the pack, ending in a total order, and readiness.

Candidates are grouped by status (eligible, then needs_data, then ineligible) and ordered inside
each group by the pack's keys; a key a candidate has no value for sorts last whatever its
direction, and the last key is always the NIP, so no two candidates ever tie. The default keys
(``bkn-national``) are box, potential score, performance score, then the historic *Daftar Urut
Kepangkatan* order (PP 15/1979): rank, position, years of service, leadership training (higher,
then earlier), education, age (older first), and NIP.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from rules.derive import Measures
from rules.facts import Fact
from rules.text import Text

Status = Literal["eligible", "needs_data", "ineligible"]
STATUS_ORDER: Final[Mapping[str, int]] = {"eligible": 0, "needs_data": 1, "ineligible": 2}

SORT_KEYS: Final[Mapping[str, str]] = {
    "box": "9-box number",
    "potential_score": "potential score: the JPM in hundredths of a percent",
    "performance_score": "mean predicate score over the performance window",
    "succession_score": "weighted performance and potential score",
    "rank": "rank (pangkat) ordinal",
    "position_level": "talent level of the current position",
    "service_months": "completed months of service (masa kerja)",
    "leadership_training": "highest leadership training",
    "leadership_training_date": "completion date of that training (asc: earlier first)",
    "education": "highest education",
    "birth_date": "birth date (asc: older first)",
    "nip": "NIP (the final tie-break; ascending)",
}
"""Every key a ranking may use."""


@dataclass(frozen=True, slots=True)
class RankKey:
    """One sort key and its direction."""

    key: str
    direction: Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class ReadinessRule:
    """A readiness label and when it applies (first matching rule wins)."""

    label: Text
    statuses: frozenset[str]
    boxes: frozenset[int] | None
    """Boxes that qualify; ``None``: any, including an unknown box."""
    max_soft_failures: int | None


SortKey = tuple[int | str, ...]
_Getter = Callable[[Fact, Measures, str, int | None], int | str | None]


def _fact(name: str) -> _Getter:
    def get(fact: Fact, measures: Measures, nip: str, birth: int | None) -> int | None:
        value = fact.get(name)
        return value if isinstance(value, int) else None

    return get


_GETTERS: Final[Mapping[str, _Getter]] = {
    "box": lambda f, m, n, b: m.box,
    "potential_score": lambda f, m, n, b: m.jpm,
    "performance_score": lambda f, m, n, b: m.performance_score,
    "succession_score": lambda f, m, n, b: m.succession_score,
    "rank": _fact("rank"),
    "position_level": _fact("current_talent_level"),
    "service_months": _fact("service_months"),
    "leadership_training": _fact("leadership_training"),
    "leadership_training_date": _fact("leadership_training_date"),
    "education": _fact("education"),
    "birth_date": lambda f, m, n, b: b,
    "nip": lambda f, m, n, b: n,
}
assert _GETTERS.keys() == SORT_KEYS.keys()


def key_function(
    keys: Sequence[RankKey], first: frozenset[str] = frozenset()
) -> Callable[[str, Fact, Measures, str, int | None], SortKey]:
    """Return a function ordering candidates by status, then the pack's keys.

    It takes (status, fact, measures, NIP, birth date ordinal) and returns a tuple: a key with no
    value sorts last whatever its direction; ``desc`` keys are negated numbers. ``first`` (NIPs
    of the position's approved succession group, when the pack ranks it first) puts its members
    ahead of everyone else of the same status (PP 11/2017 Arts. 198, 200): a pure input, so
    the same group gives the same order.
    """
    getters = tuple((_GETTERS[k.key], k.direction == "desc") for k in keys)
    order = STATUS_ORDER

    def key(status: str, fact: Fact, measures: Measures, nip: str, birth: int | None) -> SortKey:
        out: list[int | str] = [order[status]]
        if first:
            out.append(0 if nip in first else 1)
        for get, descending in getters:
            value = get(fact, measures, nip, birth)
            if value is None:
                out += (1, 0)
            elif isinstance(value, str):
                out += (0, value)
            else:
                out += (0, -value if descending else value)
        return tuple(out)

    return key


def readiness_index(
    rules: Sequence[ReadinessRule], status: str, box: int | None, soft_failures: int
) -> int:
    """Return the index of the first readiness rule a candidate meets (-1: none does)."""
    for number, rule in enumerate(rules):
        if status not in rule.statuses:
            continue
        if rule.boxes is not None and box not in rule.boxes:
            continue
        if rule.max_soft_failures is not None and soft_failures > rule.max_soft_failures:
            continue
        return number
    return -1


def readiness(
    rules: Sequence[ReadinessRule],
    otherwise: Text,
    status: str,
    box: int | None,
    soft_failures: int,
) -> Text:
    """Return the readiness label of the first rule a candidate meets, else ``otherwise``."""
    number = readiness_index(rules, status, box, soft_failures)
    return rules[number].label if number >= 0 else otherwise


GROUP_FIRST_PARAMETER: Final = "succession_group_first"
"""The pack parameter (bool) that ranks the approved succession group's members first."""


def group_first(param_values: Mapping[str, object], members: Sequence[str]) -> frozenset[str]:
    """Return the NIPs to rank first: ``members`` when the pack's parameter says so, else none."""
    if param_values.get(GROUP_FIRST_PARAMETER) is True:
        return frozenset(members)
    return frozenset()
