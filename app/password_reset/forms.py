"""Asking for a reset link, and choosing the new password (the same rules as changing it)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired

from app.forms import EMAIL_SHAPE


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), EMAIL_SHAPE],
        render_kw={"autocomplete": "username"},
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    submit = SubmitField("Send me a link")
