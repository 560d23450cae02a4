"""Forms for accounts and cohorts."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.auth.forms import MIN_PASSWORD_LENGTH
from app.forms import EMAIL_SHAPE, CheckboxListField
from app.models import Role

ROLE_CHOICES = [SelectChoice(role.value, role.value.capitalize()) for role in Role]
PASSWORD_LENGTH = Length(min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")


class UserCreateForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), EMAIL_SHAPE, Length(max=254)])
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    roles = CheckboxListField(
        "Roles", choices=ROLE_CHOICES, validators=[DataRequired("Pick at least one role.")]
    )
    password = PasswordField("Initial password", validators=[DataRequired(), PASSWORD_LENGTH])
    cohort = SelectField("Cohort (trainees)", coerce=int, choices=[], validate_choice=True)
    submit = SubmitField("Create account")


class UserEditForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    roles = CheckboxListField(
        "Roles", choices=ROLE_CHOICES, validators=[DataRequired("Pick at least one role.")]
    )
    active = BooleanField("Active (may sign in)")
    new_password = PasswordField(
        "New password (leave empty to keep)", validators=[Optional(), PASSWORD_LENGTH]
    )
    submit = SubmitField("Save")


class CohortForm(FlaskForm):
    name = StringField("Cohort name", validators=[DataRequired(), Length(max=120)])
    trainers = CheckboxListField("Trainers", coerce=int, choices=[])
    submit = SubmitField("Save cohort")


class AddTraineeForm(FlaskForm):
    trainee = SelectField("Trainee", coerce=int, choices=[], validators=[DataRequired("Pick a trainee.")])
    submit = SubmitField("Add to cohort")


class MoveTraineeForm(FlaskForm):
    """Put a trainee in one cohort (0: none); they leave every other cohort in the same step."""

    cohort = SelectField("Cohort", coerce=int, choices=[], validate_choice=True)
    submit = SubmitField("Move")


class RosterUploadForm(FlaskForm):
    file = FileField(
        "Roster file (CSV)",
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv", "txt"], 'Upload a .csv file (in Excel: Save As, "CSV UTF-8").'),
        ],
    )
    submit = SubmitField("Check the file")


class RosterApplyForm(FlaskForm):
    """The checked file travels back in a hidden field, so what is added is exactly what was checked
    (and is checked once more). Sent as multipart, so the text is not inflated by URL-encoding."""

    roster = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Add these people")


class ConfirmForm(FlaskForm):
    """An empty form: a button whose POST carries only the CSRF token."""

    submit = SubmitField("Confirm")
