"""Import Moodle XML question files into our Markdown format, with the same rules as the GIFT import."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from ..problems import Problem
from ..questions import ID_PATTERN, QuestionSpec, QuestionType
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
from .gift_import import SKIP_REASONS
from .html_to_markdown import escape_plain
from .ids import IdAllocator, slugify
from .lxml_on_use import etree
from .markdown_writer import check_domain, skipped_item, write_item
from .results import GiftImport, ImportedItem, ImportStatus
from .text_formats import Formatted

_FORMATS = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}
_SKIPPED_TYPES = {
    "description": SKIP_REASONS["description"],
    "essay": SKIP_REASONS["essay"],
    "randomsamatch": "random short-answer matching has no equivalent: skipped",
    "multianswer": "embedded answers (Cloze) have no equivalent: skipped",
    "calculated": "calculated questions have no equivalent: skipped",
    "calculatedsimple": "calculated questions have no equivalent: skipped",
    "calculatedmulti": "calculated multiple-choice questions have no equivalent: skipped",
    "ddwtos": "drag-and-drop into text has no equivalent: skipped",
    "gapselect": "select-missing-words questions have no equivalent: skipped",
    "ddimageortext": "drag-and-drop onto an image has no equivalent: skipped",
    "ddmarker": "drag-and-drop markers have no equivalent: skipped",
    "ordering": "ordering questions have no equivalent: skipped",
    "random": "a random-question slot is not a question: skipped",
}
_COMBINED_FEEDBACK = ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


_IMPORTED_TYPES = ("multichoice", "truefalse", "numerical", "matching", "shortanswer")


def import_moodle_xml(
    text: str,
    path: str,
    default_domain: str = "D2",
    taken_ids: Iterable[str] = (),
    known: Mapping[str, QuestionSpec] | None = None,
) -> GiftImport:
    """Read a Moodle XML export (`<quiz>` of `<question type=...>`); every question comes back as an item.

    Imported: multichoice (one or several answers), truefalse, numerical, matching and shortanswer, with
    per-answer feedback, fractions and general feedback. An <idnumber> naming a question in `known` (the
    bank) makes the item `unchanged` when nothing differs, so our own export imports as an identity. Skipped with the reason: every other type. Categories are kept on
    the items; tags become topics; ids are `moodle-` plus the slugified name (else idnumber, else
    prompt). Defaults as for GIFT: `default_domain`, difficulty 3, cognitive `application`. Line numbers
    are the XML source lines. The parser never fetches anything and never expands entities.
    """
    domain = check_domain(default_domain)
    try:
        root = _parse(text)
    except etree.XMLSyntaxError as error:
        message = f"not valid XML ({error.msg}): fix the file, or export it again from Moodle"
        return GiftImport([], [Problem(path, error.lineno or 1, message)])
    if root.tag != "quiz":
        message = f"expected Moodle XML with a <quiz> root element, found <{root.tag}>"
        return GiftImport([], [Problem(path, root.sourceline or 1, message)])
    ids = IdAllocator("moodle", taken_ids)
    items: list[ImportedItem] = []
    problems: list[Problem] = []
    category: str | None = None
    for element in root.iterchildren("question"):
        kind = element.get("type", "")
        if kind == "category":
            category = (element.findtext("category/text") or "").strip() or None
            continue
        try:
            items.append(_import_question(element, kind, ids, domain, path, category, known))
        except _Unreadable as error:
            problems.append(Problem(path, error.line, error.message))
            title = _name(element) or f"question at line {element.sourceline}"
            note = f"line {error.line}: not valid Moodle XML, skipped: {error.message}"
            items.append(
                ImportedItem(title, element.sourceline or 0, ImportStatus.SKIPPED, None, (note,), category)
            )
    return GiftImport(items, problems)


class _Unreadable(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _parse(text: str) -> etree._Element:
    # lxml refuses a str that declares an encoding; the text is already decoded, so drop the
    # declaration but keep its newlines, so line numbers stay those of the file.
    text = _XML_DECLARATION.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True
    )
    return etree.fromstring(text, parser)


def _name(element: etree._Element) -> str | None:
    return (element.findtext("name/text") or "").strip() or None


def _formatted(element: etree._Element | None, draft: DraftSpec | None = None) -> Formatted | None:
    """The `<text>` of an element in its `format`; embedded `<file>`s are noted, not imported."""
    if element is None:
        return None
    text = element.findtext("text") or ""
    if draft is not None and element.findall("file"):
        draft.note(element.sourceline or draft.line, f"embedded files in <{element.tag}> are not imported")
    if not text.strip():
        return None
    text_format = _FORMATS.get(element.get("format", "moodle_auto_format"), "moodle")
    return Formatted(text, text_format, element.sourceline or 0)


def _import_question(
    element: etree._Element,
    kind: str,
    ids: IdAllocator,
    domain: str,
    path: str,
    category: str | None,
    known: Mapping[str, QuestionSpec] | None,
) -> ImportedItem:
    line = element.sourceline or 0
    draft = DraftSpec(line, _name(element), QuestionType.SINGLE, "")
    draft.text = draft.markdown_of(_formatted(element.find("questiontext"), draft))
    draft.explanation = draft.markdown_of(_formatted(element.find("generalfeedback"), draft))
    explanation, _, reference = draft.explanation.rpartition("\n\nReference: ")
    if explanation and reference and "\n" not in reference:  # as our own export writes the reference
        draft.explanation, draft.reference = explanation, reference.strip()
    _read_tags(draft, element)
    if draft.stable_id is None and draft.title and ID_PATTERN.fullmatch(draft.title):
        draft.stable_id = draft.title  # a <name> that is one of our ids, without <idnumber>
    if kind not in _IMPORTED_TYPES:
        draft.note(line, _SKIPPED_TYPES.get(kind, f"question type `{kind}` has no equivalent: skipped"))
        return skipped_item(draft, category)
    _note_extras(draft, element)
    answers = element.findall("answer")
    shuffle = (element.findtext("shuffleanswers") or "true").strip().lower()
    draft.shuffle = shuffle not in ("false", "0")
    if kind == "matching":
        ok = map_matching(draft, [_pair(draft, sub) for sub in element.findall("subquestion")])
    elif kind == "shortanswer":
        ok = _short_answer(draft, element, answers)
    elif kind == "multichoice":
        single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
        weighted = [
            WeightedAnswer(
                draft.markdown_of(_formatted(a, draft)),
                _fraction(a),
                draft.markdown_of(_formatted(a.find("feedback"), draft)),
                a.sourceline or line,
            )
            for a in answers
        ]
        if len(weighted) < 2:
            raise _Unreadable(line, "a multichoice question needs at least two <answer> elements")
        ok = map_choices(draft, weighted, single)
    elif kind == "truefalse":
        ok = _true_false(draft, answers)
    else:
        ok = map_numeric(draft, [_numeric_answer(draft, a) for a in answers])
        _unit(draft, element)
    return write_item(draft, ids, domain, path, category, known) if ok else skipped_item(draft, category)


def _pair(draft: DraftSpec, subquestion: etree._Element) -> tuple[str, str, int]:
    """(prompt as Markdown, answer as Markdown, line): Moodle's answers are plain text; no prompt is a
    distractor."""
    prompt = draft.markdown_of(_formatted(subquestion, draft))
    answer = (subquestion.findtext("answer/text") or "").strip()
    return prompt, escape_plain(answer), subquestion.sourceline or draft.line


def _short_answer(draft: DraftSpec, element: etree._Element, answers: list[etree._Element]) -> bool:
    if (element.findtext("usecase") or "0").strip() not in ("0", "false", ""):
        draft.note(
            draft.line, "case-sensitive in Moodle (usecase 1): answers here are compared ignoring case"
        )
    weighted = [
        WeightedAnswer(
            (a.findtext("text") or "").strip(),  # typed answers are plain text
            _fraction(a),
            draft.markdown_of(_formatted(a.find("feedback"), draft)),
            a.sourceline or draft.line,
        )
        for a in answers
    ]
    return map_short_answer(draft, weighted)


def _fraction(answer: etree._Element) -> Decimal:
    """The answer's credit in percent: 100 right, 0 wrong, negative a penalty."""
    raw = answer.get("fraction", "0").strip()
    if not _NUMBER.match(raw):
        raise _Unreadable(
            answer.sourceline or 0, f"answer fraction `{raw}` is not a number (100 right, 0 wrong)"
        )
    return Decimal(raw)


