"""Which e-mails a person receives, and the one-button sign-off request."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class MailPreferencesForm(FlaskForm):
    digest = BooleanField("Weekly digest: reviews due and your next step")
    alerts = BooleanField("Intervention alerts about my cohorts")
    sign_off_requests = BooleanField("A trainee of my cohorts asks for my sign-off")
    submit = SubmitField("Save e-mail settings")


class SignOffRequestForm(FlaskForm):
    submit = SubmitField("Ask for sign-off")
