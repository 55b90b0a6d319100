"""``flask --app wsgi db …``: schema migrations."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from api.state import db
from workflow.core import schema_heads, schema_revision, upgrade_schema

db_cli = AppGroup("db", help="Database schema migrations.")


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
