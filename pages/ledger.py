"""The auditor's audit trail (*jejak audit*): the ledger's entries filtered by agency, vacancy,
kind and time; one entry with its canonical body, hash and predecessor; verifying the chains
with their checkpoints (now, or as a background job whose progress the page follows);
replaying a vacancy's screening (reproduced, or who fares differently under another pack).
Auditors read their agency's chain, national users every agency's; the pages only read
(verifying and replaying store nothing but a verification job's results)."""

from __future__ import annotations

import json
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from api.state import jobs as job_queue
from api.state import settings
from pages.i18n import LEDGER_KINDS
from pages.jobs import progress_label, time_left
from pages.monitoring import agency_choices
from pages.oversight_forms import LedgerFilterForm, ReplayForm, VerifyForm
from pages.web import bp, current_actor, database, now, page_request, redirect_to, signed_in
from workflow import jobs, ledger, screening
from workflow.core import InvalidInput, NotFound
from workflow.identity import usernames
from workflow.models import Role

LEDGER_READERS = (Role.AUDITOR, Role.NATIONAL_REVIEWER)
"""Who reads the audit trail (as the API's ``/ledger``)."""
ENTRIES_PER_PAGE = 25
GENESIS = "0" * 64
MAX_SEQ = 2**63 - 1
"""No chain is longer; a larger number in the URL is no entry (rather than a database error)."""


def kind_choices() -> list[tuple[str, str]]:
    """Return the kinds of entry as select choices, "every kind" first."""
    return [("", _("Every kind"))] + [
        (
            kind.value,
            f"{LEDGER_KINDS[kind.value]} ({kind.value})"
            if kind.value in LEDGER_KINDS
            else kind.value,
        )
        for kind in ledger.LedgerKind
    ]


def _user_id(value: object) -> int | None:
    if isinstance(value, str) and value.startswith("user:") and value[5:].isdigit():
        return int(value[5:])
    return None


def _who(entries: list[ledger.EntryView]) -> dict[str, str]:
    """Return the usernames of the ``user:<id>`` actors of ``entries`` (the ledger holds ids)."""
    ids = {
        found
        for entry in entries
        for value in (entry.actor, (entry.data or {}).get(ledger.ON_BEHALF_OF))
        if (found := _user_id(value)) is not None
    }
    names = usernames(database(), user_ids=ids) if ids else {}
    return {f"user:{user_id}": name for user_id, name in names.items()}


@bp.route("/jejak-audit", endpoint="ledger")
@signed_in(*LEDGER_READERS)
def ledger_list() -> Any:
    """List ledger entries by agency and sequence, filtered by the GET form."""
    form = LedgerFilterForm(formdata=request.args)
    form.instansi.choices = agency_choices(_("Every agency"))
    form.jenis.choices = kind_choices()
    form.validate()
    kind = form.valid("jenis")
    if kind is not None and kind not in {value for value, _label in form.jenis.choices}:
        form.jenis.errors = [*form.jenis.errors, _("Choose a kind from the list.")]
        kind = None
    since, until = form.period() if not (form.dari.errors or form.sampai.errors) else (None, None)
    found = ledger.list_entries(
        database(),
        actor=current_actor(),
        where=ledger.EntryFilter(
            tenant_code=form.valid("instansi"),
            vacancy_id=form.lowongan.number() if not form.lowongan.errors else None,
            kind=kind,
            since=since,
            until=until,
        ),
        page=page_request(ENTRIES_PER_PAGE),
    )
    return render_template(
        "oversight/ledger.html",
        form=form,
        page=found,
        names=_who(list(found.items)),
        vacancy=form.lowongan.number(),
    )


def _pretty(body: str) -> str | None:
    """Return the body indented for reading, or None when it is not JSON (a tampered row)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return json.dumps(parsed, indent=2, ensure_ascii=False)


@bp.route("/jejak-audit/<tenant>/<int:seq>")
@signed_in(*LEDGER_READERS)
def ledger_entry(tenant: str, seq: int) -> Any:
    """One entry: its canonical body (pretty and exact), hash, predecessor's hash and links."""
    if seq > MAX_SEQ:
        raise NotFound(f"no ledger entry {tenant}#{seq}")
    entry = ledger.get_entry(database(), actor=current_actor(), tenant_code=tenant, seq=seq)
    return render_template(
        "oversight/entry.html",
        entry=entry,
        pretty=_pretty(entry.body),
        recomputed=ledger.body_hash(entry.body),
        genesis=entry.prev_hash == GENESIS and entry.seq == 1,
        names=_who([entry]),
    )