def _true_false(draft: DraftSpec, answers: list[etree._Element]) -> bool:
    by_value = {(a.findtext("text") or "").strip().lower(): a for a in answers}
    if set(by_value) != {"true", "false"}:
        raise _Unreadable(draft.line, "a truefalse question needs one <answer> `true` and one `false`")
    true, false = by_value["true"], by_value["false"]
    map_true_false(
        draft,
        _fraction(true) >= 100,
        draft.markdown_of(_formatted(true.find("feedback"), draft)),
        draft.markdown_of(_formatted(false.find("feedback"), draft)),
        true.sourceline or draft.line,
    )
    return True


def _numeric_answer(draft: DraftSpec, answer: etree._Element) -> NumericAnswer:
    written = (answer.findtext("text") or "").strip()
    tolerance_text = (answer.findtext("tolerance") or "0").strip()
    line = answer.sourceline or draft.line
    if (written != "*" and not _NUMBER.match(written)) or not _NUMBER.match(tolerance_text):
        raise _Unreadable(line, f"numerical answer `{written}` ± `{tolerance_text}` is not a number")
    value = None if written == "*" else Decimal(written)
    feedback = draft.markdown_of(_formatted(answer.find("feedback"), draft))
    shown = written if tolerance_text in ("0", "") else f"{written}:{tolerance_text}"
    return NumericAnswer(value, Decimal(tolerance_text), _fraction(answer), feedback, line, shown)


