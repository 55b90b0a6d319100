"""The forms of the oversight pages (monitoring, audit trail, access log).

Filters are GET forms (no CSRF: they change nothing, and their URL can be shared); a bad value
is shown beside its field and the list is not filtered by it. Verification and replay are POST
forms with their CSRF token. Dates are days in WIB: ``since`` from the start of its day,
``until`` up to the end of its day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from pages.i18n import TIME_ZONE

AGENCY_CODE = Regexp(
    r"^[A-Za-z0-9._-]{1,40}$", message=_l("An agency code has letters, digits, dots or dashes.")
)


class FilterForm(FlaskForm):  # type: ignore[misc]
    """A GET form of filters (no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    def validate_sampai(self, field: Any) -> None:
        """Refuse a period whose end comes before its start."""
        since = getattr(self, "dari", None)
        if since is not None and since.data and field.data and field.data < since.data:
            raise ValidationError(_l("The end of the period comes before its start."))

    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """Return the period the form asks for, as UTC instants (None: unbounded)."""
        return day_start(self.dari.data), day_start(self.sampai.data, after=True)

    def valid(self, name: str) -> Any:
        """Return a field's value when it is given and valid, else None."""
        field = getattr(self, name)
        return field.data if field.data not in (None, "") and not field.errors else None


def day_start(day: dt.date | None, *, after: bool = False) -> dt.datetime | None:
    """Return the first instant (UTC) of ``day`` in WIB, or of the next day if ``after``."""
    if day is None:
        return None
    if after:
        if day >= dt.date.max:
            return None
        day = day + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=TIME_ZONE).astimezone(dt.UTC)


class DayField(DateField):  # type: ignore[misc]
    """A day (``YYYY-MM-DD``, as a browser's date input sends it), with our own message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the day; a malformed one is an error in the user's language."""
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Enter the date as YYYY-MM-DD."))) from exc


class NumberField(StringField):  # type: ignore[misc]
    """A whole number from 1, typed as text (its error message is ours, in both languages)."""

    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(
            label,
            validators=[
                Optional(),
                Regexp(r"^[0-9]{1,9}$", message=_l("Enter a whole number from 1.")),
            ],
            render_kw={"inputmode": "numeric"},
            **kwargs,
        )

    def number(self) -> int | None:
        """Return the number typed, or None when empty or malformed."""
        raw = (self.data or "").strip()
        return int(raw) if raw.isdigit() and len(raw) <= 9 and int(raw) >= 1 else None


def _date(label: Any) -> DayField:
    return DayField(label, validators=[Optional()], render_kw={"type": "date"})


def _agency() -> SelectField:
    return SelectField(
        _l("Agency"), choices=[], validate_choice=False, validators=[Optional(), AGENCY_CODE]
    )


class MonitoringFilterForm(FilterForm):
    """Which agency, and the period of the decisions and screenings."""

    instansi = _agency()
    dari = _date(_l("From"))
    sampai = _date(_l("Until (inclusive)"))


class LedgerFilterForm(FilterForm):
    """Which entries of the audit trail to list."""

    instansi = _agency()
    lowongan = NumberField(_l("Vacancy number"))
    jenis = SelectField(
        _l("Kind of entry"), choices=[], validate_choice=False, validators=[Optional()]
    )
    dari = _date(_l("From"))
    sampai = _date(_l("Until (inclusive)"))


class AccessFilterForm(FilterForm):
    """Which personal-data accesses to list."""

    pengguna = StringField(_l("Username"), validators=[Optional(), Length(max=80)])
    pegawai = NumberField(_l("Employee id"))
    nip = StringField(
        "NIP",
        validators=[Optional(), Regexp(r"^[0-9]{18}$", message=_l("A NIP has 18 digits."))],
    )
    dari = _date(_l("From"))
    sampai = _date(_l("Until (inclusive)"))


class VerifyForm(FlaskForm):  # type: ignore[misc]
    """Verify the chains the user may read, or one agency's."""

    instansi = _agency()


class ReplayForm(FlaskForm):  # type: ignore[misc]
    """Replay a vacancy's stored screening, under its own pack or another published one."""

    lowongan = StringField(
        _l("Vacancy number"),
        validators=[
            DataRequired(message=_l("Enter the vacancy number.")),
            Regexp(r"^[0-9]{1,9}$", message=_l("Enter a whole number from 1.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    paket = SelectField(_l("Rule pack"), choices=[], validate_choice=False, validators=[Optional()])
