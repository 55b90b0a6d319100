"""The command line (``flask --app wsgi …``): one module per command group, attached to the
app by :func:`register`.

Like an HTTP view, a command parses its input, calls one use case (the one the view for the same
thing calls) and renders the result; domain errors leave through :func:`api.cli.errors.reported`.
"""

from __future__ import annotations

from flask import Flask

from api.cli.audit import audit_cli
from api.cli.db import db_cli
from api.cli.demo import demo_cli
from api.cli.development import development as _development  # noqa: F401  (adds to talent)
from api.cli.jobs import jobs_cli
from api.cli.registry import registry_cli
from api.cli.rules import rules_cli
from api.cli.scheduler import scheduler_cli
from api.cli.talent import talent_cli
from api.cli.users import tokens_cli, users_cli
from api.cli.vacancies import delegation_cli, vacancy_cli


def register(app: Flask) -> None:
    """Attach every command group to ``app``."""
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(registry_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(rules_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(vacancy_cli)
    app.cli.add_command(delegation_cli)
    app.cli.add_command(talent_cli)
    app.cli.add_command(jobs_cli)
