"""Moodle XML import: the types we map, the ones we skip, categories, fractions and unreadable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.interchange import GiftImport, ImportedItem, ImportStatus, import_moodle_xml, summary_line
from app.domain.questions import QuestionSpec, QuestionType, parse_questions

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "gift" / "moodle_quiz.xml"


@pytest.fixture(scope="module")
def result() -> GiftImport:
    return import_moodle_xml(SAMPLE.read_text(encoding="utf-8"), "gift/moodle_quiz.xml")


def item(result: GiftImport, title: str) -> ImportedItem:
    [found] = [i for i in result.items if i.title == title]
    return found


def parsed(found: ImportedItem) -> QuestionSpec:
    assert found.markdown is not None, found.notes
    questions, problems = parse_questions(found.markdown, "imported.md")
    assert [str(p) for p in problems] == []
    return questions[0]


def test_every_question_is_an_item_and_every_written_one_parses(result: GiftImport) -> None:
    assert summary_line(result) == "2 imported, 4 partial, 5 skipped"
    for found in result.items:
        assert found.line > 0
        if found.markdown is not None:
            parsed(found)
        else:
            assert found.notes


def test_single_answer_multichoice_with_html_table_tags_and_dropped_extras(result: GiftImport) -> None:
    found = item(result, "Credit hold release")
    assert (found.line, found.category, found.question_id) == (
        9,
        "$course$/top/Order desk/Credit",
        "moodle-credit-hold-release",
    )
    assert found.notes == (
        "line 24: <correctfeedback> has no equivalent: dropped",
        "line 35: 1 hint(s) have no equivalent: dropped",
    )
    assert found.status is ImportStatus.PARTIAL
    question = parsed(found)
    assert question.prompt == "What do you do first?"
    assert question.stem.splitlines()[:4] == [
        "Halvorsen Foods placed SO-48213 for **$240,300**.",
        "",
        "| Account 100482 | Amount |",
        "|---|---|",
    ]
    assert question.topics == ("credit-check", "escalation")
    assert [(o.correct, o.rationale) for o in question.options] == [
        (True, "Credit owns the decision."),
        (False, "Release authority sits with credit."),
    ]
    assert question.explanation == "Credit owns release authority."


def test_multiple_answer_multichoice_with_moodle_thirds_maps_exactly(result: GiftImport) -> None:
    found = item(result, "Chargeback causes")
    assert (found.status, found.notes) == (ImportStatus.IMPORTED, ())
    question = parsed(found)
    assert question.type is QuestionType.MULTIPLE
    assert question.correct_keys == ("A", "B", "C")
    assert question.prompt == "Which of these commonly lead to a **retailer chargeback**?"


def test_truefalse_with_plain_text_and_the_category_that_follows(result: GiftImport) -> None:
    found = item(result, "ATP planned production")
    assert found.category == "$course$/top/Order desk/Metrics"
    question = parsed(found)
    assert question.prompt == r"ATP counts \*planned\* production that is not yet committed."
    assert [(o.text, o.correct, o.rationale) for o in question.options] == [
        ("True", True, "Right."),
        ("False", False, "It does count."),
    ]


def test_numerical_keeps_the_unit_and_notes_partial_answers_and_other_units(result: GiftImport) -> None:
    found = item(result, "DSO year end")
    assert found.notes == (
        "line 68: partial-credit answer `50:2` (%50%) dropped: numeric items here are right or wrong",
        "line 69: feedback for any other answer dropped: numeric items here have no per-answer feedback",
        "line 72: alternative unit `weeks` (x0.142857) dropped",
    )
    question = parsed(found)
    assert (question.answer, question.tolerance, question.unit) == (50.0, 0.5, "days")
    assert question.prompt == "AR is $1,250,000 and annual sales $9,125,000. What is DSO?"


def test_images_scripts_and_embedded_files_are_left_out_and_noted(result: GiftImport) -> None:
    found = item(result, "Scripted text")
    assert found.notes == (
        "line 78: embedded files in <questiontext> are not imported",
        "line 78: left out of the html text: images, scripts",
    )
    assert "alert" not in (found.markdown or "")


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("EDI sets", "a matching question needs at least 2 prompts, found 0: skipped"),
        ("Escalation essay", "essay questions are marked by hand and have no equivalent: skipped"),
        ("Returns intro", "a description (text without answers) is not a question: skipped"),
        ("Drag words", "drag-and-drop into text has no equivalent: skipped"),
    ],
)
def test_types_without_an_equivalent_are_skipped_with_the_reason(
    result: GiftImport, title: str, reason: str
) -> None:
    found = item(result, title)
    assert found.status is ImportStatus.SKIPPED
    assert found.notes == (f"line {found.line}: {reason}",)


def test_an_unreadable_question_is_a_problem_and_a_skipped_item(result: GiftImport) -> None:
    assert [str(p) for p in result.problems] == [
        "gift/moodle_quiz.xml:112: answer fraction `lots` is not a number (100 right, 0 wrong)"
    ]
    found = item(result, "Bad fraction")
    assert found.status is ImportStatus.SKIPPED
    assert found.notes == ("line 112: not valid Moodle XML, skipped: answer fraction `lots` is not a number "
                           "(100 right, 0 wrong)",)  # fmt: skip


def test_malformed_xml_is_one_problem_at_its_line() -> None:
    outcome = import_moodle_xml(
        '<?xml version="1.0"?>\n<quiz>\n  <question type="truefalse">\n</quiz>\n', "bad.xml"
    )
    assert outcome.items == []
    [problem] = outcome.problems
    assert problem.line == 4 and problem.message.startswith("not valid XML (")


def test_a_file_that_is_not_moodle_xml_is_a_problem() -> None:
    outcome = import_moodle_xml("<assessmentItem/>", "qti.xml")
    assert [str(p) for p in outcome.problems] == [
        "qti.xml:1: expected Moodle XML with a <quiz> root element, found <assessmentItem>"
    ]


def test_entities_are_never_expanded_and_nothing_is_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    text = f"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY leak SYSTEM "file://{secret}">]>
<quiz><question type="truefalse"><name><text>Leak</text></name>
<questiontext format="plain_text"><text>Is this &leak; safe?</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>"""
    outcome = import_moodle_xml(text, "xxe.xml")
    assert "TOP-SECRET" not in repr(outcome)


def test_single_answer_multichoice_without_one_full_credit_answer_is_skipped() -> None:
    text = """<quiz><question type="multichoice"><name><text>Half</text></name>
<questiontext><text>Pick</text></questiontext><single>true</single>
<answer fraction="50"><text>A</text></answer><answer fraction="50"><text>B</text></answer>
</question></quiz>"""
    [found] = import_moodle_xml(text, "half.xml").items
    assert found.notes == (
        "line 1: no answer gives full credit, and a single-answer item needs exactly one right answer: skipped",
    )
