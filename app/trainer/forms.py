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


class ContestForm(FlaskForm):
    """A trainee contests their verdict; a trainer of their cohort decides."""

    note = TextAreaField("Why do you think the verdict is wrong?",
                         validators=[DataRequired("Say why: your trainer reads it."), Length(max=4000)])
    submit = SubmitField("Contest the verdict")


class DecideAppealForm(FlaskForm):
    decision = RadioField("Decision", choices=[SelectChoice("upheld", "Uphold: the appeal is right"),
                                               SelectChoice("rejected", "Reject: the appeal does not stand")],
                          validators=[InputRequired("Choose a decision.")])
    note = TextAreaField("Reason (shown to the trainee)", validators=[DataRequired("Give the reason."),
                                                                      Length(max=4000)])
    submit = SubmitField("Record the decision")
