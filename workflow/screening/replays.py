"""Replay a stored screening: reproduce its result digest, or see who gains or loses under
another pack (a counterfactual over exactly the input the decision was made on)."""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.profile import CandidateProfile, VacancyContext
from rules.screening import ScreeningResult, screen
from workflow.core import Actor, Database, InvalidInput, NotFound, ensure_readable
from workflow.models import Employee
from workflow.models.vacancy import ScreeningRun, Vacancy
from workflow.screening.rulepacks import load_published


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
    pack = load_published(db, digest=pack_digest or recorded_pack)
    try:
        result = screen(pack, context, profiles, processes=processes)
    except Exception as exc:  # a pack that cannot decide this vacancy is bad input here
        message = getattr(exc, "message", str(exc))
        raise InvalidInput(
            f"pack {pack.id} {pack.version} cannot replay this vacancy: {message}"
        ) from exc
    changes = _changes(db, recorded["ranking"], result) if pack.digest != recorded_pack else []
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
        candidates=len(result.decisions),
        changes=changes,
    )


def _eligible_ranks(rows: list[tuple[str, str]]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    for nip, status in rows:
        if status == "eligible":
            ranks[nip] = len(ranks) + 1
    return ranks


def _changes(db: Database, recorded: list[dict[str, Any]], result: ScreeningResult) -> list[Change]:
    before = [(str(r["nip"]), str(r["status"])) for r in recorded]
    after = [(d.nip, d.status) for d in result.decisions]
    status_before, status_after = dict(before), dict(after)
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
        )
        for nip in moved
    ]
