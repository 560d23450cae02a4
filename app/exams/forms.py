"""Forms for starting an exam and saving a response."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, HiddenField, RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.forms import CheckboxListField
from app.models import QuestionVersion
from app.practice.forms import CONFIDENCE_CHOICES, response_field
from app.services.exams import FORM_LENGTHS


class StartExamForm(FlaskForm):
    length = SelectField("Form length", coerce=int, choices=[], default=FORM_LENGTHS[0])
    submit = SubmitField("Start the exam")


class SubmitExamForm(FlaskForm):
    submit = SubmitField("Submit the exam")


def exam_item_form_class(version: QuestionVersion) -> type[FlaskForm]:
    """Like the study form, but everything may be left empty (skip now, come back later) and flaggable."""

    class ExamItemForm(FlaskForm):
        confidence = RadioField("How sure are you?", choices=CONFIDENCE_CHOICES, validators=[Optional()])
        flagged = BooleanField("Flag this item to come back to it")
        served_at = HiddenField()
        goto = HiddenField()

    choices = [SelectChoice(o["key"], o["key"]) for o in version.options]
    if (field := response_field(version, False, [Optional()])) is not None:
        ExamItemForm.chosen = field
    elif version.type == "numeric":
        ExamItemForm.value = FloatField(
            "Your answer" + (f" ({version.unit})" if version.unit else ""), validators=[Optional()]
        )
    elif version.type == "multiple":
        ExamItemForm.chosen = CheckboxListField(
            "Select all that apply", choices=choices, validators=[Optional()]
        )
    else:
        ExamItemForm.chosen = RadioField("Choose one", choices=choices, validators=[Optional()])
    return ExamItemForm
