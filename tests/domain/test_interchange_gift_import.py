"""GIFT import: one test per construct of Moodle's GIFT format, on small order-desk samples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.interchange import (
    GiftImport,
    ImportedItem,
    ImportStatus,
    import_gift,
    markdown_file,
    summary_line,
)
from app.domain.interchange.drafts import NO_EXPLANATION, NO_RATIONALE
from app.domain.questions import QuestionSpec, QuestionType, parse_questions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gift"
SAMPLES = sorted(p.name for p in FIXTURES.glob("*.gift"))
NOTE = re.compile(r"^line \d+: \S")


def load(name: str, default_domain: str = "D2", taken_ids: frozenset[str] = frozenset()) -> GiftImport:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return import_gift(text, f"gift/{name}", default_domain=default_domain, taken_ids=taken_ids)


def parsed(item: ImportedItem) -> QuestionSpec:
    """The item's Markdown read back by our own parser, which must find nothing wrong with it."""
    assert item.markdown is not None, item.notes
    questions, problems = parse_questions(item.markdown, "imported.md")
    assert [str(p) for p in problems] == []
    [question] = questions
    return question


def by_title(result: GiftImport, title: str) -> ImportedItem:
    [item] = [i for i in result.items if i.title == title]
    return item


# ---- every sample


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_gives_markdown_that_parses_and_notes_with_lines(name: str) -> None:
    result = load(name)
    assert result.items, "every sample holds at least one question"
    for item in result.items:
        assert all(NOTE.match(n) for n in item.notes), item.notes
        if item.status is ImportStatus.SKIPPED:
            assert item.markdown is None and item.notes  # a skipped item always says why
        else:
            parsed(item)
        if item.status is ImportStatus.PARTIAL:
            assert item.notes


@pytest.mark.parametrize("name", SAMPLES)
def test_the_imported_items_of_a_sample_make_one_valid_question_file(name: str) -> None:
    result = load(name)
    questions, problems = parse_questions(markdown_file(result, f"Imported from {name}"), "all.md")
    assert [str(p) for p in problems] == []
    assert len(questions) == sum(1 for i in result.items if i.markdown)


# ---- multiple choice, feedback, weights


def test_multiple_choice_maps_right_wrong_per_answer_and_general_feedback() -> None:
    item = by_title(load("multiple_choice.gift"), "Credit hold first move")
    assert (item.status, item.line, item.notes) == (ImportStatus.IMPORTED, 3, ())
    question = parsed(item)
    assert question.type is QuestionType.SINGLE
    assert question.prompt == (
        "A strategic account's order is on credit hold at quarter end. What do you do first?"
    )
    assert [(o.text, o.correct) for o in question.options] == [
        ("Send credit the exposure and ask for a decision", True),
        ("Release the order yourself", False),
        ("Tell sales it cannot ship this quarter", False),
    ]
    assert question.options[1].rationale == "Release authority sits with credit, whatever the account's tier."
    assert question.explanation.startswith("The hold is legitimate;")
    assert (question.domain, question.difficulty, question.cognitive) == ("D2", 3, "application")


def test_missing_feedback_gets_placeholders_and_makes_the_item_partial() -> None:
    item = load("multiple_choice.gift").items[1]
    assert item.status is ImportStatus.PARTIAL
    assert item.notes == (
        "line 10: answer `850` has no feedback: a placeholder rationale was added",
        "line 10: answer `856` has no feedback: a placeholder rationale was added",
        "line 10: answer `855` has no feedback: a placeholder rationale was added",
        "line 10: answer `810` has no feedback: a placeholder rationale was added",
        "line 10: no general feedback: a placeholder explanation was added",
    )
    question = parsed(item)
    assert question.correct_keys == ("C",)
    assert {o.rationale for o in question.options} == {NO_RATIONALE}
    assert question.explanation == NO_EXPLANATION


