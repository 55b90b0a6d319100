"""The reference evaluator: the compiled conditions evaluated in plain Python.

It reads the same resolved condition trees the compiler turns into durable_rules rules and gives
the same verdicts with three-valued logic: a criterion reading an absent field is
``missing_data``; otherwise the condition holds (``pass``) or not (``fail``). A property test
proves engine and reference agree criterion by criterion; the reference also answers when the
engine is unavailable and is the yardstick in the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rules.compiler import CompiledLevel
from rules.conditions import compile_python
from rules.engine import FAILED, MISSING_DATA, PASS
from rules.valuetypes import EngineValue

_Check = tuple[tuple[str, ...], Callable[[Mapping[str, EngineValue]], bool]]
_checks: dict[str, tuple[_Check, ...]] = {}


def _compiled_checks(compiled: CompiledLevel) -> tuple[_Check, ...]:
    checks = _checks.get(compiled.name)
    if checks is None:
        checks = tuple((c.fields, compile_python(c.condition)) for c in compiled.criteria)
        _checks[compiled.name] = checks
    return checks


def evaluate(compiled: CompiledLevel, facts: Sequence[Mapping[str, EngineValue]]) -> list[bytes]:
    """Return, per fact, one outcome code per compiled criterion, exactly as the engine does."""
    checks = _compiled_checks(compiled)
    out = []
    for fact in facts:
        codes = bytearray(len(checks))
        for i, (names, predicate) in enumerate(checks):
            if not all(name in fact for name in names):
                codes[i] = MISSING_DATA
            elif not predicate(fact):
                codes[i] = FAILED
            else:
                codes[i] = PASS
        out.append(bytes(codes))
    return out
