"""Rendering personal data only once its disclosure is recorded (UU PDP Art. 31).

A view that returns employees creates the request's recorder with :func:`recorder` and hands
it to the query, which records every employee it returns. Every schema that renders an
employee's personal data derives from :class:`PersonalDataSchema`, which refuses (a 500, and
nothing disclosed) to render an employee this request has not recorded. So a new endpoint
cannot return personal data and forget the access log: it fails on its first call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from flask import g, request
from marshmallow import Schema, pre_dump

from api.auth import current_actor
from workflow.identity import AccessRecorder


class UnrecordedDisclosure(RuntimeError):
    """A response was about to disclose personal data that no access record covers."""


def recorder(purpose: str) -> AccessRecorder:
    """Return this request's access recorder, created for ``purpose`` on first use."""
    existing: AccessRecorder | None = g.get("personal_data_recorder")
    if existing is not None:
        return existing
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    created = AccessRecorder(
        actor=current_actor(),
        method=request.method,
        endpoint=rule,
        purpose=purpose,
        now=dt.datetime.now(dt.UTC),
        request_id=g.get("request_id"),
    )
    g.personal_data_recorder = created
    return created


class PersonalDataSchema(Schema):
    """Base of every schema rendering an employee's personal data; it checks the access log."""

    employee_id_attribute: ClassVar[str] = "id"
    """The attribute of the rendered object that holds the employee's id."""

    @pre_dump
    def _require_recorded(self, obj: Any, **_kwargs: Any) -> Any:
        employee_id = getattr(obj, self.employee_id_attribute)
        active: AccessRecorder | None = g.get("personal_data_recorder")
        if active is None or employee_id not in active.recorded:
            raise UnrecordedDisclosure(
                f"{type(self).__name__} would render employee {employee_id} "
                "without an access record"
            )
        return obj
