"""Forms of the scenario player; the choices themselves are submit buttons named `ref`."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput


class DecisionForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST; the player renders the request's token (as practice)

    ref = HiddenField(validators=[DataRequired("Pick one of the choices.")])
    step = IntegerField(validators=[InputRequired()], widget=HiddenInput())
    served_at = HiddenField()
    text = TextAreaField("Your note", validators=[Optional(), Length(max=10_000)])


class BackForm(FlaskForm):
    to_step = IntegerField(validators=[InputRequired()])


class StartForm(FlaskForm):
    pass


class ReviewForm(FlaskForm):
    ref = HiddenField(validators=[DataRequired("Pick one of the choices.")])
