"""Forms of the authoring workspace: new drafts, the editor, review decisions, comments, imports."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.domain.rekey import OldAnswers
from app.domain.taxonomy import DOMAIN_NAMES
from app.models import DraftKind

MAX_TEXT = 200_000  # characters: the longest shipped scenario is under a tenth of this

KIND_CHOICES = [
    SelectChoice(DraftKind.QUESTION.value, "Questions: a file of practice questions"),
    SelectChoice(DraftKind.SCENARIO.value, "Scenario: one branching exception case"),
]
TITLE = Length(max=200, message="Keep the title under 200 characters.")


class NewDraftForm(FlaskForm):
    kind = RadioField(
        "What are you writing?",
        choices=KIND_CHOICES,
        validators=[InputRequired("Choose what you are writing.")],
    )
    title = StringField("Title", validators=[DataRequired("Give the draft a title."), TITLE])
    submit = SubmitField("Create the draft")


class EditorForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the draft a title."), TITLE])
    text = TextAreaField(
        "Markdown",
        validators=[
            Length(max=MAX_TEXT, message=f"A draft holds at most {MAX_TEXT:,} characters: split it.")
        ],
        render_kw={"spellcheck": "false", "autocapitalize": "off", "autocomplete": "off", "wrap": "soft"},
    )
    submit = SubmitField("Save")
    save_and_submit = SubmitField("Save and submit for review")


class CommentForm(FlaskForm):
    text = TextAreaField("Comment", validators=[DataRequired("Write the comment first."), Length(max=5000)])
    submit = SubmitField("Add comment")


class ReturnForm(FlaskForm):
    # Its own id: the approve and return forms share one page, and a label must find its own box.
    comment = TextAreaField(
        "What should the author change?",
        validators=[DataRequired("Say what should change: the author will read it."), Length(max=5000)],
        id="return-comment",
    )
    submit = SubmitField("Return to the author")


class ApproveForm(FlaskForm):
    comment = TextAreaField(
        "Comment (optional)", validators=[Optional(), Length(max=5000)], id="approve-comment"
    )
    # Shown and required (by the service) only when the text changes a question's correct answer.
    key_reason = TextAreaField(
        "Why does the correct answer change?", validators=[Optional(), Length(max=2000)]
    )
    old_answers = RadioField(
        "Answers given under the old key",
        choices=[
            SelectChoice(OldAnswers.REGRADE.value, "Regrade them with the new key"),
            SelectChoice(OldAnswers.VOID.value, "Void them: they no longer count as evidence"),
        ],
        validators=[Optional()],
        validate_choice=False,  # app.domain.rekey.decision_problems says what is missing
    )
    submit = SubmitField("Approve and publish")


class ButtonForm(FlaskForm):
    """A button whose POST carries only the CSRF token (submit, withdraw, retire); CSRFProtect checks it."""

    submit = SubmitField("Go")


class ImportForm(FlaskForm):
    file = FileField(
        "GIFT or Moodle XML file",
        validators=[
            FileRequired("Choose a file to import."),
            FileAllowed(["gift", "txt", "xml"], "Choose a .gift, .txt (GIFT) or .xml (Moodle XML) file."),
        ],
    )
    domain = SelectField(
        "Domain for the imported questions",
        choices=[SelectChoice(d, f"{d} {name}") for d, name in DOMAIN_NAMES.items()],
        default="D2",
    )
    title = StringField("Draft title (optional)", validators=[Optional(), TITLE])
    submit = SubmitField("Import as a draft")
