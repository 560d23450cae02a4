"""Forms for starting sessions and answering questions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.domain.taxonomy import DOMAIN_NAMES
from app.forms import CheckboxListField
from app.models import QuestionVersion
from app.services.appeals import ITEM_REASONS as REASONS
from app.services.practice import SESSION_SIZES

CONFIDENCE_CHOICES = [
    SelectChoice("low", "Not sure"),
    SelectChoice("medium", "Fairly sure"),
    SelectChoice("high", "Certain"),
]


class StudySetupForm(FlaskForm):
    domains = CheckboxListField(
        "Domains", choices=[SelectChoice(d, f"{d} {name}") for d, name in DOMAIN_NAMES.items()]
    )
    topics = SelectMultipleField("Topics (optional)", choices=[], validate_choice=True)
    weakest = BooleanField("My weakest domains (ignores the domains above)")
    size = SelectField(
        "Questions", coerce=int, choices=[SelectChoice(n, str(n)) for n in SESSION_SIZES], default=10
    )
    submit = SubmitField("Start studying")


class StartForm(FlaskForm):
    """A button that starts something; the POST carries only the CSRF token."""

    submit = SubmitField("Start")


def answer_form_class(version: QuestionVersion) -> type[FlaskForm]:
    """A form for one question: radio buttons, checkboxes or a number, plus the certainty choice."""

    class AnswerForm(FlaskForm):
        confidence = RadioField(
            "How sure are you?",
            choices=CONFIDENCE_CHOICES,
            validators=[InputRequired("Say how sure you are.")],
        )
        served_at = HiddenField()
        submit = SubmitField("Check answer")

    choices = [SelectChoice(o["key"], o["key"]) for o in version.options]
    if version.type == "numeric":
        AnswerForm.value = FloatField(
            "Your answer" + (f" ({version.unit})" if version.unit else ""),
            validators=[InputRequired("Enter a number, e.g. 94.2 (no units or % sign).")],
        )
    elif version.type == "multiple":
        AnswerForm.chosen = CheckboxListField(
            "Select all that apply",
            choices=choices,
            validators=[InputRequired("Choose at least one option.")],
        )
    else:
        AnswerForm.chosen = RadioField(
            "Choose one", choices=choices, validators=[InputRequired("Choose an option.")]
        )
    return AnswerForm


class ReportItemForm(FlaskForm):
    """A trainee's report that a question is wrong or ambiguous; it goes to the authors' queue."""

    reason = RadioField("What is wrong?", choices=[SelectChoice(k, v) for k, v in REASONS.items()],
                        validators=[InputRequired("Say what is wrong.")])
    note = TextAreaField("What should the author know?", validators=[DataRequired("Say what you noticed."),
                                                                     Length(max=2000)])
    submit = SubmitField("Send the report")
