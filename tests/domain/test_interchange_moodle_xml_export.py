"""Moodle XML export: every type parses back with our own Moodle XML importer, field by field, and a
bank's own export imports as `unchanged`."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from app.domain.interchange import export_gift, export_moodle_xml, import_gift, import_moodle_xml
from app.domain.interchange.results import ImportStatus
from app.domain.questions import QuestionSpec, QuestionType, parse_questions

ROOT = Path(__file__).resolve().parents[2]
NEW_TYPES = ROOT / "tests" / "fixtures" / "question_types" / "matching_and_short.md"


def docs_example() -> list[QuestionSpec]:
    docs = (ROOT / "docs" / "authoring-questions.md").read_text(encoding="utf-8")
    [block] = [
        b for b in re.findall(r"^````markdown\n(.*?)^````$", docs, flags=re.M | re.S) if b.startswith("---")
    ]
    questions, problems = parse_questions(block, "docs.md")
    assert problems == []
    return questions


def every_type() -> list[QuestionSpec]:
    questions = docs_example() + parse_questions(NEW_TYPES.read_text(), "fx.md")[0]
    assert {q.type for q in questions} == set(QuestionType)
    return questions


def fields(question: QuestionSpec) -> tuple:
    return (
        question.type,
        question.prompt,
        question.stem,
        question.explanation,
        question.reference,
        [(o.key, o.text, o.rationale, o.correct) for o in question.options],
        question.answer,
        question.tolerance,
        question.unit,
        question.topics,
        question.pairs,
        question.distractors,
        question.accepted,
        question.shuffle,
    )


def test_the_file_is_moodle_xml_with_one_question_element_per_item():
    questions = every_type()
    root = etree.fromstring(export_moodle_xml(questions, category="$course$/Order desk"))
    assert root.tag == "quiz"
    kinds = [q.get("type") for q in root.iterchildren("question")]
    assert kinds[0] == "category" and root.findtext("question/category/text") == "$course$/Order desk"
    assert sorted(set(kinds[1:])) == ["matching", "multichoice", "numerical", "shortanswer", "truefalse"]
    for element, question in zip(root.iterchildren("question"), [None, *questions], strict=True):
        if question is None:
            continue
        assert element.findtext("idnumber") == question.id == element.findtext("name/text")
        assert element.find("questiontext").get("format") == "markdown"
    matching = root.find("question[@type='matching']")
    assert [s.findtext("answer/text") for s in matching.findall("subquestion")][-1] == "the carrier's agent"
    assert matching.findall("subquestion")[-1].findtext("text") == ""  # a distractor, as Moodle writes it
    short = root.find("question[@type='shortanswer']")
    assert [(a.get("fraction"), a.findtext("text")) for a in short.findall("answer")] == [
        ("100", "cash in advance"),
        ("100", "CIA"),
        ("50", "prepayment"),
    ]
    multiple = root.find("question[@type='multichoice'][single='false']")
    assert sorted({a.get("fraction") for a in multiple.findall("answer")}) == ["-33.33333", "33.33333"]


def test_our_importer_reads_every_type_back_field_by_field():
    questions = every_type()
    result = import_moodle_xml(export_moodle_xml(questions).decode(), "export.xml", "D1")
    assert result.problems == []
    assert [(i.status, i.notes) for i in result.items] == [(ImportStatus.IMPORTED, ())] * len(questions)
    for original, item in zip(questions, result.items, strict=True):
        [back], problems = parse_questions(item.markdown, "back.md")
        assert problems == []
        assert fields(back) == fields(original)


def test_a_banks_own_export_imports_unchanged_in_both_formats():
    questions = every_type()
    known = {q.id: q for q in questions}
    for result in (
        import_moodle_xml(export_moodle_xml(questions).decode(), "x.xml", "D1", known, known),
        import_gift(export_gift(questions), "x.gift", "D1", known, known),
    ):
        assert [(i.status, i.question_id, i.markdown) for i in result.items] == [
            (ImportStatus.UNCHANGED, q.id, None) for q in questions
        ]


def test_an_edited_question_with_a_known_id_is_a_new_question_naming_what_changed():
    questions = every_type()
    known = {q.id: q for q in questions}
    edited = export_gift(questions[:1]).replace("Release it yourself", "Release it at once")
    [item] = import_gift(edited, "x.gift", "D1", known, known).items
    assert item.status is ImportStatus.IMPORTED and item.question_id == f"gift-{questions[0].id}"
    assert item.notes == (
        f"line 1: `{questions[0].id}` is in the bank, but this differs (options): imported as a new "
        "question, since ids are never reused; retire the old one if this replaces it",
    )


def test_a_title_alone_carries_the_id_when_moodle_dropped_the_comment():
    questions = every_type()
    known = {q.id: q for q in questions}
    without_comments = re.sub(r"\[id:[^\]]*\] ?", "", export_gift(questions))
    result = import_gift(without_comments, "x.gift", "D1", known, known)
    assert {i.status for i in result.items} == {ImportStatus.UNCHANGED}
