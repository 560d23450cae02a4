"""Trainer forms."""

from flask_wtf import FlaskForm
from wtforms import FloatField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length


class GradeForm(FlaskForm):
    points = FloatField("Points", validators=[InputRequired("Give a number of points.")])
    comment = TextAreaField("Comment for the trainee", validators=[Length(max=4000)])
    submit = SubmitField("Save the grade")


class SignOffForm(FlaskForm):
    decision = RadioField("Your recommendation", choices=[
        SelectChoice("recommend", "Recommend for the senior desk"),
        SelectChoice("not-yet", "Not yet")], validators=[InputRequired("Choose a recommendation.")])
    comment = TextAreaField("Comment (what you saw, what the panel should know)",
                            validators=[DataRequired("Say why: the comment goes on the audit record."),
                                        Length(max=4000)])
    submit = SubmitField("Record the sign-off")
