"""Screening benchmark: candidates per second and peak memory, engine vs reference vs floor.

Run ``PYTHONPATH=. .venv/bin/python bench/screening_bench.py`` (``--quick`` for a short run). For
pools of 1,000, 10,000 and 100,000 generated candidates (``bench/pool.py``: a realistic mix of
eligible, ineligible and needs-data candidates) against one Administrator vacancy it prints:

* (a) the full engine path: ``rules.screening.screen`` (facts, durable_rules, status, 9-box,
  ranking, input and result digests) on 1 and 2 processes, then the same plus every candidate's
  full explanation rendered to JSON text (streamed, as an export would);
* (b) the reference evaluator on the same path;
* (c) the floor: one ``post`` of a one-condition rule per candidate, fresh session, deleted;

with the peak resident memory (parent and workers) of each, and finally the RSS of one process
sampled over a million engine evaluations, to show it stays flat. Figures only; nothing asserts.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pool import REFERENCE_DATE, pool
from rules import engine
from rules.derive import measure
from rules.facts import build_fact
from rules.pack import load_shipped
from rules.profile import VacancyContext
from rules.screening import CHUNK, screen
from rules.vocab import PositionLevel

MB = 1024 * 1024


@contextmanager
def peak_memory() -> Iterator[dict[str, float]]:
    """Sample the proportional set size (PSS: pages shared after a fork counted once) of this
    process and its children every second and at the end; yield the peak and the start (MB).

    Reading PSS costs ~5 ms per 200 MB process, so sampling more often would slow what it
    measures; short runs may therefore show little more than their start."""
    me = psutil.Process()
    result = {"peak": 0.0, "start": me.memory_full_info().pss / MB}
    done = threading.Event()

    def total() -> float:
        size = me.memory_full_info().pss
        for child in me.children(recursive=True):
            with suppress(psutil.Error):
                size += child.memory_full_info().pss
        return size / MB

    def sample() -> None:
        while not done.is_set():
            with suppress(psutil.Error):
                result["peak"] = max(result["peak"], total())
            done.wait(1.0)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
        with suppress(psutil.Error):
            result["peak"] = max(result["peak"], total())
    finally:
        done.set()
        thread.join()


def cpu_seconds() -> float:
    """Return the CPU time of this process and of its waited-for children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, count: int, run: Callable[[], Any]) -> Any:
    """Run ``run`` once; print candidates/s (wall and per CPU-second) and peak memory."""
    gc.collect()
    with peak_memory() as memory:
        cpu = cpu_seconds()
        start = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
    print(
        f"  {label:<44} {count / elapsed:>9,.0f}/s  {elapsed:6.2f} s  "
        f"{count / cpu:>9,.0f}/CPU-s  peak PSS {memory['peak']:5.0f} MB "
        f"(before {memory['start']:.0f})",
        flush=True,
    )
    return result


def floor_post(count: int) -> None:
    """(c) one durable_rules rule with one condition, one ``post`` per candidate, fresh sid."""
    from durable import engine as durable_engine

    class Host(durable_engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            """No dispatcher threads."""

        def get_action(self, action_name: str) -> Any:
            return lambda c: None

    host = Host()
    host.set_rulesets({"floor": {"r": {"all": [{"m": {"$gte": {"box": 7}}}], "run": "r"}}})
    post, delete = host.post, host.delete_state
    post("floor", {"box": 9, "sid": "warm"})
    delete("floor", "warm")
    boxes = [9, 8, 7, 9, 8] * (count // 5 + 1)

    def run() -> None:
        for box in boxes[:count]:
            sid = uuid.uuid4().hex
            post("floor", {"box": box, "sid": sid})
            delete("floor", sid)

    timed("(c) floor: one-condition post, fresh sid", count, run)


def screening(size: int) -> None:
    """Print the (a), (b), (c) figures for one pool size."""
    packs = load_shipped()
    pack = packs["bkn-national"]
    context = VacancyContext(
        PositionLevel.ADMINISTRATOR, REFERENCE_DATE, "ADM-01", "Kepala Bagian Umum"
    )
    started = time.perf_counter()
    profiles = pool(size)
    print(f"\npool of {size:,} candidates (generated in {time.perf_counter() - started:.1f} s)")
    screen(pack, context, profiles[:64])  # compile and register outside the timings

    result = timed("(a) engine, 1 process", size, lambda: screen(pack, context, profiles))
    statuses = {
        s: sum(d.status == s for d in result.decisions)
        for s in ("eligible", "needs_data", "ineligible")
    }
    fired = sum(sum(1 for c in d.codes if c) for d in result.decisions) / size
    print(f"      mix: {statuses}, {fired:.2f} criteria fail or miss data per candidate")
    two = "2 processes" if size > CHUNK else f"2 processes (≤ {CHUNK:,}: runs in one)"
    parallel = timed(
        f"(a) engine, {two}", size, lambda: screen(pack, context, profiles, processes=2)
    )
    assert parallel.result_digest == result.result_digest
    timed(
        f"(a) engine, {two.split(' (')[0]} + every explanation",
        size,
        lambda: sum(
            len(json.dumps(e.to_dict(), ensure_ascii=False))
            for e in screen(pack, context, profiles, processes=2).explanations()
        ),
    )
    timed(
        "(b) reference, 1 process",
        size,
        lambda: screen(pack, context, profiles, evaluator="reference"),
    )
    reference = timed(
        f"(b) reference, {two.split(' (')[0]}",
        size,
        lambda: screen(pack, context, profiles, processes=2, evaluator="reference"),
    )
    print(
        f"      result digest {result.result_digest[:16]}… engine == reference: "
        f"{reference.result_digest == result.result_digest}"
    )
    floor_post(size)


def flat_memory(evaluations: int) -> None:
    """Sample RSS while one process runs ``evaluations`` engine evaluations."""
    pack = load_shipped()["bkn-national"]
    context = VacancyContext(PositionLevel.ADMINISTRATOR, REFERENCE_DATE)
    settings = pack.settings(context.level)
    compiled = pack.compiled(context.level)
    facts = [build_fact(p, context, settings, measure(p, context, settings)) for p in pool(10_000)]
    me = psutil.Process()
    batch = engine.BATCH_SIZE
    print(f"\nRSS over {evaluations:,} engine evaluations (one process, {batch} per session):")
    done = 0
    samples = []
    started = time.perf_counter()
    while done < evaluations:
        engine.evaluate(compiled, facts, trusted=True)
        done += len(facts)
        if done % 100_000 == 0:
            samples.append((done, me.memory_info().rss / MB))
    elapsed = time.perf_counter() - started
    print("  " + "  ".join(f"{n // 1000}k: {rss:.1f} MB" for n, rss in samples))
    growth = samples[-1][1] - samples[0][1]
    print(
        f"  {evaluations / elapsed:,.0f} evaluations/s; growth from the first sample: "
        f"{growth:+.1f} MB; live sessions at the end: {engine.live_sessions()}"
    )


def main() -> None:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="pools of 1k and 10k, 200k evaluations"
    )
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, {engine.ENGINE_VERSION}, "
        f"load average {os.getloadavg()[0]:.2f} (other processes compete for the cores; "
        "/CPU-s is candidates per CPU-second, which the load does not change much)"
    )
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    for size in sizes:
        screening(size)
    flat_memory(200_000 if args.quick else 1_000_000)


if __name__ == "__main__":
    main()
