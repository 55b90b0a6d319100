"""Read use cases over stored screenings and published packs: the shortlist of a vacancy, one
candidate's explanation from the stored snapshot, a replay, and what-if explanations.

Nothing here writes domain data: the only rows written are personal-data access records (the
:class:`~workflow.identity.access_log.AccessRecorder` each disclosing query takes).

Explanations of a stored screening are rebuilt from the run's gzipped input snapshot, its
recorded outcome codes and the pack it pinned, so they explain what was decided, not what
today's registry would give. Decompressing and parsing a snapshot is the costly part: parsed
runs and rendered explanations are kept in small per-process LRU caches. A run is immutable and
its result digest covers the pack, the vacancy, every profile and every decision, so the caches
are keyed by run id and result digest and can never serve a stale entry.

A candidate the run NARROWED OUT (the database left them out as ineligible by a hard criterion;
no profile of theirs is in the snapshot) is explained on demand instead: their profile is read
from the registry as it is today (recorded in the access log like any other), evaluated by the
engine with the pinned pack and the run's vacancy context, and marked as narrowed out by that
criterion (:class:`NarrowedOut`). It depends on today's registry, so it is never cached.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Generic, Literal, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from rules.derive import measure
from rules.errors import PackInvalid, PackNotEffective, ProfileInvalid, RulesError
from rules.explain import Explanation, explain
from rules.facts import FIELDS, build_fact
from rules.pack import Pack
from rules.profile import CandidateProfile, VacancyContext
from rules.ranking import SORT_KEYS, group_first, key_function
from rules.valuetypes import format_percent
from workflow.core import (
    Actor,
    Database,
    InvalidInput,
    NotFound,
    Page,
    PageRequest,
    Refused,
    ensure_readable,
)
from workflow.identity import AccessRecorder
from workflow.models import Employee, Position, Role
from workflow.models.rules import RulePack
from workflow.models.vacancy import ScreeningRun, ShortlistEntry
from workflow.screening.profiles import load_profile, vacancy_context
from workflow.screening.replays import ReplayReport, replay, stored_run
from workflow.screening.rulepacks import PublishedPack, load_published, resolve

Lang = Literal["en", "id"]
K = TypeVar("K")
V = TypeVar("V")

REGISTRY_READERS = frozenset({Role.HR.value, Role.NATIONAL_REVIEWER.value, Role.AUDITOR.value})
"""Who may explain a registry employee by NIP outside a vacancy (the registry's readers)."""


class _Lru(Generic[K, V]):
    """A small thread-safe least-recently-used cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_packs: _Lru[str, Pack] = _Lru(8)
"""Published packs by digest (content-addressed: a digest names one content forever)."""
_runs: _Lru[tuple[int, str], _ParsedRun] = _Lru(4)
_explanations: _Lru[tuple[int, str, str, str], _Rendered] = _Lru(512)


def clear_caches() -> None:
    """Forget every cached pack, parsed run and explanation (tests; memory pressure)."""
    for cache in (_packs, _runs, _explanations):
        cache.clear()


# ------------------------------------------------------------------ the stored screening


@dataclass(frozen=True, slots=True)
class RunView:
    """A stored screening run's identity: what decided it and what it produced."""

    id: int
    vacancy_id: int
    round: int
    pack_digest: str
    engine_version: str
    reference_date: dt.date
    input_digest: str
    result_digest: str
    candidates: int
    eligible: int
    shortlisted: int
    """Eligible and needs-data candidates: the rows of the shortlist."""
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ShortlistItem:
    """One ranked candidate of a screening (personal data: recorded before it is returned)."""

    employee_id: int
    nip: str
    name: str
    tenant: str
    rank: int
    status: str
    box: int | None
    readiness: str | None
    score: Mapping[str, Any]
    in_succession_group: bool = False
    """In the position's approved succession group the screening read (PP 11/2017 Art. 199)."""


@dataclass(frozen=True, slots=True)
class Shortlist:
    """A page of a screening's ranked candidates and the run they come from."""

    run: RunView
    page: Page[ShortlistItem]
    boxes: Mapping[int, int] = field(default_factory=dict)
    """How many of the whole shortlist sit in each 9-box (boxes with none are absent)."""
    box: int | None = None
    """The box the page is filtered to, if any."""


def _latest_run(db: Database, actor: Actor, vacancy_id: int, round: int | None) -> RunView:
    with db.read() as session:
        run = stored_run(session, actor=actor, vacancy_id=vacancy_id, round=round)
        listed = session.scalar(
            select(func.count())
            .select_from(ShortlistEntry)
            .where(ShortlistEntry.screening_run_id == run.id)
        )
        return RunView(
            id=run.id,
            vacancy_id=run.vacancy_id,
            round=run.round,
            pack_digest=run.pack_digest,
            engine_version=run.engine_version,
            reference_date=run.reference_date,
            input_digest=run.input_digest,
            result_digest=run.result_digest,
            candidates=run.candidates,
            eligible=run.eligible,
            shortlisted=listed or 0,
            created_at=run.created_at,
        )


def shortlist(
    db: Database,
    *,
    recorder: AccessRecorder,
    vacancy_id: int,
    page: PageRequest,
    box: int | None = None,
) -> Shortlist:
    """Return a page of the latest screening's ranked candidates (only those in ``box`` if
    given), recording each one returned, with the count of the whole shortlist per box.

    :raises NotFound: no such vacancy visible to the actor, or it has not been screened yet.
    """
    run = _latest_run(db, recorder.actor, vacancy_id, None)
    in_run = ShortlistEntry.screening_run_id == run.id
    in_box = [ShortlistEntry.box == box] if box is not None else []
    with db.read() as session:
        boxes = {
            int(number or 0): int(count)
            for number, count in session.execute(
                select(ShortlistEntry.box, func.count())
                .where(in_run, ShortlistEntry.box.is_not(None))
                .group_by(ShortlistEntry.box)
            )
        }
        rows = session.execute(
            select(ShortlistEntry, Employee)
            .join(Employee, Employee.id == ShortlistEntry.employee_id)
            .where(in_run, *in_box)
            .order_by(ShortlistEntry.rank, ShortlistEntry.employee_id)
            .limit(page.per_page)
            .offset(page.offset)
            .options(joinedload(Employee.tenant))
        ).all()
        employees = [employee for _, employee in rows]
        items = [
            ShortlistItem(
                employee_id=employee.id,
                nip=employee.nip,
                name=employee.name,
                tenant=employee.tenant.code,
                rank=entry.rank,
                status=entry.status,
                box=entry.box,
                readiness=entry.readiness,
                score=dict(entry.score),
                in_succession_group=entry.in_succession_group,
            )
            for entry, employee in rows
        ]
    recorder.record(db, employees)
    total = run.shortlisted if box is None else boxes.get(box, 0)
    return Shortlist(
        run=run,
        page=Page(items=items, total=total, page=page.page, per_page=page.per_page),
        boxes=boxes,
        box=box,
    )


# ------------------------------------------------------------------ explanations


@dataclass(frozen=True, slots=True)
class NarrowedOut:
    """How a narrowed-out candidate was decided, beside the explanation rendered today."""

    criterion: str
    """The hard criterion whose indexed narrowing left them out of the screening."""
    message: Mapping[str, str]
    """That criterion's message, ``{"id": …, "en": …}``."""
    decided: str
    """The run's decision: always ``ineligible`` (they were never ranked)."""
    profile: Literal["registry"]
    """The explained profile is today's registry, not the run's snapshot (none was stored)."""
    read_on: dt.date
    """When today's profile was read."""
    still_fails: bool
    """Whether today's profile still fails ``criterion`` (False: the registry has changed
    since the screening; the explanation then differs from what was decided)."""


@dataclass(frozen=True, slots=True)
class CandidateExplanation:
    """One candidate's explanation, with where it comes from (personal data: recorded)."""

    employee_id: int | None
    """The registry employee explained; None for a what-if profile the caller supplied."""
    nip: str
    name: str | None
    source: Literal["screening", "registry", "profile"]
    explanation: Mapping[str, Any]
    """The documented explanation JSON (docs/rules.md §6)."""
    text: str
    """The explanation as readable text in the requested language."""
    lang: Lang
    screening: RunView | None = None
    neighbours: Sequence[Neighbour] = field(default_factory=tuple)
    warnings: Sequence[str] = field(default_factory=tuple)
    narrowed: NarrowedOut | None = None
    """Set when the run narrowed this candidate out: how, and that the profile is today's."""


@dataclass(frozen=True, slots=True)
class _NarrowedList:
    """A run's narrowed-out (NIP, criterion) list, compact: a national run leaves ~940,000 out,
    which as Python strings would hold ~150 MB per cached run. Sorted NIPs of one width are
    packed into one bytes string and searched by bisection; each has a criterion index."""

    width: int
    nips: bytes
    codes: bytes
    criteria: tuple[str, ...]
    fallback: Mapping[str, str] | None = None
    """A plain mapping instead, when the NIPs are not all ASCII of one width, sorted (never
    for registry NIPs, which are 18 digits)."""

    @classmethod
    def of(cls, pairs: Sequence[Sequence[str]]) -> _NarrowedList:
        """Return the list of a stored result's ``"narrowed"`` pairs (sorted by NIP)."""
        nips = [str(nip) for nip, _ in pairs]
        width = len(nips[0]) if nips else 0
        criteria = tuple(sorted({str(c) for _, c in pairs}))
        if (
            not nips
            or len(criteria) > 255
            or any(len(n) != width or not n.isascii() for n in nips)
            or nips != sorted(nips)
        ):
            return cls(0, b"", b"", (), {str(nip): str(c) for nip, c in pairs})
        index = {c: i for i, c in enumerate(criteria)}
        return cls(
            width,
            "".join(nips).encode("ascii"),
            bytes(index[str(c)] for _, c in pairs),
            criteria,
        )

    def get(self, nip: str) -> str | None:
        """Return the criterion that narrowed ``nip`` out, or None."""
        if self.fallback is not None:
            return self.fallback.get(nip)
        if len(nip) != self.width or not nip.isascii():
            return None
        wanted = nip.encode("ascii")
        low, high = 0, len(self.codes)
        while low < high:
            middle = (low + high) // 2
            start = middle * self.width
            found = self.nips[start : start + self.width]
            if found == wanted:
                return self.criteria[self.codes[middle]]
            if found < wanted:
                low = middle + 1
            else:
                high = middle
        return None


class _NarrowedOutError(Exception):
    """Raised while rendering: the NIP is one the run narrowed out (explained apart, uncached)."""

    def __init__(self, criterion: str) -> None:
        super().__init__(criterion)
        self.criterion = criterion


@dataclass(frozen=True, slots=True)
class _ParsedRun:
    context: VacancyContext
    profiles: Mapping[str, Any]
    """NIP → the profile JSON as stored (parsed into a profile only when explained)."""
    ranking: Sequence[Mapping[str, Any]]
    position: Mapping[str, int]
    """NIP → index in the ranking (0 = ranked first)."""
    narrowed: _NarrowedList | None = None
    """Who the run narrowed out, and by which criterion (None unless the run was narrowed)."""


@dataclass(frozen=True, slots=True)
class _RenderedNeighbour:
    """A neighbour as rendered from the stored run (cached: NIPs only, no registry data)."""

    nip: str
    relation: Literal["above", "below"]
    """Where the neighbour stands relative to the explained candidate."""
    rank: int
    status: str
    decided_by: str
    """The first sort key on which the two differ (``status`` when their statuses differ)."""
    direction: str | None
    candidate_value: str | None
    neighbour_value: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Neighbour(_RenderedNeighbour):
    """The candidate ranked just above or below, and the sort key that separates the two."""

    employee_id: int
    name: str


@dataclass(frozen=True, slots=True)
class _Rendered:
    explanation: Mapping[str, Any]
    text: str
    neighbours: tuple[_RenderedNeighbour, ...]


def published_pack(db: Database, digest: str) -> Pack:
    """Return a published pack, parsed once per process (it is checked to be published here).

    :raises NotFound: no published pack has this digest.
    """
    with db.read() as session:
        if session.scalar(select(RulePack.id).where(RulePack.digest == digest)) is None:
            raise NotFound(f"no published rule pack with digest {digest}")
    return _packs.get_or_make(digest, lambda: load_published(db, digest=digest))


def _parse_run(db: Database, run: RunView) -> _ParsedRun:
    def make() -> _ParsedRun:
        with db.read() as session:
            stored = session.execute(
                select(ScreeningRun.snapshot, ScreeningRun.result).where(ScreeningRun.id == run.id)
            ).one()
        snapshot = json.loads(gzip.decompress(stored.snapshot))
        recorded = json.loads(gzip.decompress(stored.result))
        ranking = recorded["ranking"]
        return _ParsedRun(
            context=VacancyContext.from_json(snapshot["vacancy"], where="snapshot.vacancy"),
            profiles={p["nip"]: p for p in snapshot["profiles"]},
            ranking=ranking,
            position={row["nip"]: i for i, row in enumerate(ranking)},
            narrowed=_NarrowedList.of(recorded["narrowed"]) if recorded.get("narrowed") else None,
        )

    return _runs.get_or_make((run.id, run.result_digest), make)


def screening_explanation(
    db: Database,
    *,
    recorder: AccessRecorder,
    vacancy_id: int,
    nip: str,
    lang: Lang = "en",
    round: int | None = None,
    today: dt.date | None = None,
) -> CandidateExplanation:
    """Explain one candidate of a vacancy's stored screening (the latest, or ``round``'s).

    ``today`` dates a narrowed-out candidate's registry read (default: the UTC date now).

    The candidate and the neighbours the ranking compares them with are recorded in the access
    log. Ineligible candidates are explained too: the snapshot holds every evaluated candidate,
    and a candidate the run narrowed out is explained from today's registry
    (:func:`_narrowed_explanation`).

    :raises NotFound: no such vacancy visible to the actor, no screening, or ``nip`` was not
        a candidate of it (or is no longer in the registry).
    """
    run = _latest_run(db, recorder.actor, vacancy_id, round)
    try:
        rendered = _explanations.get_or_make(
            (run.id, run.result_digest, nip, lang), lambda: _render(db, run, nip, lang)
        )
    except _NarrowedOutError as narrowed:  # nothing cached: it reads today's registry
        day = today or dt.datetime.now(dt.UTC).date()
        return _narrowed_explanation(db, recorder, run, nip, narrowed.criterion, lang, day)
    wanted = [nip, *(n.nip for n in rendered.neighbours)]
    with db.read() as session:
        found = {
            e.nip: e for e in session.scalars(select(Employee).where(Employee.nip.in_(wanted)))
        }
    employee = found.get(nip)
    if employee is None:
        raise NotFound(f"employee {nip} is no longer in the registry")
    shown = [n for n in rendered.neighbours if n.nip in found]
    recorder.record(db, [employee, *(found[n.nip] for n in shown)])
    return CandidateExplanation(
        employee_id=employee.id,
        nip=employee.nip,
        name=employee.name,
        source="screening",
        explanation=rendered.explanation,
        text=rendered.text,
        lang=lang,
        screening=run,
        neighbours=tuple(
            Neighbour(**asdict(n), employee_id=found[n.nip].id, name=found[n.nip].name)
            for n in shown
        ),
    )


def _narrowed_explanation(
    db: Database,
    recorder: AccessRecorder,
    run: RunView,
    nip: str,
    criterion: str,
    lang: Lang,
    today: dt.date,
) -> CandidateExplanation:
    """Explain a candidate the run narrowed out by ``criterion``: today's registry profile,
    evaluated now by the engine with the pinned pack and the run's vacancy context; not ranked
    (ineligible)."""
    parsed = _parse_run(db, run)
    with db.read() as session:
        employee = session.scalar(select(Employee).where(Employee.nip == nip))
        if employee is None:
            raise NotFound(f"employee {nip} is no longer in the registry")
        profile = load_profile(session, nip=nip)
    pack = published_pack(db, run.pack_digest)
    result = explain(pack, parsed.context, profile, evaluator="engine", pool_size=run.candidates)
    data = result.to_dict()
    data["succession"]["shortlisted"] = False  # the run left them out: never on its shortlist
    outcome = next((c for c in result.criteria if c.id == criterion), None)
    still_fails = outcome is not None and outcome.outcome == "fail"
    message = (
        outcome.message.to_data() if outcome is not None else {"id": criterion, "en": criterion}
    )
    warnings = [
        (
            f"Narrowed out by {criterion} in round {run.round}: ineligible, not ranked. The "
            f"profile shown is today's registry ({today.isoformat()}), not the screening's input."
        )
        if lang == "en"
        else (
            f"Tersaring oleh {criterion} pada putaran {run.round}: tidak memenuhi syarat, tidak "
            f"diperingkat. Profil yang ditampilkan adalah data registri hari ini "
            f"({today.isoformat()}), bukan masukan penyaringan."
        )
    ]
    if not still_fails:
        warnings.append(
            f"Today's profile no longer fails {criterion}: the registry changed after the "
            "screening, which decided on the data of its day."
            if lang == "en"
            else f"Profil hari ini tidak lagi gagal pada {criterion}: registri berubah setelah "
            "penyaringan, yang memutus dengan data pada harinya."
        )
    recorder.record(db, [employee])
    return CandidateExplanation(
        employee_id=employee.id,
        nip=employee.nip,
        name=employee.name,
        source="registry",
        explanation=data,
        text="\n".join([*warnings, "", result.render_text(lang)]),
        lang=lang,
        screening=run,
        warnings=tuple(warnings),
        narrowed=NarrowedOut(
            criterion=criterion,
            message=message,
            decided="ineligible",
            profile="registry",
            read_on=today,
            still_fails=still_fails,
        ),
    )


def _render(db: Database, run: RunView, nip: str, lang: Lang) -> _Rendered:
    parsed = _parse_run(db, run)
    index = parsed.position.get(nip)
    criterion = parsed.narrowed.get(nip) if index is None and parsed.narrowed else None
    if criterion is not None:
        raise _NarrowedOutError(criterion)
    if index is None or nip not in parsed.profiles:
        raise NotFound(
            f"{nip} was not a candidate of vacancy {run.vacancy_id} in round {run.round}"
        )
    pack = published_pack(db, run.pack_digest)
    row = parsed.ranking[index]
    evaluator: Literal["engine", "reference"] = (
        "reference" if run.engine_version == "reference" else "engine"
    )
    profile = _stored_profile(parsed, nip)
    result = explain(
        pack,
        parsed.context,
        profile,
        evaluator=evaluator,
        codes=bytes.fromhex(row["codes"]),
        rank=index + 1,
        pool_size=len(parsed.ranking),
    )
    data = result.to_dict()
    data["engine"] = run.engine_version  # what decided, which may be older than this process
    neighbours = tuple(
        _neighbour(pack, parsed, index, other, lang)
        for other in (index - 1, index + 1)
        if 0 <= other < len(parsed.ranking)
    )
    return _Rendered(explanation=data, text=result.render_text(lang), neighbours=neighbours)


def _stored_profile(parsed: _ParsedRun, nip: str) -> CandidateProfile:
    return CandidateProfile.from_json(parsed.profiles[nip], where=f"snapshot.profiles[{nip}]")


def _sort_key(pack: Pack, context: VacancyContext, profile: CandidateProfile, status: str) -> Any:
    settings = pack.settings(context.level)
    measures = measure(profile, context, settings)
    fact = build_fact(profile, context, settings, measures)
    birth = profile.birth_date.toordinal() if profile.birth_date else None
    first = group_first(pack.param_values(context.level), context.succession_group)
    return key_function(pack.ranking.keys, first)(status, fact, measures, profile.nip, birth)


_KEY_FACTS: Final[Mapping[str, str]] = {
    "rank": "rank",
    "position_level": "current_talent_level",
    "service_months": "service_months",
    "leadership_training": "leadership_training",
    "leadership_training_date": "leadership_training_date",
    "education": "education",
}
"""Sort keys read from a fact field, rendered by that field's type."""
_PERCENT_KEYS: Final = frozenset({"potential_score", "performance_score", "succession_score"})
_KEY_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "status": ("status", "status"),
    "box": ("9-box", "kotak 9"),
    "potential_score": ("potential (JPM)", "potensi (JPM)"),
    "performance_score": ("performance score", "skor kinerja"),
    "succession_score": ("succession score", "skor suksesi"),
    "rank": ("rank", "pangkat"),
    "position_level": ("position level", "jenjang jabatan"),
    "service_months": ("service", "masa kerja"),
    "leadership_training": ("leadership training", "pelatihan kepemimpinan"),
    "leadership_training_date": ("leadership training date", "tanggal pelatihan kepemimpinan"),
    "education": ("education", "pendidikan"),
    "birth_date": ("birth date (older first)", "tanggal lahir (yang lebih tua didahulukan)"),
    "nip": ("NIP", "NIP"),
}


