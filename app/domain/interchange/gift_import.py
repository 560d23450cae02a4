"""Import Moodle GIFT text as question sections in our Markdown format, saying what did not map."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from ..problems import Problem
from ..questions import (
    COGNITIVE_LEVELS,
    DOMAINS,
    ID_PATTERN,
    POOLS,
    TOPIC_PATTERN,
    QuestionSpec,
    QuestionType,
)
from .answer_mapping import (
    NumericAnswer,
    WeightedAnswer,
    map_choices,
    map_matching,
    map_numeric,
    map_short_answer,
    map_true_false,
)
from .drafts import DraftSpec
from .gift_syntax import GiftCategory, GiftError, GiftQuestion, read_pieces
from .html_to_markdown import escape_plain
from .ids import IdAllocator, slugify
from .markdown_writer import check_domain, skipped_item, write_item
from .results import GiftImport, ImportedItem, ImportStatus

# Moodle reads `// [id:...]` and `// [tag:...]` in the comments above a question (a `]` inside is `\]`).
_COMMENT_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
_COMMENT_TAG = re.compile(r"\[tag:((?:\\\]|[^\]\x00-\x1f])+)\]")

# Our own export's metadata comment: `// domain: D2 · difficulty: 3 · cognitive: recall · type: single`.
_COMMENT_META = re.compile(r"^//\s*domain:")
_COMMENT_VALUE = re.compile(r"^//\s*(reference|unit):\s*(.*)$")

SKIP_REASONS = {
    "description": "a description (text without answers) is not a question: skipped",
    "essay": "essay questions are marked by hand and have no equivalent: skipped",
}


def import_gift(
    text: str,
    path: str,
    default_domain: str = "D2",
    taken_ids: Iterable[str] = (),
    known: Mapping[str, QuestionSpec] | None = None,
) -> GiftImport:
    """Read a GIFT file; every question in it comes back as an item, imported, partial or skipped.

    Rules: GIFT has no domain, difficulty or cognitive level, so every item gets `default_domain`,
    difficulty 3 and cognitive `application`; Moodle tags (`// [tag:x]`) become topics. Ids are
    `gift-` plus the slugified title (else the Moodle idnumber, else the prompt), unique within the
    import and never one in `taken_ids`. A question Moodle would refuse is skipped and also reported in
    `problems` at its line.

    Our own export round-trips: its metadata comment (domain, difficulty, cognitive level, set, pool,
    shuffle), `// reference:` and `// unit:` are read back, and a `// [id:...]` naming a question in
    `known` (the bank) makes the item `unchanged` when nothing differs (markdown_writer.write_item).
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
            items.append(_import_question(piece, ids, domain, path, category, known))
    return GiftImport(items, problems)


def _import_question(
    question: GiftQuestion,
    ids: IdAllocator,
    domain: str,
    path: str,
    category: str | None,
    known: Mapping[str, QuestionSpec] | None,
) -> ImportedItem:
    draft = DraftSpec(question.line, question.title, QuestionType.SINGLE, "")
    draft.text = draft.markdown_of(question.text)
    _read_comments(draft, question.comments)
    if draft.stable_id is None and question.title and ID_PATTERN.fullmatch(question.title):
        draft.stable_id = question.title  # `::id::` without the `// [id:...]` comment
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
    elif question.kind == "match":
        pairs = [
            (draft.markdown_of(left) if left.text else "", escape_plain(right), line)
            for left, right, line in question.pairs
        ]
        if not map_matching(draft, pairs):
            return skipped_item(draft, category)
    elif question.kind == "shortanswer":
        answers = [
            WeightedAnswer(
                a.text.text,  # what a trainee types is plain text, whatever the question's format
                a.weight if a.weight is not None else Decimal(100),
                draft.markdown_of(a.feedback),
                a.line,
            )
            for a in question.answers
        ]
        if not map_short_answer(draft, answers):
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
    return write_item(draft, ids, domain, path, category, known)


def _numbers(draft: DraftSpec, question: GiftQuestion) -> list[NumericAnswer]:
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


def _read_comments(draft: DraftSpec, comments: tuple[str, ...]) -> None:
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
        draft.stable_id = draft.id_hints[0] if ID_PATTERN.fullmatch(draft.id_hints[0]) else None
    for comment in comments:
        if _COMMENT_META.match(comment):
            _read_metadata(draft, comment.removeprefix("//"))
        elif value := _COMMENT_VALUE.match(comment):
            if value.group(1) == "reference":
                draft.reference = value.group(2).strip() or None
            else:
                draft.unit = value.group(2).strip() or None


def _read_metadata(draft: DraftSpec, line: str) -> None:
    """`domain: D2 · difficulty: 3 · ...` as our GIFT export writes it; a value we cannot use is noted."""
    for part in line.split("·"):
        key, _, value = (s.strip() for s in part.partition(":"))
        valid = {
            "domain": value.upper() in DOMAINS,
            "difficulty": value in ("1", "2", "3", "4", "5"),
            "cognitive": value in COGNITIVE_LEVELS,
            "set": bool(TOPIC_PATTERN.fullmatch(value)),
            "pool": value in POOLS,
            "shuffle": value in ("true", "false"),
            "type": True,  # the answers decide the type
        }.get(key)
        if not valid:
            draft.note(
                draft.line, f"metadata `{part.strip()}` in the comment not understood: ignored", lossy=False
            )
        elif key == "domain":
            draft.domain = value.upper()
        elif key == "difficulty":
            draft.difficulty = int(value)
        elif key == "cognitive":
            draft.cognitive = value
        elif key == "set":
            draft.item_set = value
        elif key == "pool":
            draft.pool = value
        elif key == "shuffle":
            draft.shuffle = value == "true"
