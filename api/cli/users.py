"""``users`` and ``tokens`` commands: create users, issue and revoke bearer tokens, demo users."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from api.cli.errors import reported
from api.state import db, settings
from workflow.identity import (
    create_user,
    ensure_demo_users,
    issue_token,
    revoke_tokens,
    set_password,
)
from workflow.models import Role

users_cli = AppGroup("users", help="Users of the service and their roles.")
tokens_cli = AppGroup("tokens", help="Bearer tokens (shown once, stored only as a hash).")

DEMO_TOKEN_DAYS = 30
DEMO_PASSWORD = "meritflow-demo"  # noqa: S105  (the published demo password, never in production)


@users_cli.command("create")
@click.argument("username")
@click.option("--tenant", "tenant_code", required=True, help="The agency's code.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="A role; repeat for several.",
)
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--employee-nip", help="The user's own employee record (same agency).")
def create(
    username: str,
    tenant_code: str,
    roles: tuple[str, ...],
    display_name: str | None,
    employee_nip: str | None,
) -> None:
    """Create USERNAME in an agency with one or more roles."""
    with reported():
        user_id = create_user(
            db(),
            tenant_code=tenant_code,
            username=username,
            display_name=display_name or username,
            roles=roles,
            employee_nip=employee_nip,
        )
    click.echo(f"created user {username} (id {user_id}) in {tenant_code}: {', '.join(roles)}")


@users_cli.command("demo")
def demo() -> None:
    """Create the demo users (idempotent), replace their demo tokens and passwords, print them.

    Outside production every demo user's password is the published demo password; in production
    each gets a fresh random one.
    """
    with reported():
        accounts = ensure_demo_users(
            db(),
            now=dt.datetime.now(dt.UTC),
            lifetime=dt.timedelta(days=DEMO_TOKEN_DAYS),
            fixed_password=None if settings().is_production else DEMO_PASSWORD,
        )
    rows = [("USERNAME", "AGENCY", "ROLES", "PASSWORD", "TOKEN")] + [
        (a.username, a.tenant_code, ",".join(a.roles), a.password, a.token) for a in accounts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    click.echo(f"Demo users (tokens valid {DEMO_TOKEN_DAYS} days; earlier demo tokens revoked):")
    for *cells, token in rows:
        click.echo("  ".join([*(c.ljust(w) for c, w in zip(cells, widths, strict=True)), token]))
    click.echo('Try: curl -H "Authorization: Bearer <TOKEN>" http://127.0.0.1:8000/api/v1/me')
    click.echo("Or sign in at http://127.0.0.1:8000/ with a USERNAME and its PASSWORD.")


@users_cli.command("set-password")
@click.argument("username")
@click.password_option(help="The new password (asked twice when not given).")
def set_password_command(username: str, password: str) -> None:
    """Set the web sign-in password of USERNAME (stored as an argon2id hash)."""
    with reported():
        set_password(db(), username=username, password=password)
    click.echo(f"password set for {username}")


@tokens_cli.command("issue")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--days", type=click.IntRange(1, 3650), help="Lifetime in days (default: none).")
def issue(username: str, name: str, days: int | None) -> None:
    """Issue a bearer token for USERNAME and print it once."""
    with reported():
        issued = issue_token(
            db(),
            username=username,
            name=name,
            now=dt.datetime.now(dt.UTC),
            lifetime=dt.timedelta(days=days) if days else None,
        )
    expiry = issued.expires_at.isoformat() if issued.expires_at else "never"
    click.echo(issued.token)
    click.echo(
        f"(token {issued.token_id} for {username}, expires {expiry}; not shown again)", err=True
    )


@tokens_cli.command("revoke")
@click.argument("username")
def revoke(username: str) -> None:
    """Revoke every live token of USERNAME."""
    with reported():
        count = revoke_tokens(db(), username=username, now=dt.datetime.now(dt.UTC))
    click.echo(f"revoked {count} token(s) of {username}")
