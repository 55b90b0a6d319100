"""The engine and the reference evaluator agree, criterion by criterion, on random facts.

At least 10,000 facts per run over every level of the shipped packs, with values concentrated on
the thresholds (one either side, the ends of each domain) and fields left out (missing data);
plus random conditions compiled into their own rulesets, to exercise negation and the exclusive
cubes the compiler emits. Both engine dispatch modes are checked.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import engine, reference
from rules.compiler import CompiledLevel, compile_level
from rules.conditions import Condition, representative_points
from rules.facts import FIELDS
from rules.pack import Pack
from rules.valuetypes import EngineValue
from rules.vocab import PositionLevel
from tests.rules.test_conditions import conditions

FACTS_PER_EXAMPLE = 250
EXAMPLES = 40


def field_values(name: str, compiled: CompiledLevel) -> list[EngineValue]:
    """Values of ``name`` worth testing: every threshold of this ruleset, one either side, the
    ends of the domain, and a spread of ordinary values."""
    points: set[EngineValue] = set()
    for criterion in compiled.criteria:
        points.update(representative_points(criterion.condition).get(name, ()))
    vtype = FIELDS[name].type
    domain = vtype.domain_points()
    if vtype.kind == "int" and not vtype.labels:
        low, high = domain
        assert isinstance(low, int)
        assert isinstance(high, int)
        points.update(range(low, high + 1, max(1, (high - low) // 12)))
    else:
        points.update(domain)
    return sorted(points, key=repr)


@st.composite
def fact_lists(
    draw: st.DrawFn, compiled: CompiledLevel, size: int = FACTS_PER_EXAMPLE
) -> list[dict[str, EngineValue]]:
    """``size`` facts over the fields ``compiled`` reads, each field present or absent.

    Hypothesis chooses, per field, the values in play and how often the field is missing, plus a
    seed; the facts are expanded from the seed (drawing every value through Hypothesis would make
    10,000 facts cost tens of seconds). A failure reports the offending fact.
    """
    seed = draw(st.integers(0, 2**32 - 1))
    plan = {}
    for name in compiled.fields:
        values = field_values(name, compiled)
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=6, unique=True))
        absent = draw(st.sampled_from([0.0, 0.05, 0.3]))
        plan[name] = (chosen, absent)
    rnd = random.Random(seed)
    facts = []
    for _ in range(size):
        fact = {}
        for name, (chosen, absent) in plan.items():
            if rnd.random() >= absent:
                fact[name] = rnd.choice(chosen)
        facts.append(fact)
    return facts


def agree(compiled: CompiledLevel, facts: list[dict[str, EngineValue]]) -> None:
    expected = reference.evaluate(compiled, facts)
    direct = engine.evaluate(compiled, facts)
    assert direct == expected, next(
        (f, d, e) for f, d, e in zip(facts, direct, expected, strict=True) if d != e
    )
    sample = facts[:25]
    assert engine.evaluate(compiled, sample, dispatch="durable") == expected[:25]


def test_engine_and_reference_agree_on_the_shipped_packs(packs: dict[str, Pack]) -> None:
    levels = [pack.compiled(level) for pack in packs.values() for level in pack.levels]
    seen = {"facts": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def check(data: st.DataObject) -> None:
        compiled = data.draw(st.sampled_from(levels))
        facts = data.draw(fact_lists(compiled))
        agree(compiled, facts)
        seen["facts"] += len(facts)

    check()
    assert seen["facts"] >= 10_000
    assert engine.live_sessions() == 0


_names = itertools.count()


@settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(conditions, min_size=1, max_size=3), st.data())
def test_engine_and_reference_agree_on_random_conditions(
    passes: list[Condition], data: st.DataObject
) -> None:
    compiled = compile_level(
        f"random-{next(_names)}",
        PositionLevel.ADMINISTRATOR,
        [(f"c{i}", condition, True) for i, condition in enumerate(passes)],
    )
    facts: list[dict[str, Any]] = data.draw(fact_lists(compiled, 60))
    agree(compiled, facts)
