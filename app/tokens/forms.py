"""The form that creates a personal access token."""

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.forms import CheckboxListField
from app.services.tokens import SCOPES


class TokenForm(FlaskForm):
    name = StringField("Name (where the token is used)", validators=[DataRequired(), Length(max=80)])
    scopes = CheckboxListField(
        "Scopes",
        choices=[SelectChoice(s, f"{s}: {d}") for s, d in SCOPES.items()],
        validators=[DataRequired("Pick at least one scope.")],
    )
    expires_on = DateField(
        "Expires on (optional; the token stops working at the start of that day, UTC)",
        validators=[Optional()],
    )
    submit = SubmitField("Create token")
