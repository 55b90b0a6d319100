"""Conditions are typed on parse, analysed exactly, and split into exclusive cubes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.conditions import (
    All,
    AnyOf,
    Atom,
    Condition,
    ConditionParser,
    Not,
    compare,
    exclusive_cubes,
    holds,
    render,
    representative_points,
    resolve,
    to_data,
    truth_table,
)
from rules.valuetypes import TYPES

PARAMS = {
    "max_age": (TYPES["years"], False),
    "boxes": (TYPES["box"], True),
    "min_rank": (TYPES["rank"], False),
}


def parse(data: Any) -> tuple[Condition | None, list[str]]:
    parser = ConditionParser(PARAMS, file="pack.yaml", criterion="c.1")
    condition = parser.parse(data)
    return condition, [f"{p.field}: {p.message}" for p in parser.problems]


def test_literals_are_typed_by_the_field() -> None:
    condition, problems = parse(
        {
            "all": [
                {"fact": "rank", "op": ">=", "value": "III/d"},
                {"fact": "jpm", "op": ">", "value": 80.5},
            ]
        }
    )
    assert problems == []
    assert condition == All((Atom("rank", ">=", 12), Atom("jpm", ">", 8050)))
    assert to_data(condition) == {
        "all": [
            {"fact": "rank", "op": ">=", "value": "III/d"},
            {"fact": "jpm", "op": ">", "value": "80.50"},
        ]
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"fact": "rank", "op": ">=", "value": 12}, "condition.value: rank holds a rank"),
        ({"fact": "age", "op": "<=", "value": 56}, "condition.fact: unknown fact field 'age'"),
        ({"fact": "rank", "op": "~", "value": "III/d"}, "condition.op: unknown operator"),
        ({"fact": "employment_type", "op": "<", "value": "PNS"}, "unordered employment_type"),
        ({"fact": "box", "op": "in", "value": 7}, "in needs a list of box values"),
        (
            {"fact": "rank", "op": ">=", "value": {"param": "max_age"}},
            "parameter max_age is a years",
        ),
        (
            {"fact": "box", "op": "==", "value": {"param": "boxes"}},
            "is a list of box; box == needs",
        ),
        ({"fact": "rank", "op": ">=", "value": {"param": "nope"}}, "unknown parameter 'nope'"),
        ({"all": []}, "condition.all: expected a non-empty list"),
        ({"fact": "rank", "op": ">="}, "unexpected keys"),
        (
            {"any": [{"not": {"fact": "age_years", "op": ">", "value": "x"}}]},
            "condition.any[0].not.value",
        ),
    ],
)
def test_mistakes_are_named(data: Any, expected: str) -> None:
    condition, problems = parse(data)
    assert condition is None
    assert any(expected in p for p in problems), problems


def test_the_analysis_finds_conditions_that_never_pass_or_never_fail() -> None:
    never = All((Atom("rank", ">=", 13), Atom("rank", "<", 12)))
    always = AnyOf((Atom("age_years", ">=", 40), Atom("age_years", "<", 41)))
    assert truth_table(never) == {False}
    assert truth_table(always) == {True}
    assert truth_table(Atom("rank", ">=", 1)) == {True}
    assert truth_table(Atom("box", "in", (7, 8, 9))) == {True, False}


def test_rendering_is_readable_in_both_languages() -> None:
    condition = resolve(AnyOf((Atom("rank", ">=", 12), Not(Atom("box", "in", (7, 8, 9))))), {})
    assert render(condition) == "rank ≥ III/d or not (box one of 7, 8 or 9)"
    assert render(condition, "id") == "rank ≥ III/d atau bukan (box salah satu dari 7, 8 atau 9)"


# ---------------------------------------------------------------- exclusive cubes

FIELDS = ("rank", "age_years", "box", "disciplinary_case_pending", "employment_type")


@st.composite
def atoms(draw: st.DrawFn) -> Atom:
    field = draw(st.sampled_from(FIELDS))
    vtype = TYPES[{"rank": "rank", "age_years": "years", "box": "box"}.get(field, "bool")]
    if field == "employment_type":
        return Atom(field, draw(st.sampled_from(["==", "!=", "in", "not in"])), "PNS")
    if field == "disciplinary_case_pending":
        return Atom(field, draw(st.sampled_from(["==", "!="])), draw(st.booleans()))
    low, high = {"rank": (1, 17), "age_years": (0, 150), "box": (1, 9)}[field]
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"]))
    if op in ("in", "not in"):
        values = draw(st.lists(st.integers(low, high), min_size=1, max_size=3, unique=True))
        return Atom(field, op, tuple(sorted(values)))
    assert vtype.ordered
    return Atom(field, op, draw(st.integers(low, high)))


def _fix(atom: Atom) -> Atom:
    if atom.field == "employment_type" and atom.op in ("in", "not in"):
        return Atom(atom.field, atom.op, ("PNS",))
    return atom


conditions = st.recursive(
    atoms().map(_fix),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: All(tuple(xs))),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: AnyOf(tuple(xs))),
        inner.map(Not),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(conditions, st.data())
def test_exactly_one_cube_holds_when_the_condition_does(
    condition: Condition, data: st.DataObject
) -> None:
    cubes = exclusive_cubes(condition)
    points = representative_points(condition)
    for _ in range(25):
        fact = {name: data.draw(st.sampled_from(values)) for name, values in points.items()}
        hits = sum(all(compare(a, fact[a.field]) for a in cube) for cube in cubes)
        assert hits == (1 if holds(condition, fact) else 0)
