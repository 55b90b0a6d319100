"""The web pages: a server-rendered adapter beside the JSON API, calling the same use cases.

One blueprint (``pages``, at ``/``) with one module per area; :func:`init_app` attaches it with
its language, CSRF, session and security-header machinery. A new area is a module that adds
its routes to :data:`pages.web.bp`, is imported in :func:`init_app`, and (if it belongs in the
menu) has an entry in :data:`pages.nav.NAV`.
"""

from __future__ import annotations

from flask import Flask

from pages import errors, i18n, security
from pages.web import bp


def init_app(app: Flask) -> None:
    """Attach the pages (at ``/``) and their machinery to ``app``."""
    # Importing the area modules adds their routes to the blueprint.
    from pages import (  # noqa: F401
        access_log,
        account,
        admin,
        delegations,
        inbox,
        jobs,
        ledger,
        monitoring,
        registry,
        rule_packs,
        succession,
        talent,
        talent_national,
        vacancies,
    )

    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    app.register_blueprint(bp)