def _key_value(key: str, descending: bool, flag: int | str, value: int | str) -> str | None:
    """Return a sort key's value as people read it (None: the candidate has no value)."""
    if flag:
        return None
    if isinstance(value, str):
        return value
    number = -value if descending else value
    if key in _PERCENT_KEYS:
        return format_percent(number)
    if key == "birth_date":
        return dt.date.fromordinal(number).isoformat()
    if key in _KEY_FACTS:
        return FIELDS[_KEY_FACTS[key]].type.render(number, "en")
    return str(number)


def _neighbour(
    pack: Pack, parsed: _ParsedRun, index: int, other: int, lang: Lang
) -> _RenderedNeighbour:
    mine, theirs = parsed.ranking[index], parsed.ranking[other]
    relation: Literal["above", "below"] = "above" if other < index else "below"
    context = parsed.context
    if mine["status"] != theirs["status"]:
        decided_by, direction = "status", None
        candidate_value, neighbour_value = mine["status"], theirs["status"]
    else:
        a = _sort_key(pack, context, _stored_profile(parsed, mine["nip"]), mine["status"])
        b = _sort_key(pack, context, _stored_profile(parsed, theirs["nip"]), theirs["status"])
        decided_by, direction = "nip", "asc"
        candidate_value, neighbour_value = mine["nip"], theirs["nip"]
        for j, rank_key in enumerate(pack.ranking.keys):
            pair_a, pair_b = a[1 + 2 * j : 3 + 2 * j], b[1 + 2 * j : 3 + 2 * j]
            if pair_a != pair_b:
                descending = rank_key.direction == "desc"
                decided_by, direction = rank_key.key, rank_key.direction
                candidate_value = _key_value(rank_key.key, descending, *pair_a)
                neighbour_value = _key_value(rank_key.key, descending, *pair_b)
                break
    return _RenderedNeighbour(
        nip=theirs["nip"],
        relation=relation,
        rank=other + 1,
        status=theirs["status"],
        decided_by=decided_by,
        direction=direction,
        candidate_value=candidate_value,
        neighbour_value=neighbour_value,
        text=_tie_text(relation, other + 1, decided_by, candidate_value, neighbour_value, lang),
    )


