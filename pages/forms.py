"""The forms of the pages (flask-wtf: every form carries its CSRF token).

Messages are lazy so they speak the language of the request that renders them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

REQUIRED = _l("This field is required.")


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    """A group of checkboxes (one per choice) instead of a multiple select."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


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
    on_behalf_of = HiddenField(validators=[Optional(), Length(max=80)])
    """The delegator's username when the user acts by delegation (empty: in their own name)."""


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


ROLE_CHOICES = ("hr", "committee", "authority", "national_reviewer", "auditor", "admin")
"""Every role an administrator may give (the use case refuses a national role elsewhere)."""


class UserCreateForm(FlaskForm):  # type: ignore[misc]
    """A new user of the administrator's agency."""

    username = StringField(
        _l("Username"),
        validators=[DataRequired(message=_l("Enter a username.")), Length(min=3, max=80)],
    )
    display_name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Enter the person's name.")), Length(max=200)],
    )
    roles = MultiCheckboxField(
        _l("Roles"), validators=[InputRequired(message=_l("Choose at least one role."))]
    )
    employee_nip = StringField(
        _l("Employee NIP (optional)"), validators=[Optional(), Length(min=18, max=18)]
    )


class UserEditForm(FlaskForm):  # type: ignore[misc]
    """A user's name, roles and whether they may sign in; ``etag`` is what the page showed."""

    etag = HiddenField(validators=[InputRequired()])
    display_name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Enter the person's name.")), Length(max=200)],
    )
    roles = MultiCheckboxField(
        _l("Roles"), validators=[InputRequired(message=_l("Choose at least one role."))]
    )
    active = RadioField(
        _l("Account"),
        choices=[
            SelectChoice("yes", _l("Active: may sign in")),
            SelectChoice("no", _l("Disabled: may not sign in, tokens stop working")),
        ],
        validators=[InputRequired(message=_l("Choose active or disabled."))],
    )


class PasswordForm(FlaskForm):  # type: ignore[misc]
    """Set or reset a user's password."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Enter the new password.")), Length(max=256)],
    )


class TokenForm(FlaskForm):  # type: ignore[misc]
    """Issue an API token for a user."""

    name = StringField(
        _l("Token name"),
        validators=[DataRequired(message=_l("Name the token.")), Length(max=100)],
    )
    days = IntegerField(
        _l("Valid for (days)"),
        validators=[
            InputRequired(message=_l("Enter a number of days.")),
            NumberRange(min=1, max=365, message=_l("Between 1 and 365 days.")),
        ],
        default=90,
    )


class RevokeForm(FlaskForm):  # type: ignore[misc]
    """Revoke one token (the form carries only its CSRF token)."""


class WhatIfForm(FlaskForm):  # type: ignore[misc]
    """A what-if: a level and either a registry employee (NIP) or a profile typed in."""

    level = SelectField(
        _l("Position level"), validators=[InputRequired(message=_l("Choose a level."))]
    )
    reference_date = DateField(_l("Reference date"), validators=[Optional()])
    nip = StringField(_l("Employee NIP"), validators=[Optional(), Length(max=18)])
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    employment_type = SelectField(_l("Employment type"), validators=[Optional()])
    rank = SelectField(_l("Rank (golongan)"), validators=[Optional()])
    rank_tmt = DateField(_l("In this rank since"), validators=[Optional()])
    education = SelectField(_l("Highest education"), validators=[Optional()])
    position_level = SelectField(_l("Current position level"), validators=[Optional()])
    position_since = DateField(_l("In this position since"), validators=[Optional()])
    performance_last = SelectField(_l("Performance last year"), validators=[Optional()])
    performance_before = SelectField(_l("Performance the year before"), validators=[Optional()])
    jpm = DecimalField(
        _l("JPM (%)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("Between 0 and 100.")),
        ],
    )
    potential = SelectField(_l("Potential"), validators=[Optional()])
