"""``flask --app wsgi db …``: schema migrations, backups and restores."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from api.cli.errors import reported
from api.state import db
from workflow.core import (
    backup_database,
    restore_database,
    schema_heads,
    schema_revision,
    upgrade_schema,
)

db_cli = AppGroup("db", help="Database schema migrations, backups and restores.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    upgrade_schema(db(), revision)
    click.echo(f"database at {', '.join(schema_revision(db())) or 'base'}")


@db_cli.command("current")
def db_current() -> None:
    """Print the revision the database is at and the newest one."""
    click.echo(f"current: {', '.join(schema_revision(db())) or 'base'}")
    click.echo(f"head:    {', '.join(schema_heads())}")


@db_cli.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
def db_backup(path: Path) -> None:
    """Write a consistent copy of the whole database to PATH (SQLite: the online backup API,
    safe while the service runs; PostgreSQL: pg_dump's custom format)."""
    with reported():
        written = backup_database(db(), path)
    click.echo(f"backup written: {written}")


@db_cli.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database.")
def db_restore(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup at PATH; then run `audit verify`: checkpoints
    signed after the backup report each chain that moved back in time as truncated."""
    if not yes:
        click.confirm(f"Replace the whole database with {path}?", abort=True)
    with reported():
        restore_database(db(), path)
    click.echo(f"restored from {path}; now run `audit verify` against your checkpoints")