def _tie_text(
    relation: str, rank: int, key: str, mine: str | None, theirs: str | None, lang: Lang
) -> str:
    unknown = "-" if lang == "en" else "tidak ada"
    a = unknown if mine is None else mine
    b = unknown if theirs is None else theirs
    fallback = SORT_KEYS.get(key, key)
    what = _KEY_LABELS.get(key, (fallback, fallback))[1 if lang == "id" else 0]
    if lang == "id":
        where = "di atas" if relation == "below" else "di bawah"
        return f"peringkat {where} #{rank} karena {what}: {a} lawan {b}"
    where = "ahead of" if relation == "below" else "behind"
    return f"ranked {where} #{rank} on {what}: {a} vs {b}"


# ------------------------------------------------------------------ replay


def replay_screening(
    db: Database,
    *,
    actor: Actor | None,
    vacancy_id: int,
    pack: str | None = None,
    round: int | None = None,
) -> ReplayReport:
    """Re-run a vacancy's stored screening, under its pinned pack or another published one.

    It reads only: nothing is stored, the vacancy does not change, no ledger entry is written.
    ``actor`` scopes the read to their agency; None is the service operator (the CLI).

    :raises NotFound: no such vacancy visible to the actor, no screening (in that round), or
        no published pack ``pack`` (a digest or a pack id, its newest version).
    :raises InvalidInput: the other pack does not decide this vacancy.
    """
    digest = resolve(db, pack).digest if pack is not None else None
    return replay(db, actor=actor, vacancy_id=vacancy_id, pack_digest=digest, round=round)


