"""Replay a stored screening: reproduce its result digest, or see who gains or loses under
another pack (a counterfactual over exactly the input the decision was made on).

A narrowed run (``"narrowed"`` in its stored result: candidates the database left out as
ineligible by a hard criterion, whose profiles are not in the snapshot) replays under its own
pack with that recorded list, so both digests are reproduced. Under ANOTHER pack the old
narrowing proves nothing (the other pack may not have that criterion, or a lower threshold):
the narrowed-out are re-narrowed with the other pack's narrowable criteria, and whoever that
does not exclude is loaded and evaluated — both from TODAY's registry, since no profile of
theirs was stored. The report counts them and marks each change whose profile is today's
(``profile="registry"``); a narrowed-out candidate no longer in the registry cannot be replayed
and is counted.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.pack import Pack
from rules.profile import CandidateProfile, VacancyContext
from rules.screening import ScreeningResult, screen
from workflow.core import Actor, Database, InvalidInput, NotFound, ensure_readable
from workflow.models import Employee
from workflow.models.vacancy import ScreeningRun, Vacancy
from workflow.screening.narrowing import classify, narrowing_for, nip_among
from workflow.screening.profiles import load_profiles
from workflow.screening.rulepacks import load_published

Pairs = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Change:
    """How one candidate fares under the other pack compared with the recorded screening."""

    employee_id: int | None
    nip: str
    status_before: str
    status_after: str
    rank_before: int | None
    """Rank among the eligible (None: not eligible)."""
    rank_after: int | None
    profile: Literal["snapshot", "registry"] = "snapshot"
    """Where the replayed profile comes from: the run's snapshot, or today's registry (a
    candidate the recorded run narrowed out, whose profile was never stored)."""

    @property
    def effect(self) -> str:
        """Return ``gains``, ``loses``, ``rank_up``, ``rank_down`` or ``status``."""
        if self.status_before != "eligible" and self.status_after == "eligible":
            return "gains"
        if self.status_before == "eligible" and self.status_after != "eligible":
            return "loses"
        if self.rank_before is not None and self.rank_after is not None:
            return "rank_up" if self.rank_after < self.rank_before else "rank_down"
        return "status"


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """The outcome of a replay."""

    vacancy_id: int
    round: int
    recorded_pack: str
    replay_pack: str
    recorded_engine: str
    replay_engine: str
    recorded_input_digest: str
    replayed_input_digest: str
    recorded_result_digest: str
    replayed_result_digest: str
    candidates: int
    changes: list[Change] = field(default_factory=list)
    narrowed: int = 0
    """Candidates the recorded run narrowed out (ineligible by a hard criterion, unstored)."""
    renarrowed: int = 0
    """Of those, how many the other pack's own narrowing leaves out again (today's registry)."""
    from_registry: int = 0
    """Of those, how many were evaluated from today's registry under the other pack."""
    not_in_registry: int = 0
    """Of those, how many are no longer in the registry: not replayed under the other pack
    (counted, not named: a replay names nobody)."""

    @property
    def counterfactual(self) -> bool:
        """Return whether the replay used another pack than the recorded one."""
        return self.replay_pack != self.recorded_pack

    @property
    def reproduced(self) -> bool:
        """Return whether the replay gave the recorded result, bit for bit (same pack only)."""
        return (
            not self.counterfactual
            and self.replayed_input_digest == self.recorded_input_digest
            and self.replayed_result_digest == self.recorded_result_digest
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON data."""
        data = asdict(self)
        data["changes"] = [{**asdict(c), "effect": c.effect} for c in self.changes]
        data.update(counterfactual=self.counterfactual, reproduced=self.reproduced)
        return data


def stored_run(
    session: Session, *, actor: Actor | None, vacancy_id: int, round: int | None = None
) -> ScreeningRun:
    """Return the vacancy's stored screening of ``round`` (default: the latest).

    ``actor`` scopes the read to their agency; None is the service operator (the CLI).

    :raises NotFound: no such vacancy visible to the actor, or no screening in that round.
    """
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound(f"no vacancy {vacancy_id}")
    if actor is not None:
        ensure_readable(actor, vacancy.tenant_id, f"vacancy {vacancy_id}")
    query = select(ScreeningRun).where(ScreeningRun.vacancy_id == vacancy_id)
    if round is not None:
        query = query.where(ScreeningRun.round == round)
    run = session.scalars(query.order_by(ScreeningRun.round.desc()).limit(1)).first()
    if run is None:
        raise NotFound(
            f"vacancy {vacancy_id} has not been screened"
            + (f" in round {round}" if round is not None else " yet")
            + f" (it is {vacancy.state})"
        )
    return run


def replay(
    db: Database,
    *,
    actor: Actor | None,
    vacancy_id: int,
    pack_digest: str | None = None,
    round: int | None = None,
    processes: int = 1,
) -> ReplayReport:
    """Re-run a vacancy's stored screening with its pinned pack, or with ``pack_digest``.

    ``actor`` scopes the read to their agency; None is the service operator (the CLI).

    :raises NotFound: no such vacancy visible to the actor, no screening in that round, or no
        published pack with that digest.
    :raises InvalidInput: the other pack does not decide this level or date.
    """
    with db.read() as session:
        run = stored_run(session, actor=actor, vacancy_id=vacancy_id, round=round)
        snapshot = json.loads(gzip.decompress(run.snapshot))
        recorded = json.loads(gzip.decompress(run.result))
        facts = (
            run.round,
            run.pack_digest,
            run.engine_version,
            run.input_digest,
            run.result_digest,
        )
    run_round, recorded_pack, recorded_engine, input_digest, result_digest = facts
    context = VacancyContext.from_json(snapshot["vacancy"], where="snapshot.vacancy")
    profiles = [
        CandidateProfile.from_json(p, where=f"snapshot.profiles[{i}]")
        for i, p in enumerate(snapshot["profiles"])
    ]
    recorded_narrowed: Pairs = [(str(n), str(c)) for n, c in recorded.get("narrowed", ())]
    pack = load_published(db, digest=pack_digest or recorded_pack)
    counterfactual = pack.digest != recorded_pack
    narrowed = recorded_narrowed
    today: list[CandidateProfile] = []
    missing: list[str] = []
    if counterfactual and recorded_narrowed:
        narrowed, today, missing = _renarrow(db, pack, context, recorded_narrowed)
    try:
        result = screen(pack, context, [*profiles, *today], processes=processes, narrowed=narrowed)
    except Exception as exc:  # a pack that cannot decide this vacancy is bad input here
        message = getattr(exc, "message", str(exc))
        raise InvalidInput(
            f"pack {pack.id} {pack.version} cannot replay this vacancy: {message}"
        ) from exc
    changes = (
        _changes(db, recorded["ranking"], recorded_narrowed, result, {p.nip for p in today})
        if counterfactual
        else []
    )
    return ReplayReport(
        vacancy_id=vacancy_id,
        round=run_round,
        recorded_pack=recorded_pack,
        replay_pack=pack.digest,
        recorded_engine=recorded_engine,
        replay_engine=result.engine_version,
        recorded_input_digest=input_digest,
        replayed_input_digest=result.input_digest,
        recorded_result_digest=result_digest,
        replayed_result_digest=result.result_digest,
        candidates=result.candidates,
        changes=changes,
        narrowed=len(recorded_narrowed),
        renarrowed=len(narrowed) if counterfactual else 0,
        from_registry=len(today),
        not_in_registry=len(missing),
    )


RENARROW_CHUNK = 900
"""Narrowed-out NIPs re-classified per query on SQLite (its 999-parameter limit)."""
PG_RENARROW_CHUNK = 100_000
"""The same on PostgreSQL (one array parameter)."""


def _renarrow(
    db: Database, pack: Pack, context: VacancyContext, recorded: Pairs
) -> tuple[Pairs, list[CandidateProfile], list[str]]:
    """Return, for the candidates the recorded run narrowed out, the other pack's narrowed-out
    (NIP, criterion), the profiles of the others as the registry holds them TODAY, and the NIPs
    no longer in the registry."""
    narrowings = narrowing_for(pack, context) if context.level in pack.levels else ()
    nips = sorted(nip for nip, _ in recorded)
    out: Pairs = []
    kept: list[int] = []
    with db.read() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        step = PG_RENARROW_CHUNK if postgres else RENARROW_CHUNK
        for start in range(0, len(nips), step):
            among = nip_among(nips[start : start + step], postgres)
            ids, left_out = classify(session, narrowings, where=[among])
            kept.extend(ids)
            out.extend(left_out)
        profiles = load_profiles(session, employee_ids=kept) if kept else []
    seen = {nip for nip, _ in out} | {p.nip for p in profiles}
    return out, profiles, [nip for nip in nips if nip not in seen]


def _eligible_ranks(rows: list[tuple[str, str]]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    for nip, status in rows:
        if status == "eligible":
            ranks[nip] = len(ranks) + 1
    return ranks


def _changes(
    db: Database,
    recorded: list[dict[str, Any]],
    narrowed: Pairs,
    result: ScreeningResult,
    from_registry: set[str],
) -> list[Change]:
    before = [(str(r["nip"]), str(r["status"])) for r in recorded]
    after = [(d.nip, d.status) for d in result.decisions]
    status_before, status_after = dict(before), dict(after)
    status_before.update((nip, "ineligible") for nip, _ in narrowed)
    status_after.update((nip, "ineligible") for nip, _ in result.narrowed)
    rank_before, rank_after = _eligible_ranks(before), _eligible_ranks(after)
    moved = sorted(
        nip
        for nip in status_after
        if status_before.get(nip) != status_after[nip]
        or rank_before.get(nip) != rank_after.get(nip)
    )
    ids: dict[str, int] = {}
    with db.read() as session:
        for start in range(0, len(moved), 900):
            for nip, employee_id in session.execute(
                select(Employee.nip, Employee.id).where(
                    Employee.nip.in_(moved[start : start + 900])
                )
            ):
                ids[nip] = employee_id
    return [
        Change(
            ids.get(nip),
            nip,
            status_before.get(nip, "absent"),
            status_after[nip],
            rank_before.get(nip),
            rank_after.get(nip),
            "registry" if nip in from_registry else "snapshot",
        )
        for nip in moved
    ]
