"""Asking for a reset link, and choosing the new password (the same rules as changing it)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.auth.forms import MIN_PASSWORD_LENGTH
from app.forms import EMAIL_SHAPE


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), EMAIL_SHAPE],
        render_kw={"autocomplete": "username"},
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    submit = SubmitField("Send me a link")


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", message="The two new passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set the new password")
