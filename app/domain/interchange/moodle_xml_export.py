"""Export our questions as Moodle XML, the richest format Moodle's question bank imports."""

from __future__ import annotations

from collections.abc import Iterable

from ..questions import QuestionSpec, QuestionType
from .gift_export import multiple_response_weight
from .lxml_on_use import etree
from .numbers import plain_number
from .safe_text import exportable

MARKDOWN = "markdown"  # Moodle's FORMAT_MARKDOWN: our text goes over unchanged


def export_moodle_xml(questions: Iterable[QuestionSpec], category: str | None = None) -> bytes:
    """A `<quiz>` of one `<question>` per item (UTF-8 XML), in order.

    Rules:
    - `<name>` and `<idnumber>` are our id: the idnumber is the stable id, so importing the file into
      the same bank reports every question `unchanged`; topics are `<tags>`.
    - Texts are Markdown (`format="markdown"`): stem, a blank line, then the question asked, as in GIFT.
      Rationales are per-answer `<feedback>`, the explanation `<generalfeedback>`, ending with a
      `Reference: ...` paragraph when there is one (the importer takes it back as the reference).
    - single and true-false: the right answer fraction 100, the others 0. multiple: right answers
      100/k each and wrong ones -100/k, which Moodle's sum-then-clamp turns into our scoring.
    - numeric: `<answer>` with `<tolerance>` and the unit (multiplier 1).
    - matching: a `<subquestion>` per prompt and one with empty text per distractor (Moodle's rule);
      credit is the share of prompts right in both.
    - short: `<answer>` per accepted answer with its fraction, `<usecase>0</usecase>` (case ignored).
    - `shuffleanswers` follows `shuffle:`; domain, difficulty, cognitive level, set and pool have no place
      in Moodle XML and are taken from the bank when the file is imported back (else the defaults).
    - Matching answers are plain text in Moodle: Markdown in them shows as typed there.
    - `category` adds a category question first.
    """
    quiz = etree.Element("quiz")
    if category:
        element = etree.SubElement(quiz, "question", type="category")
        _text(element, "category", category, None)
    for question in questions:
        quiz.append(moodle_question(question))
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)


_TYPES = {
    QuestionType.SINGLE: "multichoice",
    QuestionType.MULTIPLE: "multichoice",
    QuestionType.TRUE_FALSE: "truefalse",
    QuestionType.NUMERIC: "numerical",
    QuestionType.MATCHING: "matching",
    QuestionType.SHORT: "shortanswer",
}


def moodle_question(question: QuestionSpec) -> etree._Element:
    """One `<question>` element."""
    element = etree.Element("question", type=_TYPES[question.type])
    _text(element, "name", question.id, None)
    text = f"{question.stem}\n\n{question.prompt}" if question.stem else question.prompt
    _text(element, "questiontext", text, MARKDOWN)
    general = question.explanation
    if question.reference:  # Moodle XML has no reference: a last paragraph, read back on import
        general += f"\n\nReference: {' '.join(question.reference.split())}"
    _text(element, "generalfeedback", general, MARKDOWN)
    _value(element, "defaultgrade", "1")
    _value(element, "penalty", "0")
    _value(element, "hidden", "0")
    _value(element, "idnumber", question.id)
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        _choices(element, question)
    elif question.type is QuestionType.TRUE_FALSE:
        for option in sorted(question.options, key=lambda o: o.text.lower() != "true"):
            _answer(element, "100" if option.correct else "0", option.text.lower(), None, option.rationale)
    elif question.type is QuestionType.NUMERIC:
        assert question.answer is not None and question.tolerance is not None  # the parser guarantees both
        answer = _answer(element, "100", plain_number(question.answer), None, "")
        _value(answer, "tolerance", plain_number(question.tolerance))
        if question.unit:
            unit = etree.SubElement(etree.SubElement(element, "units"), "unit")
            _value(unit, "multiplier", "1")
            _value(unit, "unit_name", question.unit)
            _value(element, "unitgradingtype", "0")  # the unit is shown, not graded
            _value(element, "showunits", "3")  # "the unit is displayed after the input"
    elif question.type is QuestionType.MATCHING:
        _value(element, "shuffleanswers", "true" if question.shuffle else "false")
        for pair in question.pairs:
            sub = _text(element, "subquestion", pair.prompt, MARKDOWN)
            _text(sub, "answer", pair.answer, None)
        for distractor in question.distractors:
            sub = _text(element, "subquestion", "", MARKDOWN)
            _text(sub, "answer", distractor, None)
    else:
        _value(element, "usecase", "0")
        for accepted in question.accepted:
            _answer(element, plain_number(accepted.credit * 100), accepted.text, "plain_text", "")
    if question.topics:
        tags = etree.SubElement(element, "tags")
        for topic in question.topics:
            _text(tags, "tag", topic, None)
    return element


def _choices(element: etree._Element, question: QuestionSpec) -> None:
    multiple = question.type is QuestionType.MULTIPLE
    _value(element, "single", "false" if multiple else "true")
    _value(element, "shuffleanswers", "true" if question.shuffle else "false")
    _value(element, "answernumbering", "abc")
    weight = multiple_response_weight(len(question.correct_keys) or 1)
    for option in question.options:
        if multiple:
            fraction = weight if option.correct else f"-{weight}"
        else:
            fraction = "100" if option.correct else "0"
        _answer(element, fraction, option.text, MARKDOWN, option.rationale)


def _answer(
    parent: etree._Element, fraction: str, text: str, text_format: str | None, feedback: str
) -> etree._Element:
    answer = _text(parent, "answer", text, text_format)
    answer.set("fraction", fraction)
    if feedback:
        _text(answer, "feedback", feedback, MARKDOWN)
    return answer


def _text(parent: etree._Element, tag: str, text: str, text_format: str | None) -> etree._Element:
    """`<tag format="..."><text>...</text></tag>`: lxml escapes, so no CDATA is needed."""
    element = etree.SubElement(parent, tag)
    if text_format:
        element.set("format", text_format)
    _value(element, "text", exportable(text) if text_format == MARKDOWN else text)
    return element


def _value(parent: etree._Element, tag: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = value
    return element
