"""Trainer forms."""

from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from app.domain.review import MAX_RETENTION, MIN_RETENTION

LOWEST, HIGHEST = round(100 * MIN_RETENTION), round(100 * MAX_RETENTION)


class GradeForm(FlaskForm):
    """Points per rubric criterion (fields `c1`, `c2`, ... added by `grade_form_class`) and a comment."""

    comment = TextAreaField("Comment for the trainee", validators=[Length(max=4000)])
    submit = SubmitField("Save the grade")

    def criterion_fields(self) -> list:
        return [field for name, field in self._fields.items() if name.startswith("c") and name[1:].isdigit()]


def grade_form_class(maxima: list[float]) -> type[GradeForm]:
    """A grade form with one number per rubric criterion, each limited to that criterion's points."""

    class CriterionGradeForm(GradeForm):
        pass

    for number, most in enumerate(maxima, 1):
        setattr(
            CriterionGradeForm,
            f"c{number}",
            FloatField(
                f"Criterion {number} (0-{most:g})",
                validators=[
                    InputRequired(f"Give criterion {number} a number of points."),
                    NumberRange(0, most, f"Criterion {number}: between 0 and {most:g} points."),
                ],
            ),
        )
    return CriterionGradeForm


class SignOffForm(FlaskForm):
    decision = RadioField(
        "Your recommendation",
        choices=[
            SelectChoice("recommend", "Recommend for the senior desk"),
            SelectChoice("not-yet", "Not yet"),
        ],
        validators=[InputRequired("Choose a recommendation.")],
    )
    comment = TextAreaField(
        "Comment (what you saw, what the panel should know)",
        validators=[DataRequired("Say why: the comment goes on the audit record."), Length(max=4000)],
    )
    submit = SubmitField("Record the sign-off")


class ContestForm(FlaskForm):
    """A trainee contests their verdict; a trainer of their cohort decides."""

    note = TextAreaField(
        "Why do you think the verdict is wrong?",
        validators=[DataRequired("Say why: your trainer reads it."), Length(max=4000)],
    )
    submit = SubmitField("Contest the verdict")


class DecideAppealForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[
            SelectChoice("upheld", "Uphold: the appeal is right"),
            SelectChoice("rejected", "Reject: the appeal does not stand"),
        ],
        validators=[InputRequired("Choose a decision.")],
    )
    note = TextAreaField(
        "Reason (shown to the trainee)", validators=[DataRequired("Give the reason."), Length(max=4000)]
    )
    submit = SubmitField("Record the decision")


class HandledForm(FlaskForm):
    """A trainer marks a flag in the intervention queue handled, saying what they did."""

    note = TextAreaField(
        "What did you do?",
        validators=[DataRequired("Say what you did: the note is the record."), Length(max=2000)],
    )
    submit = SubmitField("Mark handled")


class RetentionForm(FlaskForm):
    """The cohort's retention target, in whole percent within the scheduler's bounds."""

    percent = IntegerField(
        "Retention target (%)",
        validators=[
            InputRequired(f"Give a whole percentage between {LOWEST} and {HIGHEST}."),
            NumberRange(
                LOWEST,
                HIGHEST,
                # NumberRange %-formats its message: %% is a percent sign.
                f"Choose between {LOWEST}%% and {HIGHEST}%%: below, reviews come too late to hold the "
                f"material; above, the daily load grows steeply for little gain.",
            ),
        ],
    )
    submit = SubmitField("Set the target")


class RoundDecisionForm(FlaskForm):
    """Sign off or decline one trainee from the promotion round. Declining needs the reason (the trainee
    reads it on their report); a sign-off may carry a note, else the round's standard one is recorded."""

    decision = RadioField(
        "Decision",
        choices=[SelectChoice("recommend", "Sign off"), SelectChoice("not-yet", "Decline")],
        validators=[InputRequired("Choose sign off or decline.")],
    )
    comment = TextAreaField("Note", validators=[Length(max=4000)])

    def validate_comment(self, field) -> None:
        if self.decision.data == "not-yet" and not (field.data or "").strip():
            raise ValidationError("Give the reason for declining: the trainee reads it on their report.")
