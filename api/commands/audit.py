"""``flask --app wsgi audit …``: verify, checkpoint and export the tamper-evident ledger."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from api.state import db, settings
from config import ConfigurationError
from workflow import ledger
from workflow.checkpoints import CheckpointStore, MalformedCheckpoint, VerifierKey, load_signer
from workflow.clock import SystemClock
from workflow.errors import NotFound

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
        store = CheckpointStore(settings().checkpoint_dir, trusted_keys=pinned)
        report = ledger.verify(db(), tenant_code=tenant_code, checkpoints=store)
    except (NotFound, MalformedCheckpoint) as exc:
        raise click.ClickException(str(exc)) from None
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
    try:
        signer = load_signer(config)
        run = ledger.checkpoint(
            db(),
            store=CheckpointStore(config.checkpoint_dir),
            signer=signer,
            now=SystemClock().now(),
            tenant_code=tenant_code,
        )
    except (NotFound, ConfigurationError) as exc:
        raise click.ClickException(str(exc)) from None
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
    try:
        with click.open_file(target, "w", encoding="utf-8", atomic=output is not None) as out:
            count = ledger.export(db(), out, tenant_code=tenant_code)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    if output is not None:
        click.echo(f"{count} entries written to {output}", err=True)


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"
