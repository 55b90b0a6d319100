"""Every durable_rules trap (docs/rules.md §8.2), shown and then handled.

Raw demonstrations use a bare host; the ones that crash or hang the process run in a subprocess.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import durable_rules_engine
import pytest
from durable import engine as durable_engine
from durable.engine import MessageNotHandledException, MessageObservedException

from rules import engine, reference
from rules.compiler import (
    KIND,
    WARMUP_KIND,
    WARMUP_RULE,
    CompiledLevel,
    compile_in_subprocess,
    compile_level,
    network_problems,
)
from rules.conditions import Atom
from rules.errors import EngineError, FactInvalid
from rules.pack import Pack
from rules.vocab import PositionLevel

ROOT = Path(__file__).resolve().parents[2]


class RawHost(durable_engine.Host):  # type: ignore[misc]
    """A bare durable_rules host (no dispatcher threads) whose actions append their name."""

    def __init__(self) -> None:
        self.fired: list[str] = []
        super().__init__()

    def _run(self) -> None:
        """No background threads in the test process."""

    def get_action(self, action_name: str) -> Any:
        if action_name == "boom":

            def boom(c: Any) -> None:
                raise ValueError("boom")

            return boom
        return lambda c: self.fired.append(action_name)


@pytest.fixture
def raw() -> RawHost:
    """A bare host with one warmed-up ruleset ``r``: ``x >= 5`` fires ``ge5``."""
    host = RawHost()
    host.set_rulesets(
        {
            "r": {
                "ge5": {"all": [{"m": {"$gte": {"x": 5}}}], "run": "ge5"},
                "boom": {"all": [{"m": {"$eq": {"x": 13}}}], "run": "boom"},
            }
        }
    )
    host.assert_fact("r", {"x": 7, "sid": "warm"})  # an action has fired: deletes are now safe
    host.delete_state("r", "warm")
    host.fired.clear()
    return host


def run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def level_of(pack: Pack) -> CompiledLevel:
    return pack.compiled(PositionLevel.ADMINISTRATOR)


# ---------------------------------------------------------------- MessageNotHandledException


def test_raw_a_fact_matching_nothing_raises(raw: RawHost) -> None:
    raw.assert_fact("r", {"x": 9, "sid": "s"})  # fire first: the session is then safe to delete
    with pytest.raises(MessageNotHandledException):
        raw.assert_fact("r", {"x": 1, "sid": "s"})
    raw.delete_state("r", "s")


def test_adapter_the_sink_handles_a_fact_that_fires_nothing(national: Pack) -> None:
    compiled = level_of(national)
    (codes,) = engine.evaluate(compiled, [{"employment_type": "PNS"}])
    assert set(codes) == {engine.PASS, engine.MISSING_DATA}
    assert engine.live_sessions() == 0


def test_adapter_a_ruleset_without_sink_is_an_engine_error() -> None:
    compiled = compile_level(
        "no-sink", PositionLevel.ADMINISTRATOR, [("c", Atom("rank", ">=", 12), True)]
    )
    definition = {k: v for k, v in compiled.definition.items() if not k.startswith("~sink")}
    bare = dataclasses.replace(compiled, definition=definition)
    with pytest.raises(EngineError, match="matched no rule"):
        engine.evaluate(bare, [{"rank": 12}])
    assert engine.live_sessions() == 0  # deleted safely: its warm-up had fired


# ---------------------------------------------------------------- MessageObservedException


def test_raw_the_same_fact_twice_in_a_session_raises(raw: RawHost) -> None:
    raw.assert_fact("r", {"x": 6, "sid": "s"})
    with pytest.raises(MessageObservedException):
        raw.assert_fact("r", {"x": 6, "sid": "s"})
    raw.delete_state("r", "s")


def test_adapter_identical_candidates_get_distinct_fids(national: Pack) -> None:
    compiled = level_of(national)
    fact = {"rank": 11, "employment_type": "PNS"}
    first, second = engine.evaluate(compiled, [fact, dict(fact)])
    assert first == second


def test_adapter_a_repeated_fid_is_an_engine_error(national: Pack) -> None:
    compiled = level_of(national)
    engine.register(compiled)
    message = {"kind": KIND, "fid": "0", "rank": 11}
    with pytest.raises(EngineError, match="asserted twice"):
        engine._run_direct(engine._host(), compiled.name, [dict(message), dict(message)])
    assert engine.live_sessions() == 0


# ---------------------------------------------------------------- hidden action exceptions


def test_raw_an_action_exception_is_hidden_in_the_state(raw: RawHost) -> None:
    state = raw.assert_fact("r", {"x": 13, "sid": "s"})
    raw.delete_state("r", "s")
    assert "boom" in state["exception"]


def test_adapter_a_failing_action_raises(national: Pack) -> None:
    class Failing(engine._Host):
        def get_action(self, action_name: str) -> Any:
            if action_name.endswith("#fail"):
                return lambda c: 1 / 0
            return super().get_action(action_name)

    compiled = level_of(national)
    host = Failing()
    host.set_rulesets({compiled.name: dict(__import__("copy").deepcopy(compiled.definition))})
    host.assert_fact(compiled.name, {"kind": WARMUP_KIND, "sid": "w"})
    host.delete_state(compiled.name, "w")
    assert host.trace == [(WARMUP_RULE, "")]
    message = {"kind": KIND, "fid": "0", "rank": 1}
    with pytest.raises(EngineError, match=r"an action failed: .*division by zero"):
        engine._run_durable(host, compiled.name, [message])
    assert engine.live_sessions() == 0


# ---------------------------------------------------------------- unknown sid (309)


def test_raw_deleting_an_unknown_session_raises_309(raw: RawHost) -> None:
    with pytest.raises(durable_rules_engine.error, match="309"):
        raw.delete_state("r", "never-created")


def test_adapter_cleanup_tolerates_a_session_that_was_never_created(national: Pack) -> None:
    compiled = level_of(national)
    engine.register(compiled)
    engine._sessions["live"] += 1
    engine._delete(engine._host(), compiled.name, "never-created")
    assert engine.live_sessions() == 0


def test_adapter_an_error_mid_session_keeps_its_cause_and_deletes_the_session(
    national: Pack,
) -> None:
    with pytest.raises(TypeError, match="Decimal is not JSON serializable"):
        engine.evaluate(level_of(national), [{"rank": Decimal("12")}], trusted=True)
    assert engine.live_sessions() == 0


# ---------------------------------------------------------------- message contents


def test_raw_more_than_253_properties_fail_with_302(raw: RawHost) -> None:
    with pytest.raises(durable_rules_engine.error, match="302"):
        raw.assert_fact("r", {**{f"p{i}": i for i in range(300)}, "x": 9, "sid": "s"})


def test_raw_an_exponent_float_fails_with_204(raw: RawHost) -> None:
    with pytest.raises(durable_rules_engine.error, match="204"):
        raw.assert_fact("r", {"x": 9, "tiny": 1e-05, "sid": "s"})


def test_raw_decimal_and_dates_are_not_serialisable(raw: RawHost) -> None:
    import datetime as dt

    for value in (Decimal("1.5"), dt.date(2026, 1, 1)):
        with pytest.raises(TypeError):
            raw.assert_fact("r", {"x": 9, "v": value, "sid": "s"})


def test_raw_a_numeric_string_compares_as_text(raw: RawHost) -> None:
    raw.assert_fact("r", {"x": "7", "sid": "s"})
    with pytest.raises(MessageNotHandledException):
        raw.assert_fact("r", {"x": "10", "sid": "s"})  # "10" >= 5 is false: text order
    raw.delete_state("r", "s")
    assert raw.fired == ["ge5"]


@pytest.mark.parametrize(
    "bad",
    [{"rank": None}, {"jpm": 1e-05}, {"jpm": Decimal("80")}, {"age_years": "10"},
     {f"p{i}": i for i in range(300)}],
)  # fmt: skip
def test_adapter_refuses_such_facts_before_the_engine(national: Pack, bad: dict[str, Any]) -> None:
    with pytest.raises(FactInvalid):
        engine.evaluate(level_of(national), [bad])
    assert engine.live_sessions() == 0


# ---------------------------------------------------------------- batches


def test_raw_a_batch_with_an_unmatched_fact_defers_every_action(raw: RawHost) -> None:
    raw.assert_fact("r", {"x": 9, "sid": "s"})
    with pytest.raises(MessageNotHandledException):
        raw.assert_facts("r", [{"x": 8, "sid": "s"}, {"x": 1, "sid": "s"}])
    assert raw.fired == ["ge5"]  # the batch's matched fact (x=8) did not fire synchronously
    raw.delete_state("r", "s")


def test_adapter_asserts_one_fact_at_a_time_and_gets_every_result_now(national: Pack) -> None:
    compiled = level_of(national)
    facts: list[dict[str, Any]] = [{"rank": r, "employment_type": "PNS"} for r in (1, 12, 17)]
    assert engine.evaluate(compiled, facts) == reference.evaluate(compiled, facts)


# ---------------------------------------------------------------- sessions, threads, fork


def test_adapter_leaves_no_session_and_never_hits_the_1024_cap(national: Pack) -> None:
    compiled = level_of(national)
    facts = [{"rank": 12, "employment_type": "PNS"}] * (3 * 1024)
    engine.evaluate(compiled, facts)
    for _ in range(1100):
        engine.evaluate(compiled, facts[:1])
    assert engine.live_sessions() == 0


def test_raw_the_1025th_live_session_is_a_memory_error() -> None:
    result = run_python(
        "from tests.rules.test_engine import RawHost\n"
        "h = RawHost()\n"
        "h.set_rulesets({'r': {'a': {'all': [{'m': {'$eq': {'k': 1}}}], 'run': 'a'}}})\n"
        "n = 0\n"
        "try:\n"
        "    for i in range(1100):\n"
        "        h.assert_fact('r', {'k': 1, 'sid': str(i)}); n += 1\n"
        "except MemoryError:\n"
        "    print('MemoryError after', n, flush=True)\n"
    )
    assert "MemoryError after 1024" in result.stdout


def test_adapter_host_starts_no_background_threads() -> None:
    engine._host()
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def _child_state(_: int) -> bool:
    return bool(engine._host_state)


def test_adapter_a_forked_child_builds_its_own_host(national: Pack) -> None:
    engine.evaluate(level_of(national), [{"rank": 12}])
    assert engine._host_state
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.map(_child_state, [0]) == [False]


# ---------------------------------------------------------------- segfault without warm-up


NO_FIRE = (
    "from tests.rules.test_engine import RawHost\n"
    "h = RawHost()\n"
    "h.set_rulesets({'r': {\n"
    "    'a': {'all': [{'m': {'$eq': {'kind': 'other'}}}], 'run': 'a'},\n"
    "    's': {'all': [{'m': {'$eq': {'kind': 'c'}}}, {'n': {'$eq': {'kind': 'no'}}}],\n"
    "          'run': 's'}}})\n"
    "h.assert_fact('r', {'kind': 'c', 'sid': '1'})\n"
    "h.delete_state('r', '1')\n"
    "print('survived', flush=True)\n"
)


def test_raw_deleting_a_no_fire_session_before_any_action_kills_the_process() -> None:
    result = run_python(NO_FIRE)
    # the C core frees pointers it never initialised: a segfault, or glibc's abort on free()
    assert result.returncode in (-signal.SIGSEGV, -signal.SIGABRT), result
    assert "survived" not in result.stdout


def test_adapter_thousands_of_no_fire_evaluations_are_safe() -> None:
    result = run_python(
        "from rules.pack import load_shipped\n"
        "from rules.vocab import PositionLevel\n"
        "from rules import engine\n"
        "pack = load_shipped()['bkn-national']\n"
        "compiled = pack.compiled(PositionLevel.ADMINISTRATOR)\n"
        "fact = {'employment_type': 'PNS', 'education': 7, 'education_field_required': False,\n"
        "        'education_field_match': False, 'prior_position_months': 40, 'rank': 13,\n"
        "        'leadership_training': 2, 'performance_min': 4, 'penalty_active': 0,\n"
        "        'penalty_recent': 0, 'disciplinary_case_pending': False, 'lhkpn_lag_years': 0,\n"
        "        'health_certificate_months': 1, 'competency_gap_count': 0, 'box': 9}\n"
        "engine.BATCH_SIZE = 1\n"
        "codes = engine.evaluate(compiled, [fact] * 4000)\n"
        "assert set(codes) == {bytes(len(compiled.criteria))}, codes[0]\n"
        "assert engine.live_sessions() == 0\n"
        "print('survived', flush=True)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "survived" in result.stdout


# ---------------------------------------------------------------- compiler hang


def _fan_out(n: int) -> dict[str, Any]:
    return {f"r{i}": {"all": [{"m": {"$eq": {"k": f"v{i}"}}}], "run": "a"} for i in range(n)}


def test_more_than_512_children_hang_durable_and_are_refused_statically() -> None:
    assert network_problems(_fan_out(511)) == []
    assert any("fan-out" in p for p in network_problems(_fan_out(513)))
    failure = compile_in_subprocess({"wide": _fan_out(513)}, timeout=3)
    assert failure is not None
    assert "did not finish compiling wide within 3 s" in failure


def test_a_safe_ruleset_compiles_in_the_subprocess(national: Pack) -> None:
    compiled = level_of(national)
    assert compile_in_subprocess({compiled.name: compiled.definition}) is None


def test_a_ruleset_durable_rules_refuses_is_named_after_the_ones_that_compiled() -> None:
    failure = compile_in_subprocess({"fine": _fan_out(3), "bad": {"r": {"all": "x", "run": "a"}}})
    assert failure is not None
    assert failure.startswith("durable_rules failed compiling bad:")