def _unit(draft: DraftSpec, element: etree._Element) -> None:
    """The unit with multiplier 1 becomes `Unit:`; other units (alternatives Moodle converts) are noted."""
    units = [
        ((u.findtext("unit_name") or "").strip(), (u.findtext("multiplier") or "1").strip(), u.sourceline)
        for u in element.findall("units/unit")
    ]
    for name, multiplier, line in units:
        if name and draft.unit is None and _NUMBER.match(multiplier) and Decimal(multiplier) == 1:
            draft.unit = name
        elif name:
            draft.note(line or draft.line, f"alternative unit `{name}` (x{multiplier}) dropped")


def _note_extras(draft: DraftSpec, element: etree._Element) -> None:
    """Moodle features with no place here: combined feedback and hints."""
    for tag in _COMBINED_FEEDBACK:
        found = element.find(tag)
        if found is not None and (found.findtext("text") or "").strip():
            draft.note(found.sourceline or draft.line, f"<{tag}> has no equivalent: dropped")
    hints = [h for h in element.findall("hint") if (h.findtext("text") or "").strip()]
    if hints:
        draft.note(hints[0].sourceline or draft.line, f"{len(hints)} hint(s) have no equivalent: dropped")


def _read_tags(draft: DraftSpec, element: etree._Element) -> None:
    topics: list[str] = []
    for tag in element.findall("tags/tag"):
        name = (tag.findtext("text") or "").strip()
        topic = slugify(name)
        if not topic:
            draft.note(
                tag.sourceline or draft.line,
                f"tag `{name}` has no letters or digits to make a topic of: dropped",
            )
        elif topic not in topics:
            topics.append(topic)
    draft.topics = tuple(topics)
    idnumber = (element.findtext("idnumber") or "").strip()
    if idnumber:
        draft.id_hints = (idnumber,)
        draft.stable_id = idnumber if ID_PATTERN.fullmatch(idnumber) else None
