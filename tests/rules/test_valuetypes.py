"""Value types read pack literals into ordinals and render them back for people."""

from __future__ import annotations

import pytest

from rules.valuetypes import MONTHS_EVER, TYPES, LiteralError, percent_hundredths


def test_ranks_education_and_trainings_become_ordinals() -> None:
    assert TYPES["rank"].parse("III/d") == 12
    assert TYPES["rank"].parse("iii/d") == 12
    assert TYPES["education"].parse("D-IV") == TYPES["education"].parse("S1") == 7
    assert TYPES["training"].parse("Diklatpim III") == TYPES["training"].parse("PKA") == 2
    assert TYPES["predicate"].parse("Baik") == 4


def test_values_render_readably() -> None:
    assert TYPES["rank"].render(11) == "III/c"
    assert TYPES["education"].render(7) == "S1/D-IV"
    assert TYPES["training"].render(0) == "none"
    assert TYPES["training"].render(0, "id") == "belum ada"
    assert TYPES["months"].render(27) == "2 years 3 months"
    assert TYPES["months"].render(12, "id") == "1 tahun"
    assert TYPES["months"].render(1) == "1 month"
    assert TYPES["months"].render(MONTHS_EVER) == "ever"
    assert TYPES["percent"].render(8050) == "80.50%"
    assert TYPES["years"].render(1) == "1 year"
    assert TYPES["bool"].render(True, "id") == "ya"


def test_percentages_are_exact_hundredths() -> None:
    assert percent_hundredths(80) == 8000
    assert percent_hundredths(82.25) == 8225
    assert percent_hundredths("77.99") == 7799
    with pytest.raises(LiteralError, match="two decimal places"):
        percent_hundredths(80.125)
    with pytest.raises(LiteralError):
        percent_hundredths(True)


@pytest.mark.parametrize(
    ("type_name", "literal"),
    [("rank", 5), ("rank", "III/f"), ("years", 200), ("years", "5"), ("bool", "yes"), ("box", 0)],
)
def test_bad_literals_are_refused(type_name: str, literal: object) -> None:
    with pytest.raises(LiteralError):
        TYPES[type_name].parse(literal)


def test_months_accept_ever_as_the_longest_look_back() -> None:
    assert TYPES["months"].parse("ever") == MONTHS_EVER
    assert TYPES["months"].to_data(MONTHS_EVER) == "ever"