def test_partial_and_negative_weights_on_a_single_answer_become_wrong_options() -> None:
    [item] = load("weights.gift").items
    assert item.status is ImportStatus.PARTIAL
    assert item.notes == (
        "line 5: answer weights other than 100/0 (%50%) are not supported: imported as a wrong option, "
        "partial credit lost",
        "line 6: negative weights (%-100%) are not supported: imported as a wrong option, the penalty is lost",
    )
    question = parsed(item)
    assert question.type is QuestionType.SINGLE
    assert [o.correct for o in question.options] == [True, False, False, False]  # =%100% is right


def test_multiple_response_whose_weights_match_our_scoring_imports_cleanly() -> None:
    item = by_title(load("multiple_response.gift"), "Chargeback causes")
    assert (item.status, item.notes) == (ImportStatus.IMPORTED, ())
    question = parsed(item)
    assert question.type is QuestionType.MULTIPLE
    assert question.correct_keys == ("A", "B")


def test_multiple_response_with_other_weights_is_partial_and_says_how_scoring_differs() -> None:
    item = by_title(load("multiple_response.gift"), "Fill rate levers")
    assert item.status is ImportStatus.PARTIAL
    assert item.notes == (
        "line 10: the weights of the right answers are unequal (%30%, %70%): here each right option is "
        "worth the same share and choosing all of them scores 100%",
        "line 10: wrong answers weigh %-100% in the source; here each wrong option chosen takes one right "
        "option's share (%-50%) off, never below 0",
    )
    assert parsed(item).correct_keys == ("B", "C")


def test_multiple_response_without_any_credited_answer_is_skipped() -> None:
    item = by_title(load("multiple_response.gift"), "Nothing right")
    assert item.status is ImportStatus.SKIPPED
    assert item.notes == ("line 17: no answer carries credit, so no option can be marked correct: skipped",)


def test_an_unescaped_equals_sign_in_feedback_starts_a_new_answer_as_in_moodle() -> None:
    [item] = import_gift("Pick one.{=Right#because 1 = 1 ~Wrong#no}", "eq.gift").items
    # Moodle reads `= 1` as a second right answer, so the question has two and cannot be single-answer.
    assert item.status is ImportStatus.SKIPPED
    assert item.notes == (
        "line 1: 2 answers give full credit, and a single-answer item needs exactly one right answer: skipped",
    )
    [escaped] = import_gift("Pick one.{=Right#because 1 \\= 1 ~Wrong#no}", "eq.gift").items
    assert parsed(escaped).options[0].rationale == "because 1 = 1"


# ---- true-false, short answer, matching, numeric, missing word, essay, description


@pytest.mark.parametrize(
    ("title", "truth", "true_rationale", "false_rationale"),
    [
        (
            "ATP planned production",
            True,
            "Right: uncommitted stock plus planned production.",
            "Wrong: ATP includes planned production.",
        ),
        ("Short form true", True, NO_RATIONALE, NO_RATIONALE),
        (
            "Credit memo false",
            False,
            "It reduces it, wrong answer.",
            "Correct: a credit memo reduces the balance.",
        ),
        ("Short form false", False, "No: DSO rises with receivables.", NO_RATIONALE),
    ],
)
def test_true_false_in_every_spelling_with_feedback_for_the_wrong_then_the_right_answer(
    title: str, truth: bool, true_rationale: str, false_rationale: str
) -> None:
    item = by_title(load("true_false.gift"), title)
    question = parsed(item)
    assert question.type is QuestionType.TRUE_FALSE
    assert [(o.text, o.correct, o.rationale) for o in question.options] == [
        ("True", truth, true_rationale),
        ("False", not truth, false_rationale),
    ]
    expected = (
        ImportStatus.PARTIAL if NO_RATIONALE in (true_rationale, false_rationale) else ImportStatus.IMPORTED
    )
    assert item.status is expected


