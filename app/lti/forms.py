"""The deep-linking picker: what an instructor links the LMS course to."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional


class PickResourceForm(FlaskForm):
    resource = SelectField("Link to", validators=[DataRequired()])
    title = StringField("Title in the course (optional)", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Add to the course")
