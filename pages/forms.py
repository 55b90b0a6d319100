"""The forms of the pages (flask-wtf: every form carries its CSRF token).

Messages are lazy so they speak the language of the request that renders them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    PasswordField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

REQUIRED = _l("This field is required.")


class SignInForm(FlaskForm):  # type: ignore[misc]
    """Username and password."""

    username = StringField(
        _l("Username"),
        validators=[DataRequired(message=_l("Enter your username.")), Length(max=80)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=256)],
    )
    next = HiddenField()


class LanguageForm(FlaskForm):  # type: ignore[misc]
    """The language switch (one button per language)."""

    lang = HiddenField()
    next = HiddenField()


class ActionForm(FlaskForm):  # type: ignore[misc]
    """What every vacancy action form carries: the version it was rendered with and a key."""

    version = HiddenField(validators=[InputRequired()])
    key = HiddenField(validators=[InputRequired(), Length(max=255)])


class ConfirmForm(ActionForm):
    """An action that takes nothing but a confirmation."""


class ReasonForm(ActionForm):
    """An action that needs a reason (cancel, return, technical return)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Write the reason.")), Length(max=2000)],
    )


class OpenVacancyForm(FlaskForm):  # type: ignore[misc]
    """Open a vacancy for a position of the agency."""

    key = HiddenField(validators=[InputRequired(), Length(max=255)])
    position = StringField(
        _l("Position code"),
        validators=[DataRequired(message=_l("Choose a position.")), Length(max=60)],
    )
    title = StringField(
        _l("Title of the vacancy"),
        validators=[DataRequired(message=_l("Write a title.")), Length(max=300)],
    )
    reference_date = DateField(
        _l("Reference date"),
        validators=[InputRequired(message=_l("Enter the reference date as YYYY-MM-DD."))],
    )


class VoteForm(ActionForm):
    """A committee member's vote."""

    decision = RadioField(
        _l("Your vote"),
        choices=[
            SelectChoice("approve", _l("Approve the shortlist")),
            SelectChoice("return", _l("Return it to HR")),
        ],
        validators=[InputRequired(message=_l("Choose approve or return."))],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ConflictForm(ActionForm):
    """A declaration of a conflict of interest with one candidate."""

    candidate = StringField(
        _l("Candidate's NIP"),
        validators=[DataRequired(message=_l("Enter the candidate's NIP.")), Length(max=18)],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Write the reason.")), Length(max=2000)],
    )


class DecideForm(ActionForm):
    """The authority's choice among the top three."""

    candidate = RadioField(
        _l("Candidate"), validators=[InputRequired(message=_l("Choose a candidate."))]
    )
    justification = TextAreaField(
        _l("Written justification"), validators=[Optional(), Length(max=4000)]
    )
    confirmed = HiddenField()


class TechnicalApprovalForm(ActionForm):
    """BKN's technical approval (pertek) with its reference number."""

    reference = StringField(
        _l("Pertek reference number"),
        validators=[DataRequired(message=_l("Enter the reference number.")), Length(max=100)],
    )


class DecreeForm(ActionForm):
    """The decree (SK) number and date."""

    decree_number = StringField(
        _l("Decree number"),
        validators=[DataRequired(message=_l("Enter the decree number.")), Length(max=100)],
    )
    decree_date = DateField(
        _l("Decree date"),
        validators=[InputRequired(message=_l("Enter the date as YYYY-MM-DD."))],
    )


class CloseForm(ActionForm):
    """Closing: the inauguration date."""

    inauguration_date = DateField(
        _l("Inauguration date"),
        validators=[InputRequired(message=_l("Enter the date as YYYY-MM-DD."))],
    )


class DelegationForm(FlaskForm):  # type: ignore[misc]
    """A delegation while away."""

    delegate = StringField(
        _l("Colleague's username"),
        validators=[DataRequired(message=_l("Enter the colleague's username.")), Length(max=80)],
    )
    role = RadioField(_l("Role"), validators=[InputRequired(message=_l("Choose a role."))])
    ends_on = DateField(
        _l("Until"), validators=[InputRequired(message=_l("Enter the date as YYYY-MM-DD."))]
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Write the reason.")), Length(max=2000)],
    )
