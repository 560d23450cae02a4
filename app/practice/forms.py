"""Forms for starting sessions and answering questions."""

from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FloatField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
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


SHORT_ANSWER_MAX = 200  # characters: a short answer is a word or a phrase


class MatchingField(Field):
    """The matching item's selects, one per prompt, all named `chosen`, each sending `p1=a3` (or "" for
    not matched yet). `data` is the list of pairs chosen; a pair that is not the item's fails."""

    def __init__(self, label=None, validators=None, pairs: frozenset[str] = frozenset(), **kwargs):
        super().__init__(label, validators, **kwargs)
        self.pairs = pairs

    def process_formdata(self, valuelist):
        self.data = [v for v in valuelist if v]

    def _value(self):
        return self.data or []

    def pre_validate(self, form):
        unknown = [v for v in self.data or [] if v not in self.pairs]
        if unknown:
            raise ValidationError("Choose answers from the lists.")


def response_field(version: QuestionVersion, required: bool, validators: list) -> Field | None:
    """The `chosen` field of a matching or short-answer item (None for the other types)."""
    return _response_field(
        version.type, tuple((o["key"], o.get("role")) for o in version.options), required, validators
    )


def _response_field(
    kind: str, shape: tuple[tuple[str, str | None], ...], required: bool, validators: list
) -> Field | None:
    if kind == "matching":
        prompts = [key for key, role in shape if role == "prompt"]
        answers = [key for key, role in shape if role == "answer"]
        pairs = frozenset(f"{p}={a}" for p in prompts for a in answers)
        required_check = [DataRequired("Match at least one prompt.")] if required else []
        return MatchingField("Match each prompt", [*validators, *required_check], pairs=pairs)
    if kind == "short":
        required_check = [InputRequired("Type your answer.")] if required else []
        return StringField("Your answer", [*validators, *required_check, Length(max=SHORT_ANSWER_MAX)])
    return None


def answer_form_class(version: QuestionVersion) -> type[FlaskForm]:
    """A form for one question: radio buttons, checkboxes, a number, one select per matching prompt or a
    text box, plus the certainty choice. Classes are built once per shape of question and reused: a form
    depends only on the type, the unit and the option keys (and roles), never on the request."""
    shape = tuple((o["key"], o.get("role")) for o in version.options)
    return _answer_form_class(version.type, version.unit, shape)


@lru_cache(maxsize=512)
def _answer_form_class(
    kind: str, unit: str | None, shape: tuple[tuple[str, str | None], ...]
) -> type[FlaskForm]:
    class AnswerForm(FlaskForm):
        class Meta:
            # CSRFProtect checks every POST before the view runs; a form-level token would sign a fresh
            # token on every answer (a tenth of the POST's CPU) only to check it a second time. The page
            # renders the request's token with csrf_token().
            csrf = False

        confidence = RadioField(
            "How sure are you?",
            choices=CONFIDENCE_CHOICES,
            validators=[InputRequired("Say how sure you are.")],
        )
        served_at = HiddenField()
        submit = SubmitField("Check answer")

    choices = [SelectChoice(key, key) for key, _role in shape]
    if (field := _response_field(kind, shape, True, [])) is not None:
        AnswerForm.chosen = field
    elif kind == "numeric":
        AnswerForm.value = FloatField(
            "Your answer" + (f" ({unit})" if unit else ""),
            validators=[InputRequired("Enter a number, e.g. 94.2 (no units or % sign).")],
        )
    elif kind == "multiple":
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

    reason = RadioField(
        "What is wrong?",
        choices=[SelectChoice(k, v) for k, v in REASONS.items()],
        validators=[InputRequired("Say what is wrong.")],
    )
    note = TextAreaField(
        "What should the author know?", validators=[DataRequired("Say what you noticed."), Length(max=2000)]
    )
    submit = SubmitField("Send the report")
