"""``flask --app wsgi audit …``: verify, checkpoint and export the tamper-evident ledger."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from api.cli.errors import reported
from api.converters import MAX_ID
from api.state import db, settings
from workflow import ledger, screening
from workflow.core import SystemClock
from workflow.ledger import CheckpointStore, MalformedCheckpoint, VerifierKey, load_signer

audit_cli = AppGroup("audit", help="Verify, checkpoint and export the tamper-evident ledger.")

_TENANT = click.option("--tenant", "tenant_code", metavar="CODE", help="Only this tenant.")


@audit_cli.command("verify")
@_TENANT
@click.option(
    "--trusted-key",
    "trusted_keys",
    multiple=True,
    metavar="VKEY",
    help="Trust only this checkpoint key (name+hash+base64; repeatable). "
    "Default: the keys published beside the checkpoints.",
)
def verify_command(tenant_code: str | None, trusted_keys: tuple[str, ...]) -> None:
    """Recompute every chain and check it against the signed checkpoints; exit 1 if broken."""
    try:
        pinned = tuple(VerifierKey.parse(key) for key in trusted_keys) or None
    except MalformedCheckpoint as exc:
        raise click.ClickException(str(exc)) from None
    with reported():
        store = CheckpointStore(settings().checkpoint_dir, trusted_keys=pinned)
        report = ledger.verify(db(), tenant_code=tenant_code, checkpoints=store)
    if not report.tenants:
        click.echo("the ledger is empty")
    for tenant in report.tenants:
        counts = (
            f"{_count(tenant.entries, 'entry', 'entries')} verified, "
            f"{_count(tenant.checkpoints, 'checkpoint', 'checkpoints')} checked"
        )
        first = tenant.first_break
        if tenant.ok:
            click.echo(f"{tenant.tenant}: ok, {counts}")
        elif first is not None:
            click.echo(f"{tenant.tenant}: BROKEN at entry {first.seq}: {first.reason} ({counts})")
        else:
            click.echo(f"{tenant.tenant}: checkpoint problems ({counts})")
        for finding in tenant.findings:
            if finding is not first:
                click.echo(f"  {finding.describe()}")
    for problem in report.problems:
        click.echo(f"{problem.describe()}")
    if not report.ok:
        raise click.exceptions.Exit(1)


@audit_cli.command("checkpoint")
@_TENANT
def checkpoint_command(tenant_code: str | None) -> None:
    """Sign a checkpoint of each verified chain into CHECKPOINT_DIR; print the files."""
    config = settings()
    with reported():
        signer = load_signer(config)
        run = ledger.checkpoint(
            db(),
            store=CheckpointStore(config.checkpoint_dir),
            signer=signer,
            now=SystemClock().now(),
            tenant_code=tenant_code,
        )
    for path in run.written:
        click.echo(str(path))
    for tenant in run.refused:
        first = tenant.first_break
        reason = first.describe() if first else "; ".join(f.reason for f in tenant.findings)
        click.echo(f"{tenant.tenant}: NOT signed, the chain does not verify: {reason}", err=True)
    if not run.written and not run.refused:
        click.echo("nothing to checkpoint: the ledger is empty")
    if run.refused:
        raise click.exceptions.Exit(1)


@audit_cli.command("export")
@_TENANT
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export_command(tenant_code: str | None, output: Path | None) -> None:
    """Write the ledger as JSON Lines, one entry per line (format in docs/ledger.md)."""
    target = "-" if output is None else str(output)
    with (
        reported(),
        click.open_file(target, "w", encoding="utf-8", atomic=output is not None) as out,
    ):
        count = ledger.export(db(), out, tenant_code=tenant_code)
    if output is not None:
        click.echo(f"{count} entries written to {output}", err=True)


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


@audit_cli.command("replay")
@click.argument("vacancy_id", type=click.IntRange(1, MAX_ID))
@click.option(
    "--pack",
    "pack_ref",
    default=None,
    help="Replay under another published pack (digest or id) to see who gains or loses.",
)
@click.option(
    "--round", "round_", type=int, default=None, help="Screening round (default: latest)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def replay_command(
    vacancy_id: int, pack_ref: str | None, round_: int | None, as_json: bool
) -> None:
    """Re-run a vacancy's stored screening; exit 1 if it does not reproduce the recorded digest."""
    with reported():
        report = screening.replay_screening(
            db(), actor=None, vacancy_id=vacancy_id, pack=pack_ref, round=round_
        )
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif not report.counterfactual:
        verdict = "REPRODUCED" if report.reproduced else "DIFFERENT"
        click.echo(f"vacancy {vacancy_id} round {report.round}: {verdict}")
        click.echo(f"  recorded result {report.recorded_result_digest}")
        click.echo(f"  replayed result {report.replayed_result_digest}")
        click.echo(
            f"  {report.candidates} candidates, pack {report.replay_pack[:16]}…, "
            f"engine {report.replay_engine}"
        )
        if report.narrowed:
            click.echo(f"  {report.narrowed} of them narrowed out (the recorded list replayed)")
    else:
        click.echo(
            f"vacancy {vacancy_id} round {report.round} under pack "
            f"{report.replay_pack[:16]}… instead of {report.recorded_pack[:16]}…:"
        )
        if report.narrowed:
            click.echo(
                f"  {report.narrowed} narrowed out by the run: {report.renarrowed} narrowed out "
                f"again, {report.from_registry} evaluated from TODAY's registry, "
                f"{report.not_in_registry} no longer in the registry"
            )
        if not report.changes:
            click.echo("  nobody gains, loses or moves")
        for change in report.changes:
            today = " (today's registry)" if change.profile == "registry" else ""
            click.echo(
                f"  {change.effect:<9} {change.nip}  {change.status_before} -> "
                f"{change.status_after}, rank {change.rank_before or '-'} -> "
                f"{change.rank_after or '-'}{today}"
            )
    if not report.counterfactual and not report.reproduced:
        raise click.exceptions.Exit(1)
