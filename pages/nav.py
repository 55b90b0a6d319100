"""The menu, in one place: each entry names its endpoint and the roles that see it.

An entry whose endpoint the app does not (yet) have is left out, so areas still being built can
hold their place here: add the module with its routes and the entry appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

from workflow.core import Actor


@dataclass(frozen=True, slots=True)
class NavEntry:
    """One menu entry."""

    endpoint: str
    label: Any
    roles: frozenset[str]
    """Who sees it (empty: every signed-in user)."""


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


NAV: tuple[NavEntry, ...] = (
    NavEntry("pages.inbox", _l("My tasks"), _roles()),
    NavEntry(
        "pages.vacancy_list",
        _l("Vacancies"),
        _roles("hr", "committee", "authority", "national_reviewer", "auditor"),
    ),
    NavEntry("pages.registry_search", _l("Registry"), _roles("hr")),
    NavEntry("pages.delegations", _l("Delegate"), _roles("hr", "committee", "authority")),
    NavEntry(
        "pages.talent", _l("Talent map"), _roles("hr", "authority", "national_reviewer", "auditor")
    ),
    NavEntry("pages.own_profile", _l("My profile"), _roles("employee")),
    # Areas of the other pages: they appear once their endpoints exist.
    NavEntry("pages.monitoring", _l("Monitoring"), _roles("national_reviewer", "auditor")),
    NavEntry(
        "pages.succession_groups",
        _l("Succession groups"),
        _roles("hr", "authority", "auditor"),
    ),
    NavEntry(
        "pages.talent_national", _l("National talent"), _roles("national_reviewer", "auditor")
    ),
    NavEntry("pages.ledger", _l("Audit trail"), _roles("auditor", "national_reviewer")),
    NavEntry("pages.access_log", _l("Access log"), _roles("auditor", "admin")),
    NavEntry("pages.rule_packs", _l("Rule packs"), _roles()),
    NavEntry("pages.admin_users", _l("Users"), _roles("admin")),
)


def menu(actor: Actor | None) -> list[dict[str, Any]]:
    """Return the menu entries ``actor`` sees, with their URLs and which one is current."""
    if actor is None:
        return []
    functions = current_app.view_functions
    return [
        {
            "url": url_for(entry.endpoint),
            "label": entry.label,
            "current": request.endpoint == entry.endpoint,
        }
        for entry in NAV
        if entry.endpoint in functions and (not entry.roles or entry.roles & actor.roles)
    ]
