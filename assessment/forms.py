"""Flask-WTF forms. Choices are passed in by the view; forms never query the database."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from .models import NAME_LENGTH, TEXT_LENGTH, ActionStatus
from .text import clean_text
from .votes import Perspective

NOT_RATED = ""


def _strip(value: str | None) -> str | None:
    return clean_text(value) if isinstance(value, str) else value


class CleanStringField(StringField):
    """A text field whose value is stripped of characters spreadsheets cannot hold."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("filters", []).append(_strip)
        super().__init__(*args, **kwargs)


class CleanTextAreaField(TextAreaField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("filters", []).append(_strip)
        super().__init__(*args, **kwargs)


class Answered:
    """The question was answered. Unlike InputRequired, the empty choice counts as an answer:
    "Not rated yet" is sent as an empty value and is a choice the team may make."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form: FlaskForm, field) -> None:
        if not field.raw_data:
            field.errors[:] = []
            raise StopValidation(self.message)


def _name_field(label: str, noun: str) -> CleanStringField:
    return CleanStringField(
        label,
        validators=[
            DataRequired(f"Enter a {noun}"),
            Length(max=NAME_LENGTH,
                   message=f"The {noun} must be {NAME_LENGTH} characters or fewer"),
        ],
    )


def _version_field() -> HiddenField:
    """The version of the record the form was loaded from, to catch overlapping edits."""
    return HiddenField(validators=[
        InputRequired("This form is out of date. Reload the page and try again"),
        Regexp(r"^\d{1,9}$", message="This form is out of date. Reload the page and try again"),
    ])


def _long_text(label: str, noun: str) -> CleanTextAreaField:
    return CleanTextAreaField(
        label,
        validators=[
            Optional(),
            Length(max=TEXT_LENGTH,
                   message=f"The {noun} must be {TEXT_LENGTH} characters or fewer"),
        ],
    )


def _trim(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[_trim],  # phone keyboards add a space after an autocompleted address
        validators=[
            DataRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.nhs.uk"),
            Length(max=254, message="Enter an email address of 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password"),
                    Length(max=200, message="Enter a password of 200 characters or fewer")],
    )


class UnitForm(FlaskForm):
    name = _name_field("Unit name", "unit name")


class TeamForm(FlaskForm):
    name = _name_field("Team name", "team name")
    unit_id = SelectField("Unit (directorate or service line)", coerce=str, validate_choice=True,
                          invalid_choice_message="Select a unit from the list")


class AssignFacilitatorForm(FlaskForm):
    """Choices (the organisation's facilitators and teams) are set by the view."""

    user_id = SelectField("Facilitator", coerce=str, validate_choice=True,
                          validators=[DataRequired("Select a facilitator")])
    team_id = SelectField("Team", coerce=str, validate_choice=True,
                          validators=[DataRequired("Select a team")])


class RoundForm(FlaskForm):
    name = _name_field("Round name", "round name")
    starts_on = DateField(
        "Start date", validators=[InputRequired("Enter a start date")],
        format="%Y-%m-%d", invalid_value_message="The start date must be a real date",
    )
    ends_on = DateField(
        "End date", validators=[InputRequired("Enter an end date")],
        format="%Y-%m-%d", invalid_value_message="The end date must be a real date",
    )

    def validate_ends_on(self, field: DateField) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The end date must be the same as or after the start date")


class RatingForm(FlaskForm):
    """One challenge. Level choices come from the round's framework scale."""

    level = RadioField("Agreed level", coerce=str, validate_choice=True,
                       validators=[Answered("Select a level, or 'Not rated yet'")],
                       invalid_choice_message="Select a level on the scale, or 'Not rated yet'")
    target = SelectField("Target level for the next round", coerce=str, validate_choice=True,
                         invalid_choice_message="Select a target level on the scale")
    evidence = _long_text("What makes us say this?", "evidence note")
    priority = BooleanField("This is one of our priorities (at most three)")
    version = _version_field()

    def __init__(self, levels: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [*levels, (NOT_RATED, "Not rated yet")]
        self.target.choices = [(NOT_RATED, "No target yet"), *levels]


class ActionForm(FlaskForm):
    challenge_id = SelectField("Challenge it serves", coerce=str, validate_choice=True,
                               validators=[DataRequired("Select the challenge this action serves")],
                               invalid_choice_message="Select the challenge this action serves")
    title = _name_field("Title", "title")
    description = _long_text("What will be done", "description")
    lead = CleanStringField("Lead", validators=[Optional(), Length(max=NAME_LENGTH,
                            message=f"The lead must be {NAME_LENGTH} characters or fewer")])
    coproduction = _long_text("People with lived experience involved", "co-production note")
    starts_on = DateField("Start date", validators=[Optional()], format="%Y-%m-%d",
                          invalid_value_message="The start date must be a real date")
    due_on = DateField("Due date", validators=[Optional()], format="%Y-%m-%d",
                       invalid_value_message="The due date must be a real date")
    status = SelectField(
        "Status", coerce=str, validate_choice=True,
        invalid_choice_message="Select a status from the list",
        choices=[(status.value, status.label) for status in ActionStatus],
    )
    success_measure = _long_text("How success will be measured", "success measure")
    review_note = _long_text("Review note", "review note")
    version = _version_field()

    def __init__(self, challenges: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge_id.choices = [("", "Choose a challenge"), *challenges]

    def validate_due_on(self, field: DateField) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The due date must be the same as or after the start date")


class ConfirmForm(FlaskForm):
    """A button-only form (agree, close a round): CSRF protection and nothing else."""


class JoinForm(FlaskForm):
    """A participant joining a workshop. No CSRF token: participants have no session, and
    the join and vote endpoints are protected by an Origin check instead (views/join.py)."""

    class Meta:
        csrf = False

    code = StringField("Join code", filters=[_trim],
                       validators=[DataRequired("Enter the join code shown on the screen"),
                                   Length(max=20, message="Enter the 6-character join code")])
    # Optional: no choice is fine, so the choices are checked by AnyOf, not by RadioField.
    perspective = RadioField(
        "Which of these best describes you? (optional)", coerce=str, validate_choice=False,
        validators=[Optional(), AnyOf([p.value for p in Perspective],
                                      message="Select one of the options, or none")],
        choices=[(p.value, p.label if p is not Perspective.OTHER else "Other, or prefer not "
                  "to say") for p in Perspective],
    )