@bp.route("/jejak-audit/verifikasi", methods=["GET", "POST"])
@signed_in(*LEDGER_READERS)
def ledger_verify() -> Any:
    """Recompute the chains (every one the user reads, or one agency's) and the checkpoints."""
    form = VerifyForm()
    form.instansi.choices = agency_choices(_("Every agency I may read"))
    if request.method == "GET":
        job_id = request.args.get("pekerjaan", "")
        if job_id:
            return _verify_job_page(form, job_id)
        return render_template("oversight/verify.html", form=form, report=None)
    if not form.validate():
        return render_template("oversight/verify.html", form=form, report=None), 422
    report = ledger.audit_verify(
        database(),
        actor=current_actor(),
        tenant_code=form.instansi.data or None,
        checkpoint_dir=settings().checkpoint_dir,
    )
    return render_template("oversight/verify.html", form=form, report=report)


def _verify_job_page(form: VerifyForm, job_id: str) -> Any:
    """The verify page following a verification job: its bar while it runs, then the
    per-chain results as a verification now shows them."""
    if not job_id.isdigit() or int(job_id) > MAX_SEQ:
        raise NotFound(f"no job {job_id}")
    found = jobs.get_ledger_job(database(), actor=current_actor(), job_id=int(job_id), now=now())
    if found.job.kind != jobs.KIND_VERIFY:
        raise NotFound(f"no verification job {job_id}")
    if len(found.agencies) == 1:
        form.instansi.data = found.agencies[0]
    return render_template(
        "oversight/verify.html",
        form=form,
        report=found.report,
        job=found.job,
        chains=found.chains,
        job_label=progress_label(found.job),
        job_left=time_left(found.job),
    )


@bp.route("/jejak-audit/verifikasi/pekerjaan", methods=["POST"])
@signed_in(*LEDGER_READERS)
def ledger_verify_job() -> Any:
    """Verify the chains (every one the user reads, or one agency's) as a background job, one
    shard per chain: the verify page then follows its progress and shows each chain's result."""
    form = VerifyForm()
    form.instansi.choices = agency_choices(_("Every agency I may read"))
    if not form.validate():
        return render_template("oversight/verify.html", form=form, report=None), 422
    started = jobs.start_ledger_job(
        job_queue(),
        actor=current_actor(),
        kind=jobs.KIND_VERIFY,
        tenant_code=form.instansi.data or None,
        now=now(),
    )
    return redirect_to("pages.ledger_verify", pekerjaan=started.job.id)


def pack_choices() -> list[tuple[str, str]]:
    """Return the published packs as select choices, "the pinned pack" first."""
    packs = screening.list_published(database())
    return [("", _("The vacancy's own pinned pack (reproduce)"))] + [
        (p.digest, f"{p.pack_id} {p.version} · {p.digest[:12]}") for p in reversed(packs)
    ]


@bp.route("/jejak-audit/putar-ulang", methods=["GET", "POST"])
@signed_in(*LEDGER_READERS)
def ledger_replay() -> Any:
    """Replay a vacancy's stored screening: "reproduced", or the differences under another pack."""
    form = ReplayForm()
    form.paket.choices = pack_choices()
    if request.method == "GET":
        form.lowongan.data = request.args.get("lowongan", "")[:9] or None
        return render_template("oversight/replay.html", form=form, report=None)
    if not form.validate():
        return render_template("oversight/replay.html", form=form, report=None), 422
    digest = form.paket.data or None
    if digest is not None and digest not in {value for value, _label in form.paket.choices}:
        form.paket.errors = [*form.paket.errors, _("Choose a pack from the list.")]
        return render_template("oversight/replay.html", form=form, report=None), 422
    try:
        report = screening.replay_screening(
            database(),
            actor=current_actor(),
            vacancy_id=int(form.lowongan.data),
            pack=digest,
        )
    except NotFound as exc:
        form.lowongan.errors = [_("There is no stored screening of this vacancy you may read.")]
        return render_template(
            "oversight/replay.html", form=form, report=None, detail=exc.message
        ), 404
    except InvalidInput as exc:
        form.paket.errors = [_("This pack cannot replay this vacancy.")]
        return render_template(
            "oversight/replay.html", form=form, report=None, detail=exc.message
        ), 422
    return render_template(
        "oversight/replay.html",
        form=form,
        report=report,
        packs=dict(form.paket.choices),
    )