def test_short_answer_keeps_every_accepted_answer_and_the_right_feedback() -> None:
    asn, otif = load("short_answer.gift").items
    question = parsed(asn)
    assert question.type is QuestionType.SHORT
    assert [(a.text, a.credit) for a in question.accepted] == [("856", 1.0), ("ASN", 1.0)]
    assert "The 856 is the ASN." in question.explanation
    assert asn.notes == ("line 1: the feedback on the right answer was added to the explanation",)
    assert asn.status is ImportStatus.IMPORTED
    assert [(a.text, a.credit) for a in parsed(otif).accepted] == [("On time in full", 1.0)]


def test_matching_pairs_come_through() -> None:
    [item] = load("matching.gift").items
    question = parsed(item)
    assert (item.title, question.type) == ("EDI documents", QuestionType.MATCHING)
    assert [(p.prompt, p.answer) for p in question.pairs] == [
        ("850", "Purchase order"),
        ("855", "Order acknowledgment"),
        ("856", "Advance ship notice"),
    ]


def test_numeric_answer_with_tolerance() -> None:
    item = by_title(load("numeric.gift"), "DSO year end")
    question = parsed(item)
    assert (question.type, question.answer, question.tolerance) == (QuestionType.NUMERIC, 50.0, 0.5)
    assert item.status is ImportStatus.IMPORTED


def test_numeric_range_becomes_its_middle_and_half_width() -> None:
    question = parsed(by_title(load("numeric.gift"), "Fill rate range"))
    assert (question.answer, question.tolerance) == (95.0, 1.0)


def test_numeric_without_tolerance_is_exact() -> None:
    question = parsed(by_title(load("numeric.gift"), "Exact units"))
    assert (question.answer, question.tolerance) == (10.0, 0.0)


def test_numeric_partial_credit_answers_and_wrong_answer_feedback_are_noted() -> None:
    item = by_title(load("numeric.gift"), "Partial credit numbers")
    assert item.status is ImportStatus.PARTIAL
    assert item.notes == (
        "line 9: partial-credit answer `25:1` (%50%) dropped: numeric items here are right or wrong",
        "line 10: feedback for any other answer dropped: numeric items here have no per-answer feedback",
        "line 8: the feedback on the right answer was added to the explanation",
    )
    question = parsed(item)
    assert (question.answer, question.tolerance) == (25.0, 0.0)
    assert question.explanation == "1,200 / 48 = 25 pallets.\n\nRight: 1,200 / 48 = 25."


def test_numeric_with_two_full_credit_answers_is_skipped() -> None:
    item = by_title(load("numeric.gift"), "Two right numbers")
    assert item.status is ImportStatus.SKIPPED
    assert item.notes == (
        "line 16: 2 answers give full credit (5:0, 7:0), and a numeric item has one answer: skipped",
    )


def test_missing_word_puts_a_blank_in_the_prompt() -> None:
    choice, truth = load("missing_word.gift").items
    assert choice.notes == ("line 3: missing-word question: the blank is shown as _____ in the prompt",)
    assert choice.status is ImportStatus.IMPORTED
    assert parsed(choice).prompt == (
        "An order that exceeds the customer's credit limit is placed on _____ until credit releases it."
    )
    assert parsed(truth).prompt == "The 855 is sent by the _____ supplier, not the buyer."
    assert parsed(truth).explanation == "The supplier acknowledges the PO."


def test_essay_and_description_are_skipped_with_the_reason() -> None:
    essay, description = load("essay_description.gift").items
    assert essay.notes == ("line 1: essay questions are marked by hand and have no equivalent: skipped",)
    assert description.notes == ("line 3: a description (text without answers) is not a question: skipped",)
    assert essay.status is description.status is ImportStatus.SKIPPED


# ---- file structure: categories, titles, formats, comments, escapes, lines


