"""Import Moodle GIFT text as question sections in our Markdown format, saying what did not map."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from ..problems import Problem
from ..questions import QuestionType
from .answer_mapping import NumericAnswer, WeightedAnswer, map_choices, map_numeric, map_true_false
from .drafts import Draft
from .gift_syntax import GiftCategory, GiftError, GiftQuestion, read_pieces
from .ids import IdAllocator, slugify
from .markdown_writer import check_domain, skipped_item, write_item
from .results import GiftImport, ImportedItem, ImportStatus

# Moodle reads `// [id:...]` and `// [tag:...]` in the comments above a question (a `]` inside is `\]`).
_COMMENT_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
_COMMENT_TAG = re.compile(r"\[tag:((?:\\\]|[^\]\x00-\x1f])+)\]")

SKIP_REASONS = {
    "description": "a description (text without answers) is not a question: skipped",
    "essay": "essay questions are marked by hand and have no equivalent: skipped",
    "shortanswer": "short answer has no equivalent: skipped",
    "match": "matching questions have no equivalent: skipped",
}


def import_gift(
    text: str, path: str, default_domain: str = "D2", taken_ids: Iterable[str] = ()
) -> GiftImport:
    """Read a GIFT file; every question in it comes back as an item, imported, partial or skipped.

    Rules: GIFT has no domain, difficulty or cognitive level, so every item gets `default_domain`,
    difficulty 3 and cognitive `application`; Moodle tags (`// [tag:x]`) become topics. Ids are
    `gift-` plus the slugified title (else the Moodle idnumber, else the prompt), unique within the
    import and never one in `taken_ids`. A question Moodle would refuse is skipped and also reported in
    `problems` at its line.
    """
    domain = check_domain(default_domain)
    ids = IdAllocator("gift", taken_ids)
    items: list[ImportedItem] = []
    problems: list[Problem] = []
    category: str | None = None
    for piece in read_pieces(text):
        if isinstance(piece, GiftCategory):
            category = piece.name
        elif isinstance(piece, GiftError):
            problems.append(Problem(path, piece.line, piece.message))
            note = f"line {piece.line}: not valid GIFT, skipped: {piece.message}"
            title = piece.title or f"question at line {piece.line}"
            items.append(ImportedItem(title, piece.line, ImportStatus.SKIPPED, None, (note,), category))
        else:
            items.append(_import_question(piece, ids, domain, path, category))
    return GiftImport(items, problems)


def _import_question(
    question: GiftQuestion, ids: IdAllocator, domain: str, path: str, category: str | None
) -> ImportedItem:
    draft = Draft(question.line, question.title, QuestionType.SINGLE, "")
    draft.text = draft.markdown_of(question.text)
    _read_comments(draft, question.comments)
    if question.general_feedback:
        draft.explanation = draft.markdown_of(question.general_feedback)
    if question.kind in SKIP_REASONS:
        draft.note(question.line, SKIP_REASONS[question.kind])
        return skipped_item(draft, category)
    if question.missing_word:
        draft.note(
            question.line, "missing-word question: the blank is shown as _____ in the prompt", lossy=False
        )
    if question.kind == "truefalse":
        assert question.truth is not None
        right = draft.markdown_of(question.right_feedback)
        wrong = draft.markdown_of(question.wrong_feedback)
        true_feedback, false_feedback = (right, wrong) if question.truth else (wrong, right)
        map_true_false(draft, question.truth, true_feedback, false_feedback, question.line)
    elif question.kind == "numerical":
        if not map_numeric(draft, _numbers(draft, question)):
            return skipped_item(draft, category)
    else:
        single = any(a.mark == "=" for a in question.answers)
        answers = [
            WeightedAnswer(
                draft.markdown_of(a.text),
                a.weight if a.weight is not None else Decimal(100 if a.mark == "=" else 0),
                draft.markdown_of(a.feedback),
                a.line,
            )
            for a in question.answers
        ]
        if not map_choices(draft, answers, single):
            return skipped_item(draft, category)
    return write_item(draft, ids, domain, path, category)


def _numbers(draft: Draft, question: GiftQuestion) -> list[NumericAnswer]:
    numbers = [
        NumericAnswer(
            n.answer,
            n.tolerance,
            n.weight if n.weight is not None else Decimal(100),
            draft.markdown_of(n.feedback),
            n.line,
            n.written,
        )
        for n in question.numbers
    ]
    if question.wrong_feedback:
        feedback = draft.markdown_of(question.wrong_feedback)
        numbers.append(
            NumericAnswer(None, Decimal(0), Decimal(0), feedback, question.wrong_feedback.line, "~")
        )
    return numbers


def _read_comments(draft: Draft, comments: tuple[str, ...]) -> None:
    """Moodle tags become topics (slugified); a Moodle idnumber is an id candidate after the title."""
    joined = "\n".join(comments)
    topics: list[str] = []
    for match in _COMMENT_TAG.finditer(joined):
        tag = match.group(1).replace("\\]", "]")
        topic = slugify(tag)
        if not topic:
            draft.note(draft.line, f"tag `{tag}` has no letters or digits to make a topic of: dropped")
        elif topic not in topics:
            topics.append(topic)
    draft.topics = tuple(topics)
    if match := _COMMENT_ID.search(joined):
        draft.id_hints = (match.group(1).replace("\\]", "]"),)