# ------------------------------------------------------------------ published packs


@dataclass(frozen=True, slots=True)
class PackDetail:
    """A published pack as people read it."""

    published: PublishedPack
    pack: Pack


def list_packs(db: Database, *, page: PageRequest) -> Page[PublishedPack]:
    """Return a page of the published pack versions, oldest first."""
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(RulePack)) or 0
        rows = session.scalars(
            select(RulePack)
            .order_by(RulePack.published_at, RulePack.id)
            .limit(page.per_page)
            .offset(page.offset)
        ).all()
        items = [
            PublishedPack(
                pack_id=r.pack_id,
                version=r.version,
                digest=r.digest,
                parent_digest=r.parent_digest,
                published_at=r.published_at,
                published_by=r.published_by,
            )
            for r in rows
        ]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


def pack_detail(db: Database, *, digest: str) -> PackDetail:
    """Return a published pack with its publication record.

    :raises NotFound: no published pack has this digest.
    """
    pack = published_pack(db, digest)
    return PackDetail(published=resolve(db, digest), pack=pack)


def what_if(
    db: Database,
    *,
    recorder: AccessRecorder,
    digest: str,
    nip: str | None = None,
    profile: Mapping[str, Any] | None = None,
    position_id: int | None = None,
    vacancy: Mapping[str, Any] | None = None,
    reference_date: dt.date | None = None,
    today: dt.date,
    lang: Lang = "en",
) -> CandidateExplanation:
    """Explain a registry employee or a caller-supplied profile under a published pack.

    Exactly one of ``nip`` and ``profile``, and of ``position_id`` and ``vacancy``; the
    reference date defaults to the vacancy's, else ``today``. Nothing is stored; a registry
    employee's read is recorded in the access log.

    :raises NotFound: no such pack, position or employee visible to the actor.
    :raises Refused: explaining a registry employee needs a registry reader's role.
    :raises InvalidInput: a malformed profile or vacancy (each problem names the field, e.g.
        ``profile.education[0].level``), or a pack that does not decide the vacancy.
    """
    actor = recorder.actor
    if (nip is None) == (profile is None):
        raise InvalidInput(
            "give either nip or profile", [{"field": "nip", "message": "or profile"}]
        )
    if (position_id is None) == (vacancy is None):
        raise InvalidInput(
            "give either position_id or vacancy",
            [{"field": "position_id", "message": "or vacancy"}],
        )
    if nip is not None and not actor.roles & REGISTRY_READERS:
        raise Refused(
            "explaining a registry employee needs one of the roles "
            f"{', '.join(sorted(REGISTRY_READERS))}; send a profile instead"
        )
    pack = published_pack(db, digest)
    context: VacancyContext | None = None
    candidate: CandidateProfile | None = None
    if vacancy is not None:
        raw = dict(vacancy)
        if "reference_date" not in raw:
            raw["reference_date"] = (reference_date or today).isoformat()
        context = _read(lambda: VacancyContext.from_json(raw, where="vacancy"), "vacancy")
    employee: Employee | None = None
    with db.read() as session:
        if position_id is not None:
            tenant_id = session.scalar(select(Position.tenant_id).where(Position.id == position_id))
            if tenant_id is None:
                raise NotFound(f"no position {position_id}")
            ensure_readable(actor, tenant_id, f"position {position_id}")
            context = vacancy_context(
                session, position_id=position_id, reference_date=reference_date or today
            )
        if nip is not None:
            employee = session.scalar(select(Employee).where(Employee.nip == nip))
            if employee is None or not _readable(actor, employee.tenant_id):
                raise NotFound(f"no employee with NIP {nip}")
            candidate = load_profile(session, nip=nip)
    if profile is not None:
        candidate = _read(lambda: CandidateProfile.from_json(profile, where="profile"), "profile")
    assert context is not None
    assert candidate is not None
    try:
        result = explain(pack, context, candidate)
    except (PackInvalid, PackNotEffective) as exc:
        raise InvalidInput(
            exc.message,
            [
                {
                    "field": "vacancy" if vacancy is not None else "position_id",
                    "message": exc.message,
                }
            ],
        ) from exc
    if employee is not None:
        recorder.record(db, [employee])
    return _what_if_view(result, employee, lang)


def _readable(actor: Actor, tenant_id: int) -> bool:
    try:
        ensure_readable(actor, tenant_id, "employee")
    except NotFound:
        return False
    return True


T = TypeVar("T")


def _read(make: Callable[[], T], prefix: str) -> T:
    try:
        return make()
    except ProfileInvalid as exc:
        raise InvalidInput(
            exc.message,
            [
                {
                    "field": prefix if p.field in (None, "", "(root)") else f"{prefix}.{p.field}",
                    "message": p.message,
                }
                for p in exc.problems
            ],
        ) from exc
    except RulesError as exc:  # pragma: no cover - readers raise ProfileInvalid only
        raise InvalidInput(exc.message, [{"field": prefix, "message": exc.message}]) from exc


def _what_if_view(
    result: Explanation, employee: Employee | None, lang: Lang
) -> CandidateExplanation:
    return CandidateExplanation(
        employee_id=employee.id if employee is not None else None,
        nip=result.profile.nip,
        name=result.profile.name,
        source="registry" if employee is not None else "profile",
        explanation=result.to_dict(),
        text=result.render_text(lang),
        lang=lang,
    )