def test_categories_apply_to_the_questions_after_them() -> None:
    result = load("categories.gift")
    assert [(i.title, i.category) for i in result.items] == [
        ("Cat credit", "$course$/top/Order desk/Credit"),
        ("Cat edi", "$course$/top/Order desk/EDI"),  # no blank line after $CATEGORY: still read
    ]
    assert [i.status for i in result.items] == [ImportStatus.IMPORTED, ImportStatus.IMPORTED]


def test_ids_come_from_titles_then_prompts_and_are_unique_and_prefixed() -> None:
    result = load("titles_formats.gift")
    assert [i.question_id for i in result.items] == [
        "gift-format-markdown",
        "gift-format-html",
        "gift-format-plain",
        "gift-format-moodle",
        "gift-format-markdown-2",
        "gift-untitled-which-carrier-does-the-routing-guide-require",
    ]
    assert [parsed(i).id for i in result.items] == [i.question_id for i in result.items]


def test_taken_ids_are_never_reused_and_the_default_domain_applies() -> None:
    result = load("titles_formats.gift", default_domain="d7", taken_ids=frozenset({"gift-format-html"}))
    assert result.items[1].question_id == "gift-format-html-2"
    assert {parsed(i).domain for i in result.items} == {"D7"}


def test_an_unknown_default_domain_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="D1-D9"):
        import_gift("Q?{T}", "x.gift", default_domain="D10")


def test_format_markers_markdown_html_plain_and_moodle() -> None:
    result = load("titles_formats.gift")
    markdown, html, plain, moodle = (parsed(i) for i in result.items[:4])
    assert markdown.prompt == "Which of these is **not** an order-to-cash step?"
    assert html.prompt == "Which document does a retailer receive *against*?"
    assert html.explanation == "The **856** ASN."  # general feedback takes the question's format
    assert plain.prompt == r"Is 2 \* 3 = 6 the same as \*bold\*?"  # shows the asterisks as typed
    assert moodle.prompt == "What does **RMA** stand for?"  # Moodle auto-format with HTML in it


def test_comments_are_ignored_and_moodle_tags_become_topics() -> None:
    [item] = load("comments.gift").items  # the comment-only block is not a question
    question = parsed(item)
    assert item.line == 4
    assert question.topics == ("credit-check", "escalation-path")
    assert [o.text for o in question.options] == ["Credit", "The order desk"]


def test_the_moodle_idnumber_names_an_untitled_question() -> None:
    [item] = import_gift("// [id:Hold Owner]\nWho releases a credit hold?{=Credit#Yes ~Sales#No}", "x").items
    assert item.question_id == "gift-hold-owner"


def test_every_escape_gives_the_plain_character() -> None:
    [item] = load("escapes.gift").items
    question = parsed(item)
    assert item.title == "Escapes: all six"
    assert question.prompt == (
        r"Ratio 1:2, a = b, approx ~5, SKU #42, braces {x}, backslash \\ and a new line?"
    )  # `\\` in GIFT is one backslash, escaped again for Markdown
    assert question.options[0].text == "Yes: it is {fine}"
    assert question.options[0].rationale == "Feedback with = and # and ~."
    assert question.explanation == "General {feedback}: done."


def test_a_multi_line_question_splits_into_stem_and_prompt() -> None:
    [item] = load("multiline.gift").items
    question = parsed(item)
    assert question.prompt == "The order plus open AR exceeds the limit. What do you do first?"
    assert question.stem.startswith("Halvorsen Foods placed SO-48213 for $240,300.\n\n| Account 100482 |")
    assert "| Open AR | $212,750 |" in question.stem
    assert question.options[0].rationale == "Credit owns the decision."
    assert question.explanation == "The hold is legitimate.\n\nRoute it with the facts."


