"""Languages: Bahasa Indonesia by default, English second; dates as ``3 Desember 2026``.

The catalogues are ``pages/translations/<locale>/LC_MESSAGES/messages.po``; their compiled
``.mo`` files are committed beside them (``make translations`` rebuilds them, and a test fails
when a ``.mo`` no longer matches its ``.po``). Message ids are English.

The words of the workflow (states, actions, roles, rules that refuse) are translated here, once,
so every page says them the same way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import Flask, session
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
TIME_ZONE = ZoneInfo("Asia/Jakarta")
"""Times are shown in WIB, where the users are."""

STATES: dict[str, Any] = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "screening": _l("Screening"),
    "committee_review": _l("Committee review"),
    "authority_decision": _l("Authority's decision"),
    "technical_review": _l("BKN technical review"),
    "decree_issued": _l("Decree issued"),
    "closed": _l("Closed"),
    "returned": _l("Returned to HR"),
    "cancelled": _l("Cancelled"),
}
ACTIONS: dict[str, Any] = {
    "open": _l("Open"),
    "submit": _l("Submit"),
    "start_screening": _l("Start the screening"),
    "complete_screening": _l("Screening completed"),
    "screening_short": _l("Too few eligible candidates"),
    "vote": _l("Vote"),
    "declare_conflict": _l("Declare a conflict of interest"),
    "committee_approved": _l("Committee approved"),
    "committee_returned": _l("Committee returned"),
    "decide": _l("Choose the candidate"),
    "approve_technical": _l("Give the technical approval"),
    "reject_technical": _l("Return from technical review"),
    "issue_decree": _l("Issue the decree"),
    "close": _l("Close"),
    "return": _l("Return to HR"),
    "cancel": _l("Cancel"),
    "revise": _l("Revise"),
}
ROLES: dict[str, Any] = {
    "hr": _l("HR officer (BKPSDM)"),
    "committee": _l("Committee member (TPK)"),
    "authority": _l("Authority (PPK)"),
    "national_reviewer": _l("BKN reviewer"),
    "auditor": _l("Auditor"),
    "admin": _l("Administrator"),
    "employee": _l("Employee (ASN)"),
    "system": _l("System"),
}
RULES: dict[str, Any] = {
    "SOD-SUBMITTER": _l(
        "Whoever submitted this vacancy may not act on it at a later step (segregation of duties)."
    ),
    "SOD-ONE-ROLE": _l("One person acts on a vacancy in one role only (segregation of duties)."),
    "COI-CANDIDATE": _l(
        "A candidate on this shortlist may not vote or decide on it (UU 30/2014 Art. 42)."
    ),
    "COI-DECLARED": _l(
        "You declared a conflict of interest with a shortlisted candidate and must withdraw "
        "(UU 30/2014 Art. 42)."
    ),
    "RECUSED": _l("You are recused from this vacancy's committee."),
    "NOT-A-MEMBER": _l("You are not on this vacancy's committee."),
    "NATIONAL-READ-ONLY": _l(
        "The national agency reads other agencies' vacancies but may only give the technical "
        "review."
    ),
    "ROLE": _l("None of your roles may take this action."),
    "DELEGATION": _l("There is no valid delegation for acting on this person's behalf."),
    "PICK-IN-POOL": _l(
        "The choice must be an eligible candidate among the top ranks, and any choice but rank 1 "
        "needs a written justification of at least 20 characters."
    ),
    "PERTEK-GIVEN": _l("The decree needs BKN's technical approval (pertek) first."),
    "ADMIN-SELF": _l(
        "An administrator may not disable themself or remove their own administrator role: "
        "ask another administrator."
    ),
    "USER-DISABLED": _l("The user is disabled: enable the account before a password or token."),
}


LEDGER_KINDS: dict[str, Any] = {
    "vacancy.opened": _l("Vacancy opened"),
    "vacancy.transition": _l("Step taken"),
    "vacancy.refused": _l("Action refused"),
    "screening.result": _l("Screening result recorded"),
    "delegation.created": _l("Delegation recorded"),
    "sla.reminder": _l("Deadline reminder"),
    "sla.escalated": _l("Deadline missed: escalated"),
    "registry.import": _l("Registry import"),
    "rules.publish": _l("Rule pack published"),
    "talent.map": _l("Talent map recorded"),
    "talent.development": _l("Development activity recorded"),
    "job.started": _l("Background job started"),
    "job.finished": _l("Background job ended"),
}


def select_locale() -> str:
    """Return the language of this request: the session's choice, else Indonesian."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def language() -> str:
    """Return the current language code (``id`` or ``en``)."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def long_date(value: dt.date | dt.datetime | str | None) -> str:
    """Return e.g. ``3 Desember 2026`` (``3 December 2026`` in English); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.astimezone(TIME_ZONE).date()
    return format_date(value, "d MMMM y", locale=language())


def date_time(value: dt.datetime | str | None) -> str:
    """Return e.g. ``3 Desember 2026 14.05 WIB``; empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    local = value.astimezone(TIME_ZONE)
    pattern = "d MMMM y HH.mm" if language() == "id" else "d MMMM y HH:mm"
    return f"{format_datetime(local, pattern, locale=language())} WIB"


def _label(table: dict[str, Any], key: str | None) -> str:
    if key is None:
        return ""
    found = table.get(str(key))
    return str(found) if found is not None else str(key)


def init_app(app: Flask) -> None:
    """Set up flask-babel and the template filters that speak the user's language."""
    Babel(
        app,
        locale_selector=select_locale,
        default_locale=DEFAULT_LANGUAGE,
        default_translation_directories=str(TRANSLATIONS),
        default_timezone="Asia/Jakarta",
    )
    app.jinja_env.filters.update(
        long_date=long_date,
        date_time=date_time,
        state_label=lambda key: _label(STATES, key),
        action_label=lambda key: _label(ACTIONS, key),
        role_label=lambda key: _label(ROLES, key),
        ledger_kind=lambda key: _label(LEDGER_KINDS, key),
        rule_text=lambda key: _label(RULES, key) if key in RULES else "",
    )
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=language)
