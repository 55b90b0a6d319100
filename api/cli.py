"""Command-line entry points (``flask --app wsgi …``); each command calls one use case."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from api.commands import audit, users
from api.commands.demo import demo_cli
from api.commands.registry import registry_cli
from api.commands.rules import rules_cli
from api.commands.scheduler import scheduler_cli
from api.commands.vacancies import delegation_cli, vacancy_cli
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


def register(app: Flask) -> None:
    """Attach every command group to ``app``."""
    app.cli.add_command(db_cli)
    app.cli.add_command(users.users_cli)
    app.cli.add_command(users.tokens_cli)
    app.cli.add_command(audit.audit_cli)
    app.cli.add_command(registry_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(rules_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(vacancy_cli)
    app.cli.add_command(delegation_cli)