def test_unreadable_questions_are_problems_at_their_line_and_skipped_items() -> None:
    result = load("errors.gift")
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [
        (1, "`{` without a closing `}`"),
        (3, "`}` without a `{` before it"),
        (5, "a second `{...}` answer block"),
        (7, "a multiple-choice question needs at least two answers (`=right ~wrong`)"),
        (9, "`fifty` is not a number"),
    ]
    assert [i.status for i in result.items] == [ImportStatus.SKIPPED] * 5 + [ImportStatus.PARTIAL]
    assert result.items[0].notes[0].startswith("line 1: not valid GIFT, skipped: `{` without")
    assert summary_line(result) == "0 imported, 1 partial, 5 skipped"


def test_windows_line_endings_and_a_byte_order_mark_are_read() -> None:
    text = "\ufeff::A::Q one?{T####Because.}\r\n\r\n::B::Q two?{F####Because.}\r\n"
    result = import_gift(text, "crlf.gift")
    assert [(i.title, i.line) for i in result.items] == [("A", 1), ("B", 3)]
    assert parsed(result.items[1]).correct_keys == ("B",)


def test_raw_html_that_could_run_script_is_shown_as_text_and_noted() -> None:
    [item] = import_gift("[markdown]Is <script>x()</script> safe?{F#No.#Right.####Never.}", "x").items
    assert item.status is ImportStatus.PARTIAL
    assert "raw HTML that could run script is shown as text" in item.notes[-1]
    assert "&lt;script>" in parsed(item).prompt


def test_summary_line_counts_every_question_once() -> None:
    result = GiftImport()
    for name in SAMPLES:
        result.items.extend(load(name).items)
    counts = {s: sum(1 for i in result.items if i.status is s) for s in ImportStatus}
    assert summary_line(result) == (
        f"{counts[ImportStatus.IMPORTED]} imported, {counts[ImportStatus.PARTIAL]} partial, "
        f"{counts[ImportStatus.SKIPPED]} skipped"
    )


# Fragments that steer random text towards the importer's branches.
GIFT_PIECES = [
    "::t::", "{", "}", "=", "~", "#", "####", "%50%", "%-100%", "->", "\\", ":", "T", "FALSE", "[markdown]",
    "[html]", "<b>", "//", "$CATEGORY:", "\n", "\n\n", "..", "5", " ", "x", "## ",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(GIFT_PIECES), max_size=40).map("".join))
def test_any_text_imports_without_raising_and_whatever_it_writes_parses(text: str) -> None:
    result = import_gift(text, "fuzz.gift")
    for item in result.items:
        if item.markdown is not None:
            parsed(item)


def test_a_1_mb_upload_with_a_pathological_shape_imports_in_seconds_with_the_question_skipped_at_its_line():
    import time

    from app.domain.interchange.gift_syntax import MAX_ANSWERS

    tildes = "::ok:: Pick one. {=Right ~Wrong}\n\n::runaway:: Pick one.\n{=Right " + "~" * 1_000_000 + "}\n"
    started = time.perf_counter()  # each took a minute before: 0.1 ms per answer read
    result = import_gift(tildes, "big.gift")
    assert time.perf_counter() - started < 15  # bounds a hang, not a speed: a minute before
    assert [item.status.value == "skipped" for item in result.items] == [False, True]
    assert [(p.line, f"more than {MAX_ANSWERS} answers" in p.message) for p in result.problems] == [(4, True)]

    tags = "::tags:: Which? " + "<a " * 330_000 + " {=yes ~no}\n"  # 1 MB of unclosed tags in Moodle's format
    started = time.perf_counter()  # minutes before: the "is it HTML?" test scanned to the end from every `<`
    [item] = import_gift(tags, "tags.gift").items
    assert time.perf_counter() - started < 15 and item.status.value != "skipped"


def test_escaped_marks_do_not_count_towards_the_answer_limit():
    from app.domain.interchange.gift_syntax import MAX_ANSWERS

    [item] = import_gift("Pick one. {=Right " + "\\~" * (MAX_ANSWERS + 5) + " ~Wrong}", "esc.gift").items
    assert item.status.value != "skipped"
